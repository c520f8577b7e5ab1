import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { appMarket } from '@ingest-lake/shared';
import { CallBudget } from '../../src/budget/call-budget';
import { FileLedgerStore } from '../../src/budget/ledger-store';
import { parseManifest, type CollectorManifest } from '../../src/config/manifest';
import { VendorSimulator, type VendorSimulatorOptions } from '@ingest-lake/vendor-simulator';
import { API_KEY, SIMULATOR_CACHE, SNAPSHOT, BUCKET } from '@ingest-lake/vendor-simulator/testing';
import manifestJson from '../../manifests/app_market.local.json';

export { API_KEY, BUCKET, SIMULATOR_CACHE, SNAPSHOT };

/** Emulators + simulator + a scratch folder, for one test file. */
export class CollectorFixture {
  readonly kinesis = new KinesisEmulator();
  s3!: S3Emulator;
  simulator!: VendorSimulator;
  directory!: string;
  manifest!: CollectorManifest;

  async start(simulatorOptions: Partial<VendorSimulatorOptions> = {}, quota = 1_000): Promise<void> {
    this.directory = await mkdtemp(path.join(os.tmpdir(), 'collector-test-'));
    this.s3 = new S3Emulator(path.join(this.directory, 's3'));
    this.simulator = new VendorSimulator({
      dataset: appMarket,
      snapshot: SNAPSHOT,
      dataRows: 20_000,
      apiRecords: 2_500,
      apiKey: API_KEY,
      cacheDir: SIMULATOR_CACHE,
      ...simulatorOptions,
    });
    const [vendorUrl] = await Promise.all([this.simulator.start(), this.kinesis.start(), this.s3.start()]);
    await this.s3.createBucket(BUCKET);
    this.manifest = parseManifest(
      { ...manifestJson, vendor: { ...manifestJson.vendor, baseUrl: vendorUrl }, quota: { callsPerPeriod: quota, period: 'month' } },
      'app_market.local.json (test)',
    );
  }

  async newStream(name: string, shards = 2): Promise<string> {
    await this.kinesis.createStream(name, shards);
    return name;
  }

  budget(file = 'ledger.json'): CallBudget {
    return new CallBudget(new FileLedgerStore(path.join(this.directory, file)), this.manifest.quota);
  }

  async stop(): Promise<void> {
    await Promise.all([this.simulator.stop(), this.kinesis.stop(), this.s3.stop()]);
    await rm(this.directory, { recursive: true, force: true });
  }
}
