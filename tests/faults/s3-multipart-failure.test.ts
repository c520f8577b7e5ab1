import { HeadObjectCommand } from '@aws-sdk/client-s3';
import os from 'node:os';
import path from 'node:path';
import { CallBudget, collectSnapshot, FileLedgerStore, KinesisProducer, parseManifest } from '@ingest-lake/collector-ec2';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { HttpFaultProxy, KinesisEmulator, S3_INTERNAL_ERROR, S3Emulator, s3ClientFor } from '@ingest-lake/local-emulators';
import { appMarket } from '@ingest-lake/shared';
import { appMarketLocalManifest } from '@ingest-lake/collector-ec2/manifests';
import { EmulatorPair } from '../support/emulator-pair';

/**
 * S3 keeps failing the second part of the data file's multipart upload (beyond the SDK's own
 * retries): the run stops with nothing half-archived, and the next run archives the file whole,
 * without downloading it again, and reconciles.
 */
describe('fault: S3 fails uploads mid-multipart', () => {
  const emulators = new EmulatorPair('fault-s3-', { name: 's3-fault', shards: 1 });
  let kinesis: KinesisEmulator;
  let directory: string;
  let s3: S3Emulator;
  let proxy: HttpFaultProxy;
  let simulator: VendorSimulator;

  beforeAll(async () => {
    ({ kinesis, s3, directory } = await emulators.start());
    proxy = new HttpFaultProxy(s3.endpoint, [
      {
        matches: (method, url) => method === 'PUT' && url.includes('app_market_daily.csv.gz') && url.includes('partNumber=2'),
        times: 3, // the SDK's default attempts: the first run fails for good, the next one passes
        status: 500,
        body: S3_INTERNAL_ERROR,
      },
    ]);
    await proxy.start();
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: '2026-11-20', dataRows: 150_000, apiRecords: 100, apiKey: 'k', cacheDir: path.join(os.tmpdir(), 'ingest-lake-vendor-cache') });
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
    await proxy.stop();
    await emulators.stop();
  });

  test('the failed run archives nothing partial; the resumed run archives the file whole and reconciles', async () => {
    const manifest = parseManifest({ ...appMarketLocalManifest, vendor: { ...appMarketLocalManifest.vendor, baseUrl: simulator.baseUrl } }, 'test');
    const options = {
      manifest,
      snapshot: '2026-11-20',
      workDir: path.join(directory, 'work'),
      s3: s3ClientFor(proxy.endpoint),
      lakeBucket: 'lake',
      budget: new CallBudget(new FileLedgerStore(path.join(directory, 'ledger.json')), manifest.quota),
      apiKey: 'k',
      producer: new KinesisProducer(kinesis.client(), { streamName: 's3-fault' }),
      archivePartSizeBytes: 5 * 1024 * 1024,
    };
    const key = `raw/app_market/snapshot=2026-11-20/${appMarket.dataFile.file}`;
    await expect(collectSnapshot(options)).rejects.toThrow();
    expect(proxy.stats.failed).toBeGreaterThan(0);
    await expect(s3.client().send(new HeadObjectCommand({ Bucket: 'lake', Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });

    const downloadsBefore = simulator.callsByTarget.get(appMarket.dataFile.file);
    const report = await collectSnapshot(options);
    expect(report.reconciled).toBe(true);
    expect(simulator.callsByTarget.get(appMarket.dataFile.file)).toBe(downloadsBefore);
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: 'lake', Key: key }));
    expect(head.Metadata?.sha256).toBe(simulator.fileInfo(appMarket.dataFile.file)!.sha256);
    expect(head.ContentLength).toBe(simulator.fileInfo(appMarket.dataFile.file)!.bytes);
  });
});
