import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { KinesisProducer, ProducerStalledError } from '../../src/produce/kinesis-producer';

/** A fake Kinesis that refuses chosen records on their first attempts, like a throttled shard. */
function fakeKinesis(decide: (data: string, attempt: number) => 'ok' | 'throttle' | 'internal') {
  const attempts = new Map<string, number>();
  const calls: Array<{ records: number; bytes: number }> = [];
  const accepted: string[] = [];
  const client = {
    send: async (command: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
      const records = command.input.Records!;
      calls.push({ records: records.length, bytes: records.reduce((sum, r) => sum + r.Data!.length + r.PartitionKey!.length, 0) });
      let failed = 0;
      const results = records.map((record) => {
        const data = Buffer.from(record.Data!).toString();
        const attempt = (attempts.get(data) ?? 0) + 1;
        attempts.set(data, attempt);
        const outcome = decide(data, attempt);
        if (outcome === 'ok') {
          accepted.push(data);
          return { SequenceNumber: String(accepted.length), ShardId: 'shardId-000000000000' };
        }
        failed++;
        return { ErrorCode: outcome === 'throttle' ? 'ProvisionedThroughputExceededException' : 'InternalFailure', ErrorMessage: 'x' };
      });
      return { FailedRecordCount: failed, Records: results, $metadata: {} };
    },
  } as unknown as KinesisClient;
  return { client, calls, accepted, attempts };
}

const fastBackoff = { baseDelayMs: 1, maxDelayMs: 5 };

describe('KinesisProducer', () => {
  test('retries exactly the records a response marks failed, until each is accepted once', async () => {
    const kinesis = fakeKinesis((data, attempt) => (Number(data) % 3 === 0 && attempt < 3 ? 'throttle' : Number(data) % 7 === 0 && attempt < 2 ? 'internal' : 'ok'));
    const producer = new KinesisProducer(kinesis.client, { streamName: 's', backoff: fastBackoff });
    let acknowledged = 0;
    for (let i = 0; i < 2_000; i++) producer.put({ data: Buffer.from(String(i)), partitionKey: `k${i}`, onAcknowledged: () => acknowledged++ });
    await producer.flush();
    expect(acknowledged).toBe(2_000);
    expect(new Set(kinesis.accepted).size).toBe(2_000);
    expect(kinesis.accepted).toHaveLength(2_000);
    expect(producer.stats.throttledRecords).toBeGreaterThan(0);
    const totalAttempts = [...kinesis.attempts.values()].reduce((a, b) => a + b, 0);
    expect(producer.stats.recordsRetried).toBe(totalAttempts - 2_000);
  });

  test('every call stays within 500 records and 5 MiB', async () => {
    const kinesis = fakeKinesis(() => 'ok');
    const producer = new KinesisProducer(kinesis.client, { streamName: 's' });
    const big = Buffer.alloc(400_000, 1);
    for (let i = 0; i < 40; i++) producer.put({ data: big, partitionKey: `p${i}` });
    for (let i = 0; i < 1_200; i++) producer.put({ data: Buffer.from('x'), partitionKey: `q${i}` });
    await producer.flush();
    expect(kinesis.calls.every((c) => c.records <= 500 && c.bytes <= 5 * 1_048_576)).toBe(true);
    expect(kinesis.calls.reduce((n, c) => n + c.records, 0)).toBe(1_240);
  });

  test('a record larger than 1 MiB is refused at put time', () => {
    const producer = new KinesisProducer(fakeKinesis(() => 'ok').client, { streamName: 's' });
    expect(() => producer.put({ data: Buffer.alloc(1_048_577), partitionKey: 'k' })).toThrow('exceeds');
  });

  test('a stream that never accepts anything fails the run after maxStallMs instead of hanging', async () => {
    const producer = new KinesisProducer(fakeKinesis(() => 'throttle').client, { streamName: 's', maxStallMs: 50, backoff: fastBackoff });
    producer.put({ data: Buffer.from('a'), partitionKey: 'k' });
    await expect(producer.flush()).rejects.toThrow(ProducerStalledError);
  });

  test('drain() applies back-pressure at the high-water mark', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const client = {
      send: async (command: PutRecordsCommand) => {
        await gate;
        return { FailedRecordCount: 0, Records: command.input.Records!.map(() => ({ SequenceNumber: '1', ShardId: 's' })), $metadata: {} };
      },
    } as unknown as KinesisClient;
    const producer = new KinesisProducer(client, { streamName: 's', highWaterMarkRecords: 100, maxInFlightCalls: 1 });
    for (let i = 0; i < 700; i++) producer.put({ data: Buffer.from('x'), partitionKey: 'k' });
    let drained = false;
    const draining = producer.drain().then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    release();
    await draining;
    await producer.flush();
    expect(producer.stats.recordsAcknowledged).toBe(700);
  });
});
