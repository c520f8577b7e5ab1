import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
} from '@aws-sdk/client-kinesis';
import { sequenceAfter, type DeliveryRange } from './delivery-range';
import { readJsonFile, writeJsonFileAtomically } from './json-file';
import { LocalRuntimeError } from './local-runtime-error';

/** Records one GetRecords call asks for per shard unless told otherwise (Kinesis allows up to 10,000). */
export const DEFAULT_RECORDS_PER_SHARD_POLL = 1_000;

/** A record read from a shard, with where it came from. */
export interface ShardRecord {
  shardId: string;
  record: KinesisRecord;
}

/** Last delivered sequence number per shard, stored as a JSON file replaced atomically. */
export class ShardCheckpoints {
  private positions: Record<string, string> = {};

  constructor(private readonly file: string) {}

  async load(): Promise<void> {
    this.positions = (await readJsonFile<Record<string, string>>(this.file)) ?? {};
  }

  get(shardId: string): string | undefined {
    return this.positions[shardId];
  }

  /** Records positions after a successful delivery. */
  async commit(positions: Record<string, string>): Promise<void> {
    this.positions = { ...this.positions, ...positions };
    await writeJsonFileAtomically(this.file, this.positions);
  }
}

/** Whether a poll read a full page from some shard: that shard holds more, so reading goes on without a pause. */
export function filledAPage(records: ShardRecord[], limitPerShard: number): boolean {
  const perShard = new Map<string, number>();
  for (const { shardId } of records) perShard.set(shardId, (perShard.get(shardId) ?? 0) + 1);
  return [...perShard.values()].some((count) => count >= limitPerShard);
}

/** A pending delivery's records are no longer on the stream (trimmed, or the stream was recreated). */
export class DeliveryRangeGoneError extends LocalRuntimeError {
  readonly code = 'DELIVERY_RANGE_GONE';
  constructor(
    readonly streamName: string,
    readonly shardId: string,
    readonly lastSequenceNumber: string,
  ) {
    super(`stream ${streamName}, ${shardId}: the records of the pending delivery up to ${lastSequenceNumber} are no longer on the stream`);
    this.name = 'DeliveryRangeGoneError';
  }
}

/**
 * Reads every shard of a stream (a Kinesis Data Streams source, as Firehose does), starting after
 * each shard's checkpoint or at TRIM_HORIZON. Iterators are refreshed from the checkpoint after a
 * restart, so delivery is at least once.
 */
export class ShardReader {
  private readonly iterators = new Map<string, string | undefined>();
  /** Where reading resumes per shard when that is past its checkpoint (after a redone delivery's range). */
  private readonly resumePositions = new Map<string, string>();

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly checkpoints: ShardCheckpoints,
  ) {}

  private async refreshShards(): Promise<void> {
    const shards = await this.kinesis.send(new ListShardsCommand({ StreamName: this.streamName }));
    for (const shard of shards.Shards ?? []) {
      const shardId = shard.ShardId!;
      if (this.iterators.has(shardId)) continue;
      const after = this.resumePositions.get(shardId) ?? this.checkpoints.get(shardId);
      const iterator = await this.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: this.streamName,
          ShardId: shardId,
          ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      this.iterators.set(shardId, iterator.ShardIterator);
    }
  }

  /** One pass over every shard; returns what was read (possibly nothing). */
  async poll(limitPerShard = DEFAULT_RECORDS_PER_SHARD_POLL): Promise<ShardRecord[]> {
    await this.refreshShards();
    const out: ShardRecord[] = [];
    for (const [shardId, iterator] of this.iterators) {
      if (!iterator) continue;
      const page = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limitPerShard }));
      this.iterators.set(shardId, page.NextShardIterator);
      for (const record of page.Records ?? []) out.push({ shardId, record });
    }
    return out;
  }

  /** Reads exactly the records a delivery covered (to redo it), and has polling resume after them. */
  async readRange(range: DeliveryRange): Promise<ShardRecord[]> {
    const out: ShardRecord[] = [];
    for (const span of range) {
      const start = await this.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: this.streamName,
          ShardId: span.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: span.firstSequenceNumber,
        }),
      );
      let iterator = start.ShardIterator;
      let reachedLast = false;
      while (!reachedLast) {
        const page = iterator ? await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 })) : undefined;
        const records = page?.Records ?? [];
        if (records.length === 0) throw new DeliveryRangeGoneError(this.streamName, span.shardId, span.lastSequenceNumber);
        for (const record of records) {
          reachedLast = !sequenceAfter(span.lastSequenceNumber, record.SequenceNumber!);
          if (reachedLast) {
            if (record.SequenceNumber === span.lastSequenceNumber) out.push({ shardId: span.shardId, record });
            break;
          }
          out.push({ shardId: span.shardId, record });
        }
        iterator = page?.NextShardIterator;
      }
      this.resumePositions.set(span.shardId, span.lastSequenceNumber);
      this.iterators.delete(span.shardId);
    }
    return out;
  }
}
