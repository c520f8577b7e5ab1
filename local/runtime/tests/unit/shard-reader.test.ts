import { filledAPage, type ShardRecord } from '../../src/shard-reader';

const read = (...shards: string[]): ShardRecord[] => shards.map((shardId, i) => ({ shardId, record: { SequenceNumber: String(i), PartitionKey: 'k', Data: new Uint8Array() } }));

describe('filledAPage: whether a poll left a backlog to read on at once', () => {
  test.each([
    ['nothing read', read(), 3, false],
    ['fewer than a page on every shard', read('a', 'a', 'b', 'b'), 3, false],
    ['a full page on one shard', read('a', 'b', 'b', 'b'), 3, true],
    ['a page of one', read('a'), 1, true],
  ])('%s', (_case, records, limitPerShard, expected) => {
    expect(filledAPage(records, limitPerShard)).toBe(expected);
  });
});
