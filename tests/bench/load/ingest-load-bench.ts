/**
 * Bounded load on loopback against the local ingest endpoint (API Gateway stand-in → kinesalite),
 * then Firehose delivery and reconciliation: requests accepted = rows curated.
 * Run: npx tsx tests/bench/load/ingest-load-bench.ts [requests=100000] [concurrency=32]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LakeCatalog, LocalStack, loadLocalDeployment, REPO_PATHS, reconcileLake } from '@ingest-lake/local-runtime';
import { median, printTable, round } from '../support/measure';
import { postLoad } from '../../support/http-load';

const total = Number(process.argv[2] ?? 100_000);
const concurrency = Number(process.argv[3] ?? 32);

async function main(): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'load-'));
  const stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle, deployment: loadLocalDeployment({ overrides: { timeScale: 12, shardsPerStream: 4 } }) });
  const endpoints = await stack.start();
  try {
    const load = await postLoad(`${endpoints.ingest}/v1`, total, concurrency, (i) => JSON.stringify({ value: String(i), type: `load-${i % 10}` }));
    const deliveryStarted = Date.now();
    await stack.drain();
    const deliverySeconds = (Date.now() - deliveryStarted) / 1000;
    const catalog = await LakeCatalog.open(path.join(directory, 'cache'));
    const result = await (async () => {
      try {
        await catalog.sync(stack.s3.client(), endpoints.bucket);
        await catalog.refresh();
        return await reconcileLake(stack.s3.client(), endpoints.bucket, catalog, { sent: { httpRequests: stack.ingest.counters.recordsAccepted, collectorRows: 0, otherProducers: 0 } });
      } finally {
        catalog.close();
      }
    })();
    const sorted = [...load.latenciesMs].sort((a, b) => a - b);
    printTable(`Ingest load, ${total} requests, ${concurrency} concurrent, loopback`, [
      {
        'requests ok': load.ok,
        failed: load.failed,
        'requests/s': Math.round(load.ok / load.seconds),
        'p50 ms': round(median(load.latenciesMs), 1),
        'p99 ms': round(sorted[Math.floor(sorted.length * 0.99)] ?? 0, 1),
        'drain + deliver s': round(deliverySeconds, 1),
        curated: result.curatedRows.events ?? 0,
        unexplained: result.unexplained,
        reconciled: result.reconciled ? 'yes' : 'NO',
      },
    ]);
    if (!result.reconciled || load.failed > 0) process.exitCode = 1;
  } finally {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
