import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { S3Emulator } from '@ingest-lake/local-emulators';
import { runDemo } from './demo';
import { LakeCatalog } from './lake-catalog';
import { LiveDashboard } from './live-dashboard';
import { reconcileLake } from './lake-reconciliation';
import { DEFAULT_LOCAL_OVERRIDES, loadLocalDeployment, type LocalDeployment } from './local-deployment';
import { LocalStack } from './local-stack';
import { REPO_PATHS } from './repo-paths';

/** `local`: run the pipeline on this machine (demo, up, down, query, reconcile). */

// The AWS SDK warns on every start that its releases after January 2027 need Node >= 22, which is
// news for the maintainers (engines, README), not for each run. The SDK documents this switch for
// the warning (aws/aws-sdk-js-v3#7983); set it to false to see the warning again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The folder holding the local stack's state (the emulators' objects, caches, `stack.json`). */
function dataDir(): string {
  return path.resolve((program.opts() as { dataDir: string }).dataDir);
}

const stateFile = () => path.join(dataDir(), 'stack.json');

/** The deployment the stack stands in for: `infra/config/<--env>.json` with the local overrides. */
function deployment(timeScale?: string): LocalDeployment {
  const { env } = program.opts() as { env: string };
  return loadLocalDeployment({ environment: env, overrides: timeScale === undefined ? {} : { timeScale: Number(timeScale) } });
}

function requireBundles(): void {
  for (const bundle of [REPO_PATHS.transformBundle, REPO_PATHS.collectorBundle, REPO_PATHS.dashboardPageDir]) {
    if (!existsSync(bundle)) throw new Error(`missing ${path.relative(REPO_PATHS.root, bundle)}: run \`npm run build\` first`);
  }
}

/** Opens the local lake (the S3 emulator's folder, read through a short-lived emulator) as a DuckDB catalog. */
async function withLocalLake(work: (catalog: LakeCatalog, s3: S3Emulator) => Promise<void>): Promise<void> {
  const s3 = new S3Emulator(path.join(dataDir(), 's3'));
  await s3.start();
  const catalog = await LakeCatalog.open(path.join(dataDir(), 'lake-cache'));
  try {
    await catalog.sync(s3.client(), deployment().bucketName);
    await catalog.refresh();
    await work(catalog, s3);
  } finally {
    catalog.close();
    await s3.stop();
  }
}

const program = new Command('local')
  .description('The ingest-lake pipeline on one machine, no AWS account needed.')
  .option('--data-dir <dir>', 'local state folder for up, down, query and reconcile (env INGEST_LAKE_LOCAL_DIR)', process.env.INGEST_LAKE_LOCAL_DIR ?? REPO_PATHS.localDir)
  .option('--env <environment>', 'the environment config (infra/config/<env>.json) whose names and delivery settings the stack runs (env INGEST_LOCAL_ENV)', process.env.INGEST_LOCAL_ENV ?? 'dev');

const TIME_SCALE_HELP = `Firehose buffer intervals run this many times faster than deployed (${DEFAULT_LOCAL_OVERRIDES.timeScale}: the deployed 60 s is 1 s; 1: as deployed)`;

program
  .command('demo')
  .description('start everything, run the pipeline end to end, print a summary, write the dashboard, stop')
  .option('--vendor-rows <n>', 'rows in the simulated vendor snapshot', '50000')
  .option('--time-scale <factor>', TIME_SCALE_HELP, String(DEFAULT_LOCAL_OVERRIDES.timeScale))
  .action(async (flags: { vendorRows: string; timeScale: string }) => {
    requireBundles();
    const result = await runDemo({ vendorRows: Number(flags.vendorRows), deployment: deployment(flags.timeScale) });
    process.exitCode = result.reconciled ? 0 : 1;
  });

