import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import path from 'node:path';
import { HttpFaultProxy, KinesisEmulator, S3_INTERNAL_ERROR, S3Emulator, s3ClientFor } from '@ingest-lake/local-emulators';
import { changeDeliveryStream, DuckDbSession, FirehoseRunner, LakeCatalog, loadLocalDeployment, REPO_PATHS, reconcileLake, TransformInvoker } from '@ingest-lake/local-runtime';
import { EmulatorPair } from '../support/emulator-pair';

/**
 * S3 refuses the curated Parquet write (after the backup was written) several times in a row: the
 * runner keeps the batch, checkpoints nothing, retries, and the lake ends with each record once.
 */
describe('fault: the Firehose runner cannot write to S3 for a while', () => {
  const emulators = new EmulatorPair('fault-delivery-', { name: 'retry', shards: 2 });
  let kinesis: KinesisEmulator;
  let directory: string;
  let s3: S3Emulator;
  let proxy: HttpFaultProxy;
  let duckdb: DuckDbSession;

  beforeAll(async () => {
    ({ kinesis, s3, directory } = await emulators.start());
    proxy = new HttpFaultProxy(s3.endpoint, [
      { matches: (method, url) => method === 'PUT' && url.includes('/curated/'), times: 9, status: 500, body: S3_INTERNAL_ERROR },
    ]);
    await proxy.start();
    duckdb = await DuckDbSession.open();
  });
  afterAll(async () => {
    duckdb.close();
    await proxy.stop();
    await emulators.stop();
  });

  test('the runner retries until S3 accepts; every record is curated once and the counts reconcile', async () => {
    const client = kinesis.client();
    for (let i = 0; i < 200; i++) {
      await client.send(new PutRecordCommand({ StreamName: 'retry', PartitionKey: `k${i}`, Data: Buffer.from(`${JSON.stringify({ type: 'retry', i })}\n`) }));
    }
    const invoker = new TransformInvoker({ bundlePath: REPO_PATHS.transformBundle, functionName: 'retry-fn', environment: { DATASETS: 'events' }, timeoutMs: 60_000 });
    const runner = new FirehoseRunner({
      delivery: changeDeliveryStream(loadLocalDeployment().streams[0]!, { deliveryStreamName: 'retry', sourceStreamName: 'retry', bucketName: 'lake', bufferIntervalMs: 0 }),
      kinesis: kinesis.client(),
      s3: s3ClientFor(proxy.endpoint),
      duckdb,
      invoker,
      checkpointFile: path.join(directory, 'retry.checkpoint.json'),
      pollIntervalMs: 50,
    });
    await runner.start();
    for (let i = 0; i < 200 && (runner.counters.curatedRows.events ?? 0) < 200; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    await runner.stop();
    await invoker.stop();
    expect(proxy.stats.failed).toBe(9);
    expect(runner.counters.deliveryRetries).toBeGreaterThan(0);
    expect(runner.counters.curatedRows).toEqual({ events: 200 });
    const catalog = await LakeCatalog.open(path.join(directory, 'cache'));
    try {
      await catalog.sync(s3.client(), 'lake');
      await catalog.refresh();
      expect(await catalog.query('SELECT count(*) AS n, count(DISTINCT _dedup_key) AS keys FROM events')).toEqual([{ n: '200', keys: '200' }]);
      expect(await reconcileLake(s3.client(), 'lake', catalog, { sent: { httpRequests: 0, collectorRows: 0, otherProducers: 200 } })).toMatchObject({ reconciled: true, unexplained: 0 });
    } finally {
      catalog.close();
    }
    client.destroy();
  });
});
