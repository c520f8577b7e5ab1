import { createHash } from 'node:crypto';
import type { ShardRecord } from './shard-reader';

/** The records of one shard a delivery covers: every record from the first sequence number to the last, inclusive. */
export interface ShardSpan {
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  records: number;
}

/** What a delivery covers, shard by shard (sorted by shard id): the identity of its objects. */
export type DeliveryRange = ShardSpan[];

/** The spans a batch covers; a batch holds each shard's records in sequence order, as the reader returns them. */
export function deliveryRangeOf(batch: readonly ShardRecord[]): DeliveryRange {
  const spans = new Map<string, ShardSpan>();
  for (const { shardId, record } of batch) {
    const sequenceNumber = record.SequenceNumber!;
    const span = spans.get(shardId);
    if (span) {
      span.lastSequenceNumber = sequenceNumber;
      span.records++;
    } else {
      spans.set(shardId, { shardId, firstSequenceNumber: sequenceNumber, lastSequenceNumber: sequenceNumber, records: 1 });
    }
  }
  return [...spans.values()].sort((a, b) => a.shardId.localeCompare(b.shardId));
}

/**
 * The delivery id in every object key and the manifest's name: a digest of the shard spans, so a
 * delivery redone after a crash (the same spans) writes the same keys and replaces its objects.
 */
export function deliveryIdOf(range: DeliveryRange): string {
  const canonical = range.map((s) => `${s.shardId}:${s.firstSequenceNumber}-${s.lastSequenceNumber}`).join(',');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/**
 * The time a delivery's prefixes and object names are evaluated at: the approximate arrival time
 * of its oldest record, as Firehose does for `!{timestamp:…}`; it travels with the records, so a
 * redone delivery lands under the same keys.
 */
export function deliveryTimeOf(batch: readonly ShardRecord[]): Date {
  return new Date(Math.min(...batch.map(({ record }) => record.ApproximateArrivalTimestamp!.getTime())));
}

/** Whether `a` comes after `b` in a shard (Kinesis sequence numbers are decimal strings of growing value). */
export function sequenceAfter(a: string, b: string): boolean {
  return BigInt(a) > BigInt(b);
}

/** Whether every span ends at or before the shard's checkpoint: the delivery was already committed. */
export function isCommitted(range: DeliveryRange, checkpointOf: (shardId: string) => string | undefined): boolean {
  return range.every((span) => {
    const checkpoint = checkpointOf(span.shardId);
    return checkpoint !== undefined && !sequenceAfter(span.lastSequenceNumber, checkpoint);
  });
}
