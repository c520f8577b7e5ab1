import { FRESHNESS_QUERY, namedQuery } from '@ingest-lake/shared';
import type { FirehoseRunner } from './firehose-runner';
import type { LakeCatalog } from './lake-catalog';
import type { PipelineSample } from './pipeline-metrics-history';
import { addTo } from './record-counts';

/** Parses DuckDB's text of a TIMESTAMP (UTC, no zone) or TIMESTAMPTZ as epoch milliseconds. */
export function parseLakeTimestamp(text: string): number {
  const iso = text.replace(' ', 'T').replace(/(:\d{2}(?:\.\d+)?[+-]\d{2})$/, '$1:00');
  const at = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(at)) throw new RangeError(`not a timestamp from the lake: ${JSON.stringify(text)}`);
  return at;
}

/** Seconds since each dataset's newest curated record was ingested, from the catalog (null: none yet). */
export async function lakeFreshness(catalog: LakeCatalog, now: number): Promise<Record<string, number | null>> {
  // The shared freshness query (`shared/sql/queries/freshness.sql`): newest `_ingested_at` per dataset.
  const query = namedQuery(FRESHNESS_QUERY);
  const freshness: Record<string, number | null> = {};
  for (const row of await catalog.query(query.sql)) {
    const newest = row.newest_ingested_at;
    freshness[String(row.dataset)] = newest === null || newest === undefined ? null : Math.max(0, (now - parseLakeTimestamp(String(newest))) / 1000);
  }
  return freshness;
}

/** The runners' cumulative counters, keyed by source stream and `stream/shard`, with the lake's freshness. */
export function samplePipeline(runners: readonly FirehoseRunner[], freshnessSeconds: Record<string, number | null>, at: number): PipelineSample {
  const sample: PipelineSample = { at, recordsIn: {}, failedRows: {}, shardRecords: {}, freshnessSeconds };
  for (const runner of runners) {
    const stream = runner.deliverySettings.sourceStreamName;
    const { counters } = runner;
    addTo(sample.recordsIn, stream, counters.recordsIn);
    for (const [reason, n] of Object.entries(counters.failedRows)) addTo(sample.failedRows, reason, n);
    for (const [shard, n] of Object.entries(counters.kinesisRecordsByShard)) addTo(sample.shardRecords, `${stream}/${shard}`, n);
  }
  return sample;
}
