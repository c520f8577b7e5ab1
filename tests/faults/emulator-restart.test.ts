import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import path from 'node:path';
import type { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { changeDeliveryStream, DuckDbSession, FirehoseRunner, LakeCatalog, loadLocalDeployment, REPO_PATHS, reconcileLake, TransformInvoker } from '@ingest-lake/local-runtime';
import { EmulatorPair } from '../support/emulator-pair';

const BATCHES = 6;
const PER_BATCH = 100;
const RECORDS = BATCHES * PER_BATCH;

/**
 * Each emulator is restarted while the Firehose runner delivers: kinesalite over its LevelDB folder
 * (streams, records and sequence numbers survive, the runner's iterators stay valid), s3rver over its
 * folder. The runner retries its reads and its delivery through each outage; the lake ends with each
 * record once and reconciles.
 */
describe('fault: the Kinesis and S3 emulators restarted mid-run', () => {
  const emulators = new EmulatorPair('emulator-restart-', { name: 'restarted', shards: 2 }, { kinesisOnDisk: true });
  let directory: string;
  let kinesis: KinesisEmulator;
  let s3: S3Emulator;
  let duckdb: DuckDbSession;

  beforeAll(async () => {
    ({ kinesis, s3, directory } = await emulators.start());
    duckdb = await DuckDbSession.open();
  });
  afterAll(async () => {
    duckdb.close();
    await emulators.stop();
  });

  async function streamRecordCount(client: KinesisClient): Promise<number> {
    let count = 0;
    for (const shard of (await client.send(new ListShardsCommand({ StreamName: 'restarted' }))).Shards ?? []) {
      const start = await client.send(new GetShardIteratorCommand({ StreamName: 'restarted', ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      count += (await client.send(new GetRecordsCommand({ ShardIterator: start.ShardIterator!, Limit: 10_000 }))).Records?.length ?? 0;
    }
    return count;
  }

  test('kinesalite restarted after a third of the records, s3rver after two thirds: every record curated once, reconciled', async () => {
    const invoker = new TransformInvoker({ bundlePath: REPO_PATHS.transformBundle, functionName: 'restart-fn', environment: { DATASETS: 'events' }, timeoutMs: 60_000 });
    const runner = new FirehoseRunner({
      delivery: changeDeliveryStream(loadLocalDeployment().streams[0]!, { deliveryStreamName: 'restarted', sourceStreamName: 'restarted', bucketName: 'lake', bufferIntervalMs: 0 }),
      kinesis: kinesis.client(),
      s3: s3.client(),
      duckdb,
      invoker,
      checkpointFile: path.join(directory, 'firehose', 'checkpoint.json'),
      pollIntervalMs: 50,
      retryDelayMs: 50,
    });
    const producer = kinesis.client({ maxAttempts: 10 });
    await runner.start();
    try {
      for (let batch = 0; batch < BATCHES; batch++) {
        await producer.send(
          new PutRecordsCommand({
            StreamName: 'restarted',
            Records: Array.from({ length: PER_BATCH }, (_, i) => ({ PartitionKey: `k${batch}-${i}`, Data: Buffer.from(`${JSON.stringify({ type: 'restart', n: batch * PER_BATCH + i })}\n`) })),
          }),
        );
        // Let the runner deliver some of it, then cut the emulator under it.
        for (let i = 0; i < 100 && runner.counters.kinesisRecords < (batch + 1) * PER_BATCH; i++) await new Promise((resolve) => setTimeout(resolve, 50));
        if (batch === 1) await kinesis.restart();
        if (batch === 3) await s3.restart();
      }
      // The stream kept every record across its restart.
      expect(await streamRecordCount(producer)).toBe(RECORDS);
      for (let i = 0; i < 300 && (runner.counters.curatedRows.events ?? 0) < RECORDS; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await runner.stop();
      await invoker.stop();
      producer.destroy();
    }
    expect(runner.counters.curatedRows).toEqual({ events: RECORDS });
    const catalog = await LakeCatalog.open(path.join(directory, 'cache'));
    try {
      await catalog.sync(s3.client(), 'lake');
      await catalog.refresh();
      expect(await catalog.query('SELECT count(*) AS n, count(DISTINCT _dedup_key) AS keys FROM events')).toEqual([{ n: String(RECORDS), keys: String(RECORDS) }]);
      expect(await reconcileLake(s3.client(), 'lake', catalog, { sent: { httpRequests: 0, collectorRows: 0, otherProducers: RECORDS } })).toMatchObject({ reconciled: true, unexplained: 0 });
    } finally {
      catalog.close();
    }
  }, 60_000);
});