program
  .command('up')
  .description('start the stack and keep it running; prints endpoints for the AWS CLI')
  .option('--kinesis-port <port>', 'Kinesis emulator port', '4567')
  .option('--s3-port <port>', 'S3 emulator port', '4569')
  .option('--ingest-port <port>', 'ingest endpoint port', '4600')
  .option('--dashboard-port <port>', 'live dashboard port', '4610')
  .option('--dashboard-refresh <seconds>', 'seconds between dashboard refreshes (samples and page polls)', '5')
  .option('--time-scale <factor>', TIME_SCALE_HELP, String(DEFAULT_LOCAL_OVERRIDES.timeScale))
  .action(async (flags: { kinesisPort: string; s3Port: string; ingestPort: string; dashboardPort: string; dashboardRefresh: string; timeScale: string }) => {
    requireBundles();
    if (existsSync(stateFile())) throw new Error(`a stack seems to be running (${stateFile()}); run \`local down\` first`);
    await mkdir(dataDir(), { recursive: true });
    const stack = new LocalStack({
      dataDir: dataDir(),
      transformBundle: REPO_PATHS.transformBundle,
      deployment: deployment(flags.timeScale),
      // `down` and `up` again (or a crash) keep what the streams hold and where each runner was.
      persistStreams: true,
      ports: { kinesis: Number(flags.kinesisPort), s3: Number(flags.s3Port), ingest: Number(flags.ingestPort) },
    });
    let dashboard: LiveDashboard | undefined;
    let endpoints;
    let dashboardUrl;
    try {
      endpoints = await stack.start();
      dashboard = new LiveDashboard({
        runners: stack.runners,
        s3: stack.s3.client(),
        bucket: endpoints.bucket,
        cacheDir: path.join(dataDir(), 'dashboard-lake-cache'),
        pageDir: REPO_PATHS.dashboardPageDir,
        refreshSeconds: Number(flags.dashboardRefresh),
      });
      dashboardUrl = await dashboard.start(Number(flags.dashboardPort));
    } catch (error) {
      await dashboard?.stop().catch(() => undefined);
      await stack.stop().catch(() => undefined);
      throw error;
    }
    await writeFile(stateFile(), JSON.stringify({ pid: process.pid, endpoints }, null, 2));
    const { source, streams, overrides } = stack.deployment;
    const [first] = streams;
    const putRecord = `aws --endpoint-url ${endpoints.kinesis} kinesis put-record --stream-name ${endpoints.eventsStream} --partition-key k --data '{"type":"cli"}'`;
    console.log(`ingest-lake local stack is up, configured from ${path.relative(REPO_PATHS.root, source)}:
  delivery streams ${streams.map((s) => s.settings.deliveryStreamName).join(', ')} → s3://${endpoints.bucket}/
  Firehose buffer ${first!.settings.destination.bufferIntervalSeconds} s deployed → ${first!.bufferIntervalMs / 1000} s here (time scale ${overrides.timeScale}; differences: local/runtime/README.md)
  Live dashboard: ${dashboardUrl} (refreshes every ${flags.dashboardRefresh} s)
Try:
  curl -d '{"value":"30","type":"Tip 3"}' -H 'Content-Type: application/json' -X POST ${endpoints.ingest}/v1
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
  ${putRecord} --cli-binary-format raw-in-base64-out    # AWS CLI v2
  ${putRecord}    # AWS CLI v1 (it has no --cli-binary-format and sends --data as text)
  aws --endpoint-url ${endpoints.s3} s3 ls s3://${endpoints.bucket}/ --recursive
  npx tsx local/runtime/src/cli.ts query "SELECT event_type, count(*) FROM events GROUP BY 1"
Stop with Ctrl-C or \`npx tsx local/runtime/src/cli.ts down\`.`);
    const shutdown = async () => {
      await dashboard!.stop();
      await stack.stop();
      await rm(stateFile(), { force: true });
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown());
    process.once('SIGTERM', () => void shutdown());
  });

program
  .command('down')
  .description('stop a stack started with `up`')
  .action(async () => {
    if (!existsSync(stateFile())) {
      console.log('no local stack is running');
      return;
    }
    const { pid } = JSON.parse(await readFile(stateFile(), 'utf8')) as { pid: number };
    try {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100; i++) {
        process.kill(pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } catch {
      // The process is gone.
    }
    await rm(stateFile(), { force: true });
    console.log('local stack stopped');
  });

program
  .command('query')
  .description('run SQL (DuckDB) on the local lake: tables events, app_market_daily, delivery_errors and the shared views')
  .argument('<sql>', 'the query')
  .option('--json', 'print rows as JSON lines')
  .action(async (sql: string, flags: { json?: boolean }) => {
    await withLocalLake(async (catalog) => {
      const rows = await catalog.query(sql);
      if (flags.json) for (const row of rows) console.log(JSON.stringify(row));
      else console.table(rows);
    });
  });

program
  .command('reconcile')
  .description('prove the local lake reconciles: records in = curated + errors + drops; collector rows = sent + quarantined')
  .action(async () => {
    await withLocalLake(async (catalog, s3) => {
      const result = await reconcileLake(s3.client(), deployment().bucketName, catalog);
      console.log(JSON.stringify(result, null, 2));
      process.exitCode = result.reconciled ? 0 : 1;
    });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`local: ${(error as Error).message}`);
  // Exit even if a half-started server keeps the event loop alive.
  process.exit(1);
});
