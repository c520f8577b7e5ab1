#!/usr/bin/env node
import { Command, Option } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderSystemdUnits } from './cli/systemd-units';
import { CallBudget } from './budget/call-budget';
import { resolveApiKey } from './config/api-key';
import { loadManifest, type CollectorManifest } from './config/manifest';
import { EXIT, exitCodeFor } from './cli/exit-codes';
import { createProgressReporter } from './cli/progress-reporter';
import { createClients, leaseStore, ledgerStore, metricPublishers, runtimeSettings, RuntimeSettingsError, waitForLeaseSeconds, withRuntimeOverrides, type CommonFlags, type RuntimeSettings } from './cli/runtime-settings';
import { collectSnapshot, snapshotDirectory } from './pipeline/collect-snapshot';
import { replayReconciles, replaySnapshot } from './pipeline/replay-snapshot';
import { KinesisProducer } from './produce/kinesis-producer';

/**
 * ingest-collector: the vendor collector's command line (collect, replay, status). Runs from the
 * systemd timer on EC2 and locally against the simulator and emulators.
 */

const SNAPSHOT = /^\d{4}-\d{2}-\d{2}$/;

function withCommonOptions(command: Command): Command {
  return command
    .requiredOption('-m, --manifest <path>', 'collector manifest (JSON) of the vendor dataset')
    .option('--work-dir <dir>', 'local working directory (env COLLECTOR_WORK_DIR)')
    .option('--lake-bucket <bucket>', 'lake bucket (env COLLECTOR_LAKE_BUCKET)')
    .option('--stream <name>', 'Kinesis stream, overrides the manifest (env COLLECTOR_STREAM_NAME)')
    .option('--vendor-url <url>', 'vendor base URL, overrides the manifest (env COLLECTOR_VENDOR_URL)')
    .option('--ledger <where>', 'call ledger: "s3" or "file:<path>" (env COLLECTOR_LEDGER)')
    .option('--api-key-parameter <name>', 'SSM parameter holding the vendor API key, overrides the manifest (env COLLECTOR_API_KEY_PARAMETER)')
    .option('--kinesis-endpoint <url>', 'Kinesis endpoint for local emulators (env COLLECTOR_KINESIS_ENDPOINT)')
    .option('--s3-endpoint <url>', 'S3 endpoint for local emulators (env COLLECTOR_S3_ENDPOINT)')
    .option('--metrics-environment <name>', 'put CloudWatch metrics (vendor header drift, snapshots completed) with this Environment dimension (env COLLECTOR_METRICS_ENVIRONMENT; default: none put)');
}

async function prepare(flags: CommonFlags): Promise<{ settings: RuntimeSettings; manifest: CollectorManifest }> {
  const settings = runtimeSettings(flags, process.env);
  return { settings, manifest: withRuntimeOverrides(await loadManifest(settings.manifestPath), settings) };
}

function snapshotOf(value: string | undefined): string {
  const snapshot = value ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  if (!SNAPSHOT.test(snapshot)) throw new RuntimeSettingsError('--snapshot', `must be YYYY-MM-DD, got "${snapshot}"`);
  return snapshot;
}

async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    const code = exitCodeFor(error);
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', error: (error as Error).name, code: (error as { code?: unknown }).code, message: (error as Error).message, exitCode: code })}\n`);
    process.exitCode = code;
  }
}

const program = new Command('ingest-collector').description('Collects vendor datasets into the lake through Kinesis.').showHelpAfterError();

