import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunReport } from '@ingest-lake/collector-ec2';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { LocalStack, REPO_PATHS, type LakeReconciliation } from '@ingest-lake/local-runtime';
import { appMarket, directBulkPartKey } from '@ingest-lake/shared';

const execFileAsync = promisify(execFile);
const LOCAL_CLI = path.join(REPO_PATHS.root, 'local/runtime/src/cli.ts');
const SNAPSHOT = '2026-11-20';
const DATA_ROWS = 12_000;
const INVALID_EVERY = 97;
const API_RECORDS = 300;
const GOOD_ROWS = DATA_ROWS - Math.floor(DATA_ROWS / INVALID_EVERY);
const API_GOOD = API_RECORDS - Math.floor(API_RECORDS / INVALID_EVERY);

/**
 * The direct bulk path on the local stack (decision 0018): the collector CLI bundle, with the data
 * file's delivery set to `direct` in its manifest, writes the data file's rows as curated Parquet
 * parts while the JSON API's records go through Kinesis → Firehose → transform; then the `local` CLI
 * reconciles the lake and its DuckDB catalog answers with every good row once.
 */
describe('direct bulk path on the local stack: `local reconcile` passes and `local query` returns the rows', () => {
  let directory: string;
  let report: RunReport;

  const local = async (...args: string[]) =>
    execFileAsync(process.execPath, ['--import', 'tsx', LOCAL_CLI, '--data-dir', directory, ...args], { cwd: REPO_PATHS.root, env: { ...process.env, NODE_NO_WARNINGS: '1' } }).catch(
      (error: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '', code: error.code }),
    );
  const queryJson = async (sql: string) =>
    (await local('query', '--json', sql)).stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, string>);

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'direct-bulk-lake-'));
    const stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle });
    const simulator = new VendorSimulator({ dataset: appMarket, snapshot: SNAPSHOT, dataRows: DATA_ROWS, invalidRowEvery: INVALID_EVERY, apiRecords: API_RECORDS, apiKey: 'k', cacheDir: path.join(os.tmpdir(), 'ingest-lake-vendor-cache') });
    const endpoints = await stack.start();
    const vendorUrl = await simulator.start();
    try {
      const manifestJson = JSON.parse(await readFile(REPO_PATHS.collectorManifest, 'utf8')) as { bulk: Record<string, unknown> };
      const manifest = path.join(directory, 'app_market.direct.json');
      await writeFile(manifest, JSON.stringify({ ...manifestJson, bulk: { ...manifestJson.bulk, dataFileDelivery: 'direct' } }));
      const args = ['collect', '--manifest', manifest, '--snapshot', SNAPSHOT, '--work-dir', path.join(directory, 'work'), '--lake-bucket', endpoints.bucket, '--stream', endpoints.vendorStream];
      args.push('--vendor-url', vendorUrl, '--ledger', `file:${path.join(directory, 'ledger.json')}`, '--kinesis-endpoint', endpoints.kinesis, '--s3-endpoint', endpoints.s3, '--progress', 'json', '--direct-part-rows', '5000');
      const collector = spawn(process.execPath, [REPO_PATHS.collectorBundle, ...args], { env: { PATH: process.env.PATH, VENDOR_API_KEY: 'k', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      collector.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => collector.on('close', resolve));
      expect(code).toBe(0);
      report = (JSON.parse(stdout.split('\n').find((line) => line.startsWith('{"report"'))!) as { report: RunReport }).report;
      await stack.drain();
    } finally {
      await simulator.stop();
      await stack.stop();
    }
  }, 180_000);
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('the run report: the data file written in parts, its bad rows quarantined, the API streamed', () => {
    const data = report.files.find((f) => f.file === appMarket.dataFile.file)!;
    expect(data).toMatchObject({ rowsRead: DATA_ROWS, rowsSent: GOOD_ROWS, rowsQuarantined: DATA_ROWS - GOOD_ROWS, reconciles: true });
    expect(data.direct!.rows).toBe(GOOD_ROWS);
    expect(data.direct!.keys[0]).toBe(directBulkPartKey(appMarket.dataFile.dataset.name, SNAPSHOT, SNAPSHOT, 1));
    expect(report.api).toMatchObject({ recordsSent: API_GOOD, done: true });
  });

  test('`local reconcile`: records in = curated + errors + drops, the direct rows counted from the report', async () => {
    const result = await local('reconcile');
    const reconciliation = JSON.parse(result.stdout) as LakeReconciliation;
    expect(reconciliation.problems).toEqual([]);
    expect(reconciliation).toMatchObject({ reconciled: true, unexplained: 0, directRows: { app_market_daily: GOOD_ROWS } });
    expect(reconciliation.curatedRows.app_market_daily).toBe(GOOD_ROWS + API_GOOD);
    expect(reconciliation.collectorQuarantined).toEqual({ reported: DATA_ROWS - GOOD_ROWS + (API_RECORDS - API_GOOD), inLake: DATA_ROWS - GOOD_ROWS + (API_RECORDS - API_GOOD) });
  });

  test('`local query`: the table and its deduplicated view return every good row of the file once, beside the API records', async () => {
    const bySource = await queryJson(
      "SELECT split_part(_origin, ':', 1) AS source, count(*) AS n, count(DISTINCT _dedup_key) AS keys, min(CAST(dt AS VARCHAR)) AS dt FROM app_market_daily GROUP BY 1 ORDER BY 1",
    );
    expect(bySource).toEqual([
      { source: 'vendor-api', n: String(API_GOOD), keys: String(API_GOOD), dt: SNAPSHOT },
      { source: 'vendor-bulk', n: String(GOOD_ROWS), keys: String(GOOD_ROWS), dt: SNAPSHOT },
    ]);
    // The API serves the data file's first rows: the deduplicated view holds each key once.
    const [deduplicated] = await queryJson('SELECT count(*) AS n FROM app_market_daily_deduplicated');
    expect(Number(deduplicated!.n)).toBe(GOOD_ROWS);
    const [row] = await queryJson("SELECT app_name, CAST(revenue_usd AS VARCHAR) AS revenue_usd FROM app_market_daily WHERE _origin LIKE '%#2'");
    expect(row).toEqual({ app_name: expect.any(String), revenue_usd: expect.stringMatching(/^\d+\.\d{4}$/) });
  });
});
