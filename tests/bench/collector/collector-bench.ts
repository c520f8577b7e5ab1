/**
 * Collector parse benchmark: a generated ≥ 2 M-row app_market_daily.csv.gz goes through
 * gunzip → CSV parser → schema validation → pack encoding (no network), against
 * `zcat file > /dev/null` timed in the same run. Target (decision 0007): ≥ 0.7× zcat, bounded memory.
 * Run: npx tsx tests/bench/collector/collector-bench.ts [rows]
 */
import { execFileSync } from 'node:child_process';
import { parse as csvParse } from 'csv-parse';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appMarket } from '@ingest-lake/shared';
import type { ingestCsvFile } from '@ingest-lake/collector-ec2';
import { build } from 'esbuild';
import { NODE_BUNDLE_OPTIONS } from '../../../scripts/esbuild-node-options';
import { writeVendorFile } from '@ingest-lake/vendor-simulator';
import { printTable, round } from '../support/measure';

const rows = Number(process.argv[2] ?? 2_000_000);
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
const snapshot = '2026-11-20';
const cacheDir = path.resolve(__dirname, '../.cache');

async function main(): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `app_market_daily-${rows}.csv.gz`);
  if (!existsSync(file)) {
    console.log(`generating ${rows} rows → ${file}`);
    await writeVendorFile(file, appMarket.dataFile, { snapshot, dataRows: rows, isDataFile: true });
  }
  const compressedBytes = statSync(file).size;
  const uncompressedBytes = Number(execFileSync('sh', ['-c', `zcat '${file}' | wc -c`]).toString().trim());

  // zcat and our path run RUNS times each, alternating, and their medians are compared: single
  // runs on this 2-core machine vary by ±5 %.
  const zcatRuns: number[] = [];
  const zcatOnce = () => {
    const start = process.hrtime.bigint();
    execFileSync('sh', ['-c', `zcat '${file}' > /dev/null`]);
    zcatRuns.push(Number(process.hrtime.bigint() - start) / 1e9);
  };
  zcatOnce();

  // Reference points in the same process: Node's gunzip alone, and gunzip + csv-parse to arrays.
  const gunzipStart = process.hrtime.bigint();
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), createGunzip({ chunkSize: 262_144 }), new Writable({ write: (_c, _e, cb) => cb() }));
  const gunzipSeconds = Number(process.hrtime.bigint() - gunzipStart) / 1e9;
  const csvParseStart = process.hrtime.bigint();
  let csvParseRows = 0;
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    createGunzip({ chunkSize: 262_144 }),
    csvParse({ relax_column_count: true }),
    new Writable({ objectMode: true, write: (_row, _e, cb) => (csvParseRows++, cb()) }),
  );
  const csvParseSeconds = Number(process.hrtime.bigint() - csvParseStart) / 1e9;

  // Our path in a fresh child process running a bundle of parse-runner.ts (the form the collector
  // ships in), so that its peak RSS is not inflated by tsx or by the measurements above.
  const runner = path.join(cacheDir, 'parse-runner.cjs');
  await build({ ...NODE_BUNDLE_OPTIONS, entryPoints: [path.join(__dirname, 'parse-runner.ts')], outfile: runner, logLevel: 'error' });
  const ourRuns: Array<{ seconds: number; peakRss: number; progress: Awaited<ReturnType<typeof ingestCsvFile>> }> = [];
  for (let run = 0; run < RUNS; run++) {
    if (run > 0) zcatOnce();
    const output = execFileSync(process.execPath, [runner, file], { env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    ourRuns.push(JSON.parse(output.toString().trim().split('\n').pop()!));
  }
  const zcatSeconds = median(zcatRuns);
  const ingestSeconds = median(ourRuns.map((run) => run.seconds));
  const peakRss = Math.max(...ourRuns.map((run) => run.peakRss));
  const progress = ourRuns[0]!.progress;

  const projected20M = (ingestSeconds / progress.rowsRead) * 20_000_000;
  printTable(`Collector parse path, ${rows} rows, node ${process.version}, ${os.cpus().length} cores`, [
    {
      work: `zcat > /dev/null (median of ${RUNS})`,
      seconds: round(zcatSeconds, 2),
      'records/s': Math.round(rows / zcatSeconds),
      'MB/s (uncompressed)': round(uncompressedBytes / 1e6 / zcatSeconds),
      'vs zcat': 1,
    },
    {
      work: 'node gunzip (256 KiB chunks)',
      seconds: round(gunzipSeconds, 2),
      'records/s': Math.round(rows / gunzipSeconds),
      'MB/s (uncompressed)': round(uncompressedBytes / 1e6 / gunzipSeconds),
      'vs zcat': round(zcatSeconds / gunzipSeconds, 2),
    },
    {
      work: 'gunzip + csv-parse (arrays)',
      seconds: round(csvParseSeconds, 2),
      'records/s': Math.round((csvParseRows - 1) / csvParseSeconds),
      'MB/s (uncompressed)': round(uncompressedBytes / 1e6 / csvParseSeconds),
      'vs zcat': round(zcatSeconds / csvParseSeconds, 2),
    },
    {
      work: `gunzip+parse+validate+pack (median of ${RUNS})`,
      seconds: round(ingestSeconds, 2),
      'records/s': Math.round(progress.rowsRead / ingestSeconds),
      'MB/s (uncompressed)': round(uncompressedBytes / 1e6 / ingestSeconds),
      'vs zcat': round(zcatSeconds / ingestSeconds, 2),
    },
  ]);
  console.log(
    `rows read ${progress.rowsRead}, packed ${progress.rowsSent}, quarantined ${progress.rowsQuarantined}; ` +
      `file ${round(compressedBytes / 1e6)} MB gz / ${round(uncompressedBytes / 1e6)} MB csv; ` +
      `our runs ${ourRuns.map((run) => round(run.seconds, 2)).join(' / ')} s, zcat ${zcatRuns.map((t) => round(t, 2)).join(' / ')} s; ` +
      `peak RSS ${round(peakRss / 2 ** 20)} MiB; ` +
      `projected 20 M rows: ${round(projected20M / 60, 1)} min`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
