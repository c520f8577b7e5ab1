import os from 'node:os';
import path from 'node:path';
import { CallBudget, collectSnapshot, FileLedgerStore, KinesisProducer, parseManifest } from '@ingest-lake/collector-ec2';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { kinesisClientFor, KinesisFaultProxy } from '@ingest-lake/local-emulators';
import { reconcileLake, type LocalStack } from '@ingest-lake/local-runtime';
import { appMarket } from '@ingest-lake/shared';
import { appMarketLocalManifest } from '@ingest-lake/collector-ec2/manifests';
import { FAULT_SIZES } from '../support/fault-profile';
import { TemporaryStack } from '../support/temporary-stack';

/**
 * Kinesis refuses a fifth of the entries of every PutRecords call and throttles one call in four
 * (through a proxy speaking the real wire protocol): the collector retries exactly what was
 * refused, and the whole pipeline reconciles with zero unexplained loss.
 */
describe('fault: Kinesis throttling and partial PutRecords failures', () => {
  const temporary = new TemporaryStack('fault-kinesis-');
  let stack: LocalStack;
  let proxy: KinesisFaultProxy;
  let simulator: VendorSimulator;

  beforeAll(async () => {
    stack = await temporary.start();
    proxy = new KinesisFaultProxy({ target: stack.endpoints.kinesis, failRecordFraction: 0.2, throttleCallFraction: 0.25, seed: 7 });
    await proxy.start();
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: '2026-11-20', dataRows: FAULT_SIZES.vendorRows, apiRecords: 1_000, apiKey: 'k', cacheDir: path.join(os.tmpdir(), 'ingest-lake-vendor-cache') });
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
    await proxy.stop();
    await temporary.stop();
  });

  test('every row is curated exactly once; refused entries were retried, never lost or doubled', async () => {
    const manifest = parseManifest({ ...appMarketLocalManifest, vendor: { ...appMarketLocalManifest.vendor, baseUrl: simulator.baseUrl }, kinesis: { streamName: stack.endpoints.vendorStream } }, 'test');
    const producer = new KinesisProducer(kinesisClientFor(proxy.endpoint, { maxAttempts: 1 }), { streamName: stack.endpoints.vendorStream, backoff: { baseDelayMs: 5, maxDelayMs: 50 } });
    const report = await collectSnapshot({
      manifest,
      snapshot: '2026-11-20',
      workDir: path.join(temporary.directory, 'work'),
      s3: stack.s3.client(),
      lakeBucket: stack.endpoints.bucket,
      budget: new CallBudget(new FileLedgerStore(path.join(temporary.directory, 'ledger.json')), manifest.quota),
      apiKey: 'k',
      producer,
    });
    expect(report.reconciled).toBe(true);
    expect(proxy.stats.recordsRefused).toBeGreaterThan(50);
    expect(proxy.stats.callsThrottled).toBeGreaterThan(0);
    expect(producer.stats.throttledRecords).toBe(proxy.stats.recordsRefused);

    await stack.drain();
    await temporary.withLake(async (catalog) => {
      const sent = report.files.find((f) => f.file === appMarket.dataFile.file)!.rowsSent + report.api!.recordsSent;
      const result = await reconcileLake(stack.s3.client(), stack.endpoints.bucket, catalog, { sent: { httpRequests: 0, collectorRows: sent, otherProducers: 0 } });
      expect(result).toMatchObject({ recordsIn: FAULT_SIZES.vendorRows + 1_000, curatedRows: { app_market_daily: FAULT_SIZES.vendorRows + 1_000, events: 0 }, unexplained: 0, reconciled: true });
      // The API pages repeat 1,000 bulk rows: the deduplicated view counts each key once.
      expect(await catalog.query('SELECT count(*) AS n FROM app_market_daily_deduplicated')).toEqual([{ n: String(FAULT_SIZES.vendorRows) }]);
    });
  });
});
