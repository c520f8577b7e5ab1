import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appMarket, curatedDatasets } from '@ingest-lake/shared';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { LakeCatalog } from './lake-catalog';
import { buildDashboard } from './lake-report';
import { reconcileLake } from './lake-reconciliation';
import type { LocalDeployment } from './local-deployment';
import { LocalStack, type LocalEndpoints } from './local-stack';
import { REPO_PATHS } from './repo-paths';

export interface DemoOptions {
  /** Rows in the simulated vendor snapshot. @default 50_000 */
  vendorRows?: number;
  /** HTTP events besides the README's example request. @default 300 */
  httpEvents?: number;
  dataDir?: string;
  /** The deployment to stand in for. @default loadLocalDeployment() (infra/config/dev.json) */
  deployment?: LocalDeployment;
  log?: (line: string) => void;
}

export interface DemoResult {
  endpoints: LocalEndpoints;
  dashboardPath: string;
  reconciled: boolean;
  summary: string[];
}

const EVENT_TYPES = ['page_view', 'click', 'Tip 3', 'signup', 'purchase', 'search'];

/** Runs the collector CLI bundle against the simulator and the local stack; returns rows sent. */
async function runCollector(endpoints: LocalEndpoints, vendorUrl: string, workDir: string): Promise<{ rowsSent: number; report: unknown }> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        REPO_PATHS.collectorBundle, 'collect',
        '--manifest', REPO_PATHS.collectorManifest,
        '--snapshot', '2026-11-20',
        '--work-dir', workDir,
        '--lake-bucket', endpoints.bucket,
        '--stream', endpoints.vendorStream,
        '--vendor-url', vendorUrl,
        '--ledger', `file:${path.join(workDir, 'call-ledger.json')}`,
        '--kinesis-endpoint', endpoints.kinesis,
        '--s3-endpoint', endpoints.s3,
        '--progress', 'json',
      ],
      { env: { PATH: process.env.PATH, VENDOR_API_KEY: 'local-demo-key', NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`collector exited with ${code}: ${stdout.slice(-500)}`))));
  });
  const line = output.trim().split('\n').filter((l) => l.startsWith('{"report"')).pop()!;
  const { report } = JSON.parse(line) as { report: { files: Array<{ file: string; rowsSent: number }>; api?: { recordsSent: number } } };
  const dataFile = report.files.find((f) => f.file === appMarket.dataFile.file)!;
  return { rowsSent: dataFile.rowsSent + (report.api?.recordsSent ?? 0), report };
}