withCommonOptions(program.command('collect'))
  .description('download, archive and stream one snapshot (resumes where a previous run stopped)')
  .option('-s, --snapshot <date>', 'snapshot date YYYY-MM-DD (default: yesterday, UTC)')
  .option('--no-api', 'skip the JSON v1.3 API')
  .option('--dry-run', 'show the plan and the budget, call nothing')
  .option('--wait-for-lease [seconds]', 'when another run holds the snapshot, wait for it (as long as it takes, or at most <seconds>) instead of exiting 8')
  .option('--recollect', 'collect the snapshot even if another run (another folder or host) already completed it, spending its vendor calls again; without it such a run prints that run\'s report and calls nothing')
  .option('--lease-ttl <seconds>', 'how long the snapshot lease holds without renewal; renewed every third of it (env COLLECTOR_LEASE_TTL_SECONDS, default 300)')
  .option('--checkpoint-every-rows <rows>', 'data rows between checkpoints: at most this many rows (plus one decompressed chunk) are re-sent after a kill (env COLLECTOR_CHECKPOINT_EVERY_ROWS, default 200000)')
  .option('--direct-part-rows <rows>', 'with bulk.dataFileDelivery "direct": data rows per curated Parquet part, each one checkpoint (env COLLECTOR_DIRECT_PART_ROWS, default 500000)')
  .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'bars', 'json']).default('auto'))
  .action((flags: CommonFlags & { snapshot?: string; api: boolean; dryRun?: boolean; waitForLease?: boolean | string; recollect?: boolean; progress: 'auto' | 'bars' | 'json' }) =>
    run(async () => {
      const { settings, manifest } = await prepare(flags);
      const snapshot = snapshotOf(flags.snapshot);
      const waitSeconds = waitForLeaseSeconds(flags.waitForLease);
      const { s3, kinesis } = createClients(settings);
      const budget = new CallBudget(ledgerStore(settings, manifest.dataset, s3), manifest.quota);
      const reporter = createProgressReporter(flags.progress);
      if (flags.dryRun) {
        const files = [manifest.vendorDataset.dataFile, ...manifest.vendorDataset.metadataFiles].map((f) => f.file);
        const status = await budget.status();
        const pages = flags.api && manifest.api ? manifest.api.maxPages : 0;
        reporter.log('dry run: nothing called', { snapshot, files, callsAtMost: files.length + pages, budget: status, workDir: snapshotDirectory(settings.workDir, manifest.dataset, snapshot) });
        return status.remaining >= files.length + pages ? EXIT.ok : EXIT.budgetExhausted;
      }
      const producer = new KinesisProducer(kinesis, { streamName: manifest.kinesis.streamName });
      try {
        const report = await collectSnapshot({
          manifest,
          snapshot,
          workDir: settings.workDir,
          s3,
          lakeBucket: settings.lakeBucket,
          budget,
          apiKey: await resolveApiKey(manifest, process.env),
          producer,
          includeApi: flags.api,
          checkpointEveryRows: settings.checkpointEveryRows,
          directPartRows: settings.directPartRows,
          lease: { store: leaseStore(settings, manifest.dataset, snapshot, s3), ttlSeconds: settings.leaseTtlSeconds, recollect: flags.recollect === true },
          waitForLeaseSeconds: waitSeconds,
          ...metricPublishers(settings),
          onEvent: (event) => reporter.onEvent(event),
        });
        reporter.stop();
        process.stdout.write(`${JSON.stringify({ report, producer: producer.stats })}\n`);
        return report.reconciled ? EXIT.ok : EXIT.unreconciled;
      } finally {
        reporter.stop();
      }
    }),
  );

withCommonOptions(program.command('replay'))
  .description('replay a stored snapshot from raw/ without calling the vendor (re-stream it, or rewrite its direct parts)')
  .requiredOption('-s, --snapshot <date>', 'snapshot date YYYY-MM-DD')
  .option('--direct-part-rows <rows>', 'with bulk.dataFileDelivery "direct": rows per part when the run report does not record the run\'s (env COLLECTOR_DIRECT_PART_ROWS, default 500000)')
  .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'bars', 'json']).default('auto'))
  .action((flags: CommonFlags & { snapshot: string; progress: 'auto' | 'bars' | 'json' }) =>
    run(async () => {
      const { settings, manifest } = await prepare(flags);
      const { s3, kinesis } = createClients(settings);
      const producer = new KinesisProducer(kinesis, { streamName: manifest.kinesis.streamName });
      const reporter = createProgressReporter(flags.progress);
      const result = await replaySnapshot({
        manifest,
        snapshot: snapshotOf(flags.snapshot),
        s3,
        lakeBucket: settings.lakeBucket,
        producer,
        workDir: settings.workDir,
        directPartRows: settings.directPartRows,
        onProgress: (p) => reporter.onEvent({ type: 'ingest', ...p }),
      });
      reporter.stop();
      process.stdout.write(`${JSON.stringify({ replay: result, producer: producer.stats })}\n`);
      return replayReconciles(result) ? EXIT.ok : EXIT.unreconciled;
    }),
  );

withCommonOptions(program.command('status'))
  .description('show the remaining call budget of the contract period')
  .action((flags: CommonFlags) =>
    run(async () => {
      const { settings, manifest } = await prepare(flags);
      const { s3 } = createClients(settings);
      const status = await new CallBudget(ledgerStore(settings, manifest.dataset, s3), manifest.quota).status();
      process.stdout.write(`${JSON.stringify({ dataset: manifest.dataset, quota: manifest.quota, ...status })}\n`);
      return EXIT.ok;
    }),
  );

program
  .command('systemd-units')
  .description('write the systemd service and timer for a manifest (used by the EC2 user data)')
  .requiredOption('-m, --manifest <path>', 'collector manifest (JSON)')
  .requiredOption('--out <dir>', 'folder to write <name>.service and <name>.timer into')
  .option('--bundle <path>', 'installed bundle path', '/opt/ingest-collector/collector.cjs')
  .option('--env-file <path>', 'environment file with COLLECTOR_* settings', '/etc/ingest-collector/collector.env')
  .action((flags: { manifest: string; out: string; bundle: string; envFile: string }) =>
    run(async () => {
      const manifest = await loadManifest(path.resolve(flags.manifest));
      const name = `ingest-collector-${manifest.dataset}`;
      const units = renderSystemdUnits({
        name,
        onCalendar: manifest.schedule.onCalendar,
        bundlePath: flags.bundle,
        manifestPath: path.resolve(flags.manifest),
        environmentFile: flags.envFile,
      });
      await mkdir(flags.out, { recursive: true });
      await writeFile(path.join(flags.out, `${name}.service`), units.service);
      await writeFile(path.join(flags.out, `${name}.timer`), units.timer);
      process.stdout.write(`${JSON.stringify({ wrote: [`${name}.service`, `${name}.timer`], out: flags.out })}\n`);
      return EXIT.ok;
    }),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = EXIT.configuration;
});
