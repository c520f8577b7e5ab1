/**
 * One measured parse of a csv.gz file, run by collector-bench.ts as a bundled child process (the
 * form the collector ships in, so peak RSS is the production figure, free of tsx and of the other
 * measurements). Prints one JSON line. Usage: node parse-runner.cjs <file.csv.gz>
 */
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appMarket } from '@ingest-lake/shared';
import { ingestCsvFile, QuarantineWriter } from '@ingest-lake/collector-ec2';

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  const quarantine = await QuarantineWriter.open(path.join(os.tmpdir(), `bench-quarantine-${process.pid}.ndjson`));
  let peakRss = process.memoryUsage().rss;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
  const start = process.hrtime.bigint();
  const progress = await ingestCsvFile({
    dataset: appMarket.dataFile.dataset,
    origin: 'vendor-bulk:app_market/snapshot=2026-11-20/app_market_daily.csv.gz',
    file: 'app_market_daily.csv.gz',
    snapshot: '2026-11-20',
    source: createReadStream(file!, { highWaterMark: 1 << 20 }),
    quarantine,
    onProgress: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sample);
  await quarantine.close();
  process.stdout.write(`${JSON.stringify({ seconds, progress, peakRss })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
