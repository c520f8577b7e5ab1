import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CallBudget, collectSnapshot, FileLedgerStore, KinesisProducer, parseManifest, replaySnapshot, VendorSimulator } from '@ingest-lake/collector';
import { LakeCatalog, LocalStack, reconcileLake, REPO_PATHS } from '@ingest-lake/local';
import { appMarket } from '@ingest-lake/shared';
import manifestJson from '../../collector-ec2/manifests/app_market.local.json';

/** A snapshot collected once and replayed twice from raw/ is counted once by the curated views. */
describe('dedup: replays and retries count once', () => {
  let directory: string;
  let stack: LocalStack;
  let simulator: VendorSimulator;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'replay-dedup-'));
    stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle });
    await stack.start();
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: '2026-11-20', dataRows: 12_000, apiRecords: 500, apiKey: 'k', cacheDir: path.join(os.tmpdir(), 'ingest-lake-vendor-cache') });
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  });

  test('collect once, replay twice: 3 copies of each row curated, the view counts 12,000, the lake reconciles', async () => {
    const manifest = parseManifest({ ...manifestJson, vendor: { ...manifestJson.vendor, baseUrl: simulator.baseUrl } }, 'test');
    const producer = () => new KinesisProducer(stack.kinesis.client(), { streamName: stack.endpoints.vendorStream });
    const common = { manifest, snapshot: '2026-11-20', s3: stack.s3.client(), lakeBucket: stack.endpoints.bucket, workDir: path.join(directory, 'work') };
    const report = await collectSnapshot({ ...common, budget: new CallBudget(new FileLedgerStore(path.join(directory, 'ledger.json')), manifest.quota), apiKey: 'k', producer: producer() });
    expect(report.reconciled).toBe(true);
    const callsAfterCollect = simulator.callsReceived;
    for (let i = 0; i < 2; i++) expect(await replaySnapshot({ ...common, producer: producer() })).toMatchObject({ rowsSent: 12_000 });
    expect(simulator.callsReceived).toBe(callsAfterCollect);
    await stack.drain();
    const catalog = await LakeCatalog.open(path.join(directory, 'cache'));
    try {
      await catalog.sync(stack.s3.client(), stack.endpoints.bucket);
      await catalog.refresh();
      expect(await catalog.query('SELECT count(*) AS n FROM app_market_daily')).toEqual([{ n: String(3 * 12_000 + 500) }]);
      expect(await catalog.query('SELECT count(*) AS n FROM app_market_daily_deduplicated')).toEqual([{ n: '12000' }]);
      const lake = await reconcileLake(stack.s3.client(), stack.endpoints.bucket, catalog);
      expect(lake).toMatchObject({ reconciled: true, recordsIn: 36_500, duplicatesRemoved: { app_market_daily: 24_500 } });
    } finally {
      catalog.close();
    }
  });
});