/**
 * The README's first command: starts the local stack, sends the README's example curl body and
 * more events over HTTP, puts a few broken records on the stream as a faulty producer would, runs
 * the collector against the vendor simulator, lets Firehose deliver, queries the lake with the
 * shared SQL, writes the dashboard and proves that the counts reconcile.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = options.dataDir ?? REPO_PATHS.localDir;
  // The demo starts from an empty lake and resets the runners' checkpoints (its streams live in memory):
  // streams an earlier `up` kept on disk go too, or the next `up` would deliver them into this lake.
  await rm(path.join(dataDir, 's3'), { recursive: true, force: true });
  await rm(path.join(dataDir, 'kinesis'), { recursive: true, force: true });
  await rm(path.join(dataDir, 'collector'), { recursive: true, force: true });
  await rm(path.join(dataDir, 'lake-cache'), { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const stack = new LocalStack({ dataDir, transformBundle: REPO_PATHS.transformBundle, deployment: options.deployment });
  const simulator = new VendorSimulator({
    dataset: appMarket,
    snapshot: '2026-11-20',
    dataRows: options.vendorRows ?? 50_000,
    apiRecords: 2_000,
    apiKey: 'local-demo-key',
    cacheDir: path.join(dataDir, 'vendor-cache'),
  });
  const endpoints = await stack.start();
  const vendorUrl = await simulator.start();
  try {
    log(`Local stack up: Kinesis ${endpoints.kinesis}, S3 ${endpoints.s3}, ingest ${endpoints.ingest}/v1, vendor ${vendorUrl}`);

    // 1. HTTP ingest, starting with the README's example request.
    const post = (body: string, traceId?: string) =>
      fetch(`${endpoints.ingest}/v1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(traceId ? { 'X-Amzn-Trace-Id': traceId } : {}) },
        body,
      });
    const first = await post('{"value":"30","type":"Tip 3"}');
    log(`curl -d '{"value":"30","type":"Tip 3"}' -H 'Content-Type: application/json' -X POST ${endpoints.ingest}/v1  →  ${first.status} ${await first.text()}`);
    const httpEvents = options.httpEvents ?? 300;
    for (let i = 0; i < httpEvents; i++) {
      const type = i === 7 ? '<script>alert("x")</script>' : EVENT_TYPES[i % EVENT_TYPES.length];
      const response = await post(JSON.stringify({ value: String(i % 100), type, page: `/p/${i % 37}` }));
      if (response.status !== 200) throw new Error(`ingest endpoint answered ${response.status}`);
    }
    const rejected = await post('{"value":');
    log(`${httpEvents + 1} events accepted over HTTP; a malformed body was refused at the edge with ${rejected.status}.`);

    // 2. A faulty producer writes records the transform must refuse (they go to errors/ with reasons).
    const kinesis = stack.kinesis.client();
    const broken = ['value=30&type=Tip', '[1,2,3]', '{"$pack":1,"dataset":"no_such_dataset","origin":"demo"}\n{"r":{}}\n'];
    for (const data of broken) {
      await kinesis.send(new PutRecordCommand({ StreamName: endpoints.eventsStream, PartitionKey: 'faulty-producer', Data: Buffer.from(data) }));
    }
    kinesis.destroy();

    // 3. The collector: 13 bulk files and the JSON API from the vendor simulator.
    const collector = await runCollector(endpoints, vendorUrl, path.join(dataDir, 'collector'));
    log(`Collector sent ${collector.rowsSent} vendor rows (bulk + JSON API) and archived 13 files to raw/.`);

    // 4. Firehose delivery, then the lake as Athena would see it.
    await stack.drain();
    const catalog = await LakeCatalog.open(path.join(dataDir, 'lake-cache'));
    try {
      await catalog.sync(stack.s3.client(), endpoints.bucket);
      await catalog.refresh();
      const sent = { httpRequests: stack.ingest.counters.recordsAccepted, collectorRows: collector.rowsSent, otherProducers: broken.length };
      const reconciliation = await reconcileLake(stack.s3.client(), endpoints.bucket, catalog, { sent });
      const [example] = await catalog.query(`SELECT event_id, event_type, payload, dt FROM events WHERE payload = '{"value":"30","type":"Tip 3"}'`);
      const list = (counts: Record<string, number>) => Object.entries(counts).map(([key, n]) => `${key} ${n}`).join(', ');
      const tableRows: Record<string, number> = {};
      for (const dataset of curatedDatasets) tableRows[dataset.name] = Number((await catalog.query(`SELECT count(*) AS n FROM "${dataset.name}"`))[0]!.n);
      const summary = [
        `Records in: ${reconciliation.sent!.total} (HTTP ${sent.httpRequests}, collector ${sent.collectorRows}, faulty producer ${sent.otherProducers})`,
        `Curated: ${list(reconciliation.curatedRows)}`,
        `Lake tables (${curatedDatasets.length}, dimensions with <name>_current views): ${list(tableRows)}`,
        `Errors: ${list(reconciliation.failedRows) || 'none'}`,
        `Dropped: ${reconciliation.droppedRows}; unexplained: ${reconciliation.unexplained} → ${reconciliation.reconciled ? 'RECONCILED' : 'NOT RECONCILED'}`,
        `Checks (${reconciliation.deliveries} delivery manifests, collector reports, quarantine files): ${reconciliation.problems.join('; ') || 'consistent'}; duplicates removed by the views: ${list(reconciliation.duplicatesRemoved)}`,
        `The curl example is queryable: ${JSON.stringify(example)}`,
      ];
      const dashboardPath = path.join(dataDir, 'dashboard.html');
      await writeFile(dashboardPath, await buildDashboard(catalog, summary));
      for (const line of summary) log(line);
      log(`Dashboard: ${dashboardPath}`);
      return { endpoints, dashboardPath, reconciled: reconciliation.reconciled, summary };
    } finally {
      catalog.close();
    }
  } finally {
    await simulator.stop();
    await stack.stop();
  }
}
