/**
 * End to end, a bulk snapshot from the end of its data file's download to every good row being
 * queryable in the local lake (DuckDB over the synced lake, as `local query` reads it), for both
 * deliveries of the data file (decision 0018): `stream` (Kinesis → Firehose runner → transform →
 * Parquet) and `direct` (the collector writes the Parquet parts itself). Each path gets a fresh local
 * stack and runs the collector CLI bundle (`--no-api`: the data file and its 12 metadata files); the
 * Firehose runners keep their own buffering schedule. Prints each path's figures and the ratio of
 * "collector start → queryable" to the collector's own run time, and to the streaming collector's.
 * Run: npm run build && npx tsx tests/bench/e2e/bulk-to-query-bench.ts [rows] [paths, default direct,stream]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { LakeCatalog, LocalStack, REPO_PATHS } from '@ingest-lake/local-runtime';
import { appMarket, type BulkDelivery } from '@ingest-lake/shared';
import { printTable, round } from '../support/measure';

const rows = Number(process.argv[2] ?? 2_000_000);
const paths = (process.argv[3] ?? 'direct,stream').split(',') as BulkDelivery[];
const SNAPSHOT = '2026-11-20';
const DATA_FILE = appMarket.dataFile.file;

interface PathResult {
  path: BulkDelivery;
  /** Collector process start → exit. */
  collectorSeconds: number;
  /** Collector start → the data file's last byte served. */
  downloadEndSeconds: number;
  /** Collector start → every row of the file counted in app_market_daily. */
  queryableSeconds: number;
  /** The collector's peak RSS (VmHWM), MiB. */
  peakRssMiB: number;
  rowsInLake: number;
}

/** The peak resident set of a running process, MiB (0 once it is gone). */
function peakRssMiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function runPath(delivery: BulkDelivery, simulator: VendorSimulator, fileBytes: number): Promise<PathResult> {
  const directory = await mkdtemp(path.join(os.tmpdir(), `bulk-to-query-${delivery}-`));
  const stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle });
  const endpoints = await stack.start();
  const catalog = await LakeCatalog.open(path.join(directory, 'lake-cache'));
  try {
    const local = JSON.parse(await readFile(REPO_PATHS.collectorManifest, 'utf8')) as { bulk: Record<string, unknown> };
    const manifest = path.join(directory, `app_market.${delivery}.json`);
    await writeFile(manifest, JSON.stringify({ ...local, bulk: { ...local.bulk, dataFileDelivery: delivery } }));
    simulator.bytesServed.clear();
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const child = spawn(
      process.execPath,
      [
        REPO_PATHS.collectorBundle, 'collect', '--manifest', manifest, '--snapshot', SNAPSHOT, '--no-api',
        '--work-dir', path.join(directory, 'work'), '--lake-bucket', endpoints.bucket, '--stream', endpoints.vendorStream,
        '--vendor-url', simulator.baseUrl, '--ledger', `file:${path.join(directory, 'ledger.json')}`,
        '--kinesis-endpoint', endpoints.kinesis, '--s3-endpoint', endpoints.s3, '--progress', 'json',
      ],
      { env: { PATH: process.env.PATH, VENDOR_API_KEY: 'k' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let downloadEndSeconds = Number.NaN;
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, peakRssMiB(child.pid!));
      if (Number.isNaN(downloadEndSeconds) && (simulator.bytesServed.get(DATA_FILE) ?? 0) >= fileBytes) downloadEndSeconds = seconds();
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const collectorSeconds = seconds();
    clearInterval(watch);
    if (code !== 0) throw new Error(`collector (${delivery}) exited ${code}: ${stdout.slice(-2_000)}`);
    const report = (JSON.parse(stdout.split('\n').find((line) => line.startsWith('{"report"'))!) as { report: { files: Array<{ file: string; rowsSent: number }> } }).report;
    const expected = report.files.find((f) => f.file === DATA_FILE)!.rowsSent;
    // Poll the lake as `local query` reads it until the file's rows are all there.
    let rowsInLake = 0;
    for (;;) {
      await catalog.sync(stack.s3.client(), endpoints.bucket, ['curated/']);
      await catalog.refresh();
      rowsInLake = Number((await catalog.query('SELECT count(*) AS n FROM app_market_daily'))[0]!.n);
      if (rowsInLake >= expected) break;
      if (seconds() > 1_800) throw new Error(`${delivery}: ${rowsInLake} of ${expected} rows queryable after 30 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return { path: delivery, collectorSeconds, downloadEndSeconds, queryableSeconds: seconds(), peakRssMiB: peak, rowsInLake };
  } finally {
    catalog.close();
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const simulator = new VendorSimulator({ dataset: appMarket, snapshot: SNAPSHOT, dataRows: rows, apiRecords: 0, apiKey: 'k', cacheDir: path.resolve(__dirname, '../.cache') });
  await simulator.start();
  const fileBytes = simulator.fileInfo(DATA_FILE)!.bytes;
  const loadBefore = os.loadavg();
  const results: PathResult[] = [];
  try {
    for (const delivery of paths) {
      results.push(await runPath(delivery, simulator, fileBytes));
      console.log(JSON.stringify(results.at(-1)));
    }
  } finally {
    await simulator.stop();
  }
  const loadAfter = os.loadavg();
  const streamCollector = results.find((r) => r.path === 'stream')?.collectorSeconds;
  printTable(`${rows.toLocaleString('en')}-row data file + 12 metadata files, download end → queryable (local stack; ${os.cpus().length} cores, load average ${round(loadBefore[0]!, 1)} → ${round(loadAfter[0]!, 1)})`, results.map((r) => ({
    path: r.path,
    'collector run s': round(r.collectorSeconds, 1),
    'download end s': round(r.downloadEndSeconds, 1),
    'download end → queryable s': round(r.queryableSeconds - r.downloadEndSeconds, 1),
    'start → queryable s': round(r.queryableSeconds, 1),
    '÷ own collector run': round(r.queryableSeconds / r.collectorSeconds, 2),
    ...(streamCollector ? { '÷ streaming collector run': round(r.queryableSeconds / streamCollector, 2) } : {}),
    'rows/s (download end → queryable)': Math.round(r.rowsInLake / (r.queryableSeconds - r.downloadEndSeconds)),
    'collector peak RSS MiB': Math.round(r.peakRssMiB),
  })));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
