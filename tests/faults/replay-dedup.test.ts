import os from 'node:os';
import path from 'node:path';
import { CallBudget, collectSnapshot, FileLedgerStore, KinesisProducer, parseManifest, replaySnapshot } from '@ingest-lake/collector-ec2';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { reconcileLake, type LocalStack } from '@ingest-lake/local-runtime';
import { appMarket } from '@ingest-lake/shared';
import { appMarketLocalManifest } from '@ingest-lake/collector-ec2/manifests';
import { TemporaryStack } from '../support/temporary-stack';

/** A snapshot collected once and replayed twice from raw/ is counted once by the curated views. */
describe('dedup: replays and retries count once', () => {
  const temporary = new TemporaryStack('replay-dedup-');
  let stack: LocalStack;
  let simulator: VendorSimulator;

  beforeAll(async () => {
    stack = await temporary.start();
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: '2026-11-20', dataRows: 12_000, apiRecords: 500, apiKey: 'k', cacheDir: path.join(os.tmpdir(), 'ingest-lake-vendor-cache') });
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
    await temporary.stop();
  });

  test('collect once, replay twice: 3 copies of each row curated, the view counts 12,000, the lake reconciles', async () => {
    const manifest = parseManifest({ ...appMarketLocalManifest, vendor: { ...appMarketLocalManifest.vendor, baseUrl: simulator.baseUrl } }, 'test');
    const producer = () => new KinesisProducer(stack.kinesis.client(), { streamName: stack.endpoints.vendorStream });
    const common = { manifest, snapshot: '2026-11-20', s3: stack.s3.client(), lakeBucket: stack.endpoints.bucket, workDir: path.join(temporary.directory, 'work') };
    const report = await collectSnapshot({ ...common, budget: new CallBudget(new FileLedgerStore(path.join(temporary.directory, 'ledger.json')), manifest.quota), apiKey: 'k', producer: producer() });
    expect(report.reconciled).toBe(true);
    const callsAfterCollect = simulator.callsReceived;
    for (let i = 0; i < 2; i++) expect(await replaySnapshot({ ...common, producer: producer() })).toMatchObject({ rowsSent: 12_000 });
    expect(simulator.callsReceived).toBe(callsAfterCollect);
    await stack.drain();
    await temporary.withLake(async (catalog) => {
      expect(await catalog.query('SELECT count(*) AS n FROM app_market_daily')).toEqual([{ n: String(3 * 12_000 + 500) }]);
      expect(await catalog.query('SELECT count(*) AS n FROM app_market_daily_deduplicated')).toEqual([{ n: '12000' }]);
      const lake = await reconcileLake(stack.s3.client(), stack.endpoints.bucket, catalog);
      expect(lake).toMatchObject({ reconciled: true, recordsIn: 36_500, duplicatesRemoved: { app_market_daily: 24_500 } });
    });
  });
});
