import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KinesisEmulator } from '@ingest-lake/local-emulators';
import { decideScaling } from '../../src/scaling-decision';
import { readStreamLoad } from '../../src/stream-load-reader';

describe('readStreamLoad: shard count from kinesalite, metrics from CloudWatch (faked: it has no emulator)', () => {
  const kinesis = new KinesisEmulator();
  beforeAll(async () => {
    await kinesis.start();
    await kinesis.createStream('scaled', 3);
  });
  afterAll(() => kinesis.stop());

  test('peak per-second rates come from the busiest minute; the open shard count from the stream', async () => {
    const cloudwatch = {
      send: async () => ({
        MetricDataResults: [
          { Id: 'bytes', Values: [60 * 1_048_576, 150 * 1_048_576, 30 * 1_048_576] },
          { Id: 'records', Values: [6_000, 9_000] },
          { Id: 'throttled', Values: [0, 0] },
        ],
      }),
    } as unknown as CloudWatchClient;
    const load = await readStreamLoad(kinesis.client(), cloudwatch, 'scaled', 0);
    expect(load).toEqual({ openShards: 3, peakBytesPerSecond: 2.5 * 1_048_576, peakRecordsPerSecond: 150, throttledWrites: 0, updatesInLast24Hours: 0 });
    expect(decideScaling(load)).toMatchObject({ action: 'update', targetShards: 5 });
  });
});
