/**
 * Latency from an HTTP POST to the record being queryable in the local lake, with the Firehose
 * runner on its own buffering schedule (no forced drain). Target: ≤ buffer interval + 5 s.
 * Run: npx tsx tests/bench/e2e/post-to-query-latency-bench.ts [bufferSeconds] [samples]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LakeCatalog, LocalStack, loadLocalDeployment, REPO_PATHS } from '@ingest-lake/local-runtime';
import { median, printTable, round } from '../support/measure';

const bufferSeconds = Number(process.argv[2] ?? 5);
const samples = Number(process.argv[3] ?? 5);

async function main(): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'latency-'));
  const stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle, deployment: loadLocalDeployment({ overrides: { timeScale: 60 / bufferSeconds } }) });
  const endpoints = await stack.start();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const marker = `latency-${i}-${Date.now()}`;
      const started = Date.now();
      const response = await fetch(`${endpoints.ingest}/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: marker }) });
      if (response.status !== 200) throw new Error(`POST answered ${response.status}`);
      const catalog = await LakeCatalog.open(path.join(directory, `cache-${i}`));
      try {
        for (;;) {
          await catalog.sync(stack.s3.client(), endpoints.bucket, ['curated/']);
          await catalog.refresh();
          const found = await catalog.query(`SELECT count(*) AS n FROM events WHERE event_type = '${marker}'`);
          if (Number(found[0]!.n) > 0) break;
          if (Date.now() - started > (bufferSeconds + 60) * 1000) throw new Error('record never became queryable');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        catalog.close();
      }
      latencies.push((Date.now() - started) / 1000);
      // Start the next sample at a different point of the buffer cycle.
      await new Promise((resolve) => setTimeout(resolve, 700 * (i + 1)));
    }
  } finally {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  }
  printTable(`POST → queryable, Firehose buffer ${bufferSeconds} s, ${samples} samples`, [
    {
      'buffer s': bufferSeconds,
      'median s': round(median(latencies), 2),
      'max s': round(Math.max(...latencies), 2),
      'target s (buffer + 5)': bufferSeconds + 5,
      'max within target': Math.max(...latencies) <= bufferSeconds + 5 ? 'yes' : 'no',
    },
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
