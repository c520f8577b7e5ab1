import type { ShardRecord } from '../../src/shard-reader';
import { deliveryIdOf, deliveryRangeOf, deliveryTimeOf, isCommitted, sequenceAfter } from '../../src/delivery-range';

const record = (shardId: string, sequenceNumber: string, arrivedAt: number): ShardRecord => ({
  shardId,
  record: { SequenceNumber: sequenceNumber, ApproximateArrivalTimestamp: new Date(arrivedAt), Data: new Uint8Array(), PartitionKey: 'k' },
});

// Sequence numbers longer than a double holds exactly, as Kinesis and kinesalite issue them.
const A1 = '49650000000000000000000000000000000000000000000000000001';
const A2 = '49650000000000000000000000000000000000000000000000000002';
const A9 = '49650000000000000000000000000000000000000000000000000009';
const B1 = '49650000000000000000000000000000000000000000000000000011';
const batch = [record('shardId-000000000001', B1, 3_000), record('shardId-000000000000', A1, 2_000), record('shardId-000000000000', A2, 1_000)];

describe('delivery range', () => {
  test('spans per shard, sorted by shard, first to last with counts', () => {
    expect(deliveryRangeOf(batch)).toEqual([
      { shardId: 'shardId-000000000000', firstSequenceNumber: A1, lastSequenceNumber: A2, records: 2 },
      { shardId: 'shardId-000000000001', firstSequenceNumber: B1, lastSequenceNumber: B1, records: 1 },
    ]);
  });

  test('the id depends on the ranges only: the same records in another order or time give the same id, another range another', () => {
    const again = [batch[1]!, batch[2]!, record('shardId-000000000001', B1, 9_999)];
    expect(deliveryIdOf(deliveryRangeOf(again))).toBe(deliveryIdOf(deliveryRangeOf(batch)));
    expect(deliveryIdOf(deliveryRangeOf(batch))).toMatch(/^[0-9a-f]{32}$/);
    expect(deliveryIdOf(deliveryRangeOf(batch.slice(0, 2)))).not.toBe(deliveryIdOf(deliveryRangeOf(batch)));
  });

  test('the delivery time is the oldest arrival', () => {
    expect(deliveryTimeOf(batch).getTime()).toBe(1_000);
  });

  test.each([
    [{ 'shardId-000000000000': A2, 'shardId-000000000001': B1 }, true],
    [{ 'shardId-000000000000': A9, 'shardId-000000000001': B1 }, true],
    [{ 'shardId-000000000000': A1, 'shardId-000000000001': B1 }, false],
    [{ 'shardId-000000000000': A2 }, false],
    [{}, false],
  ])('committed when every shard checkpoint reaches its span (%j → %s)', (checkpoints: Record<string, string>, committed) => {
    expect(isCommitted(deliveryRangeOf(batch), (shardId) => checkpoints[shardId])).toBe(committed);
  });

  test('sequence numbers compare as numbers, beyond a double', () => {
    expect(sequenceAfter(A2, A1)).toBe(true);
    expect(sequenceAfter(A1, A2)).toBe(false);
    expect(sequenceAfter(A1, A1)).toBe(false);
  });
});
