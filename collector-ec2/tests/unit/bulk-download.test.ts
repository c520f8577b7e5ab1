import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { appMarket } from '@ingest-lake/shared';
import { CallBudget } from '../../src/budget/call-budget';
import { FileLedgerStore } from '../../src/budget/ledger-store';
import { downloadBulkFile } from '../../src/bulk/bulk-download';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { VendorClient } from '../../src/vendor/vendor-client';

describe('downloadBulkFile resume edge cases (vendor simulator)', () => {
  let directory: string;
  let simulator: VendorSimulator;
  let client: VendorClient;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'download-'));
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: '2026-11-20', dataRows: 2_000, apiKey: 'k', cacheDir: path.join(os.tmpdir(), 'ingest-lake-vendor-cache') });
    const baseUrl = await simulator.start();
    const budget = new CallBudget(new FileLedgerStore(path.join(directory, 'ledger.json')), { callsPerPeriod: 100, period: 'month' });
    client = new VendorClient({ baseUrl, authHeader: 'X-Api-Key', apiKey: 'k', budget, runId: 'r', timeoutMs: 5_000, maxAttempts: 2, backoff: { baseDelayMs: 1, maxDelayMs: 5 } });
  });
  afterAll(async () => {
    await simulator.stop();
    await rm(directory, { recursive: true, force: true });
  });

  const target = `/bulk/v1/app_market/${appMarket.dataFile.file}`;

  test('a part that is already whole (killed before the rename) is verified and kept: the vendor answers 416', async () => {
    const destination = path.join(directory, 'whole.csv.gz');
    const original = await readFile(simulator.fileInfo(appMarket.dataFile.file)!.path);
    await writeFile(`${destination}.part`, original);
    const result = await downloadBulkFile({ client, target, destination, checksumHeader: 'x-content-sha256', maxResumes: 2 });
    expect(result).toMatchObject({ bytes: original.length, sha256: simulator.fileInfo(appMarket.dataFile.file)!.sha256 });
    expect(Buffer.compare(await readFile(destination), original)).toBe(0);
  });

  test('a file already renamed into place (killed before the checkpoint recorded it) is verified, not fetched again', async () => {
    const destination = path.join(directory, 'renamed.csv.gz');
    const original = await readFile(simulator.fileInfo(appMarket.dataFile.file)!.path);
    await writeFile(destination, original);
    const servedBefore = simulator.bytesServed.get(appMarket.dataFile.file) ?? 0;
    const result = await downloadBulkFile({ client, target, destination, checksumHeader: 'x-content-sha256', maxResumes: 2 });
    expect(result).toMatchObject({ bytes: original.length, sha256: simulator.fileInfo(appMarket.dataFile.file)!.sha256 });
    expect(Buffer.compare(await readFile(destination), original)).toBe(0);
    expect(simulator.bytesServed.get(appMarket.dataFile.file) ?? 0).toBe(servedBefore);
  });

  test.each([
    ['a foreign part shorter than the file (resumed, then fails verification)', () => gzipSync(Buffer.alloc(2_000_000, 65))],
    ['a foreign part longer than the file (416, then fails verification)', () => randomBytes(2_000_000)],
  ])('%s is discarded and the file fetched again', async (_label, part) => {
    const destination = path.join(directory, `other-${part().length}.csv.gz`);
    await writeFile(`${destination}.part`, part());
    const result = await downloadBulkFile({ client, target, destination, checksumHeader: 'x-content-sha256', maxResumes: 2 });
    expect(result.sha256).toBe(simulator.fileInfo(appMarket.dataFile.file)!.sha256);
  });
});
