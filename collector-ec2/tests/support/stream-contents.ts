import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { decodeRecord, parsePackEntry } from '@ingest-lake/shared';

/** Every data row on a stream (all shards, from the start), decoded from packs. */
export async function readStreamRows(client: KinesisClient, streamName: string): Promise<Array<{ dataset: string; origin: string; record: Record<string, unknown>; line?: number }>> {
  const rows: Array<{ dataset: string; origin: string; record: Record<string, unknown>; line?: number }> = [];
  const shards = await client.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of shards.Shards ?? []) {
    let iterator = (
      await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const decoded = decodeRecord(record.Data!);
        if (decoded.kind !== 'pack') throw new Error('expected packs on a collector stream');
        decoded.entryLines.forEach((line, index) => {
          const entry = parsePackEntry(line, index, decoded.header.columns);
          rows.push({ dataset: decoded.header.dataset, origin: decoded.header.origin, record: entry.r, ...(entry.l === undefined ? {} : { line: entry.l }) });
        });
      }
      if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return rows;
}

/** Primary-key identity of an app_market_daily row (what the transform's dedup key is built from). */
export function rowKey(record: Record<string, unknown>): string {
  return JSON.stringify([record.metric_date, record.app_id, record.country_code, record.device]);
}
