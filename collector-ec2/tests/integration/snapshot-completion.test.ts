import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import path from 'node:path';
import { appMarket, SNAPSHOTS_COMPLETED_METRIC } from '@ingest-lake/shared';
import { CallBudget } from '../../src/budget/call-budget';
import { FileLedgerStore } from '../../src/budget/ledger-store';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes';
import type { CollectorManifest } from '../../src/config/manifest';
import { CloudWatchSnapshotCompletionPublisher } from '../../src/metrics/snapshot-completion-publisher';
import type { CollectEvent } from '../../src/pipeline/collect-snapshot';
import { CollectorMetricsFixture, VENDOR_DATASET } from '../support/collector-metrics-fixture';
import { leaseActions, reportOf, requireCliBundle, runCli, startCli, type CliOptions, type CliRun } from '../support/collector-cli';
import { readStreamRows } from '../support/stream-contents';

jest.setTimeout(180_000);

const DATA_FILE = appMarket.dataFile.file;

/**
 * A `collect` run that finishes its snapshot reconciled puts one `SnapshotsCompleted` data point on
 * CloudWatch (moto), whether the data file streams or goes direct; the missed-run alarm sums them.
 * A run that fails, one that only finds another run holding the snapshot (exit 8) and one that waits
 * for that holder's report put none. Decision 0022.
 */
describe('snapshots completed: reported to CloudWatch once per finished snapshot, by the run that collected it', () => {
  const metrics = new CollectorMetricsFixture();
  const fixture = metrics.collector;

  beforeAll(async () => {
    requireCliBundle();
    await metrics.start({ dataRows: 2_000, apiRecords: 200 });
  }, 60_000);
  afterAll(() => metrics.stop(), 30_000);

  const completedSum = (environment: string) => metrics.sumOverLastHour(SNAPSHOTS_COMPLETED_METRIC, environment);
  const publisher = (environment: string) => new CloudWatchSnapshotCompletionPublisher(metrics.cloudwatch, environment);

  /** The completion metrics CloudWatch holds for this environment: exactly the shared name and dimensions. */
  const listedMetrics = async (environment: string) => {
    const { Metrics: listed = [] } = await metrics.cloudwatch.send(
      new ListMetricsCommand({ Namespace: SNAPSHOTS_COMPLETED_METRIC.namespace, MetricName: SNAPSHOTS_COMPLETED_METRIC.name, Dimensions: [{ Name: 'Environment', Value: environment }] }),
    );
    return listed.map((metric) => ({ namespace: metric.Namespace, name: metric.MetricName, dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value])) }));
  };

  const completions = (events: CollectEvent[]) => events.filter((event) => event.type === 'snapshot-completed');

  test('the data file streamed: one data point, with the shared name and dimensions, after the report', async () => {
    const events: CollectEvent[] = [];
    const { report, stream } = await metrics.collect('streamed', events, { snapshotCompletion: publisher('streamed') });
    expect(report.reconciled).toBe(true);
    expect(report.files.find((f) => f.file === DATA_FILE)!.direct).toBeUndefined();
    expect((await readStreamRows(fixture.kinesis.client(), stream)).length).toBe(report.files.find((f) => f.file === DATA_FILE)!.rowsSent + report.api!.recordsSent);
    expect(completions(events)).toEqual([{ type: 'snapshot-completed', runId: report.runId, published: true }]);
    expect(await completedSum('streamed')).toBe(1);
    expect(await listedMetrics('streamed')).toEqual([
      { namespace: 'IngestLake/Collector', name: 'SnapshotsCompleted', dimensions: { Environment: 'streamed', Dataset: VENDOR_DATASET } },
    ]);
  });

  test('the data file direct (decision 0018): one data point too, though none of its rows reach the stream', async () => {
    const direct: CollectorManifest = { ...fixture.manifest, bulk: { ...fixture.manifest.bulk, dataFileDelivery: 'direct' } };
    const events: CollectEvent[] = [];
    const { report, stream } = await metrics.collect('direct', events, { manifest: direct, snapshotCompletion: publisher('direct') });
    expect(report.reconciled).toBe(true);
    const data = report.files.find((f) => f.file === DATA_FILE)!;
    expect(data.direct?.rows).toBe(data.rowsSent);
    expect((await readStreamRows(fixture.kinesis.client(), stream)).length).toBe(report.api!.recordsSent);
    expect(completions(events)).toEqual([{ type: 'snapshot-completed', runId: report.runId, published: true }]);
    expect(await completedSum('direct')).toBe(1);
  });

  test('a run that fails (the call budget cannot cover it: exit 3) puts nothing', async () => {
    const events: CollectEvent[] = [];
    const budget = new CallBudget(new FileLedgerStore(path.join(fixture.directory, 'ledger-refused.json')), { callsPerPeriod: 1, period: 'month' });
    const error = await metrics.collect('refused', events, { budget, snapshotCompletion: publisher('refused') }).catch((e: unknown) => e);
    expect(exitCodeFor(error)).toBe(EXIT.budgetExhausted);
    expect(completions(events)).toEqual([]);
    expect(await completedSum('refused')).toBe(0);
  });

  test('CloudWatch unreachable: the run still succeeds, its event says the put failed', async () => {
    const unreachable = metrics.unreachableCloudWatch();
    const events: CollectEvent[] = [];
    try {
      const { report } = await metrics.collect('unreachable', events, { snapshotCompletion: new CloudWatchSnapshotCompletionPublisher(unreachable, 'unreachable') });
      expect(report.reconciled).toBe(true);
      expect(completions(events)).toEqual([{ type: 'snapshot-completed', runId: report.runId, published: false, publishError: expect.stringMatching(/ECONNREFUSED/) }]);
    } finally {
      unreachable.destroy();
    }
  });

  test('CLI with --metrics-environment: the holder counts the snapshot once; a run refused by its lease (exit 8) and one that waited for its report count nothing', async () => {
    const stream = await fixture.newStream('completion-cli', 1);
    // Three "processes" on one machine: their own work folders, one ledger (the lease lives beside it).
    const machine = (name: string, extraArgs: string[] = []): CliOptions => ({
      fixture,
      stream,
      workDir: path.join(fixture.directory, `cli-${name}`),
      ledger: `file:${path.join(fixture.directory, 'ledger-cli.json')}`,
      extraArgs: ['--metrics-environment', 'cli', ...extraArgs],
      // The SDK's own endpoint setting: the CLI builds its CloudWatch client as on EC2, with no endpoint of ours.
      env: {
        AWS_ENDPOINT_URL_CLOUDWATCH: metrics.moto.endpoint,
        AWS_REGION: metrics.moto.clientConfig().region,
        AWS_ACCESS_KEY_ID: metrics.moto.clientConfig().credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: metrics.moto.clientConfig().credentials.secretAccessKey,
      },
    });
    // The vendor answers the data file twice with 429 + Retry-After 3 s: the holder keeps the lease over 6 s.
    fixture.simulator.injectFault({ kind: 'rate-limit', target: DATA_FILE, times: 2, retryAfterSeconds: 3 });
    let others: Promise<[CliRun, CliRun]> | undefined;
    const holder = await startCli({
      ...machine('holder'),
      onEvent: (event) => {
        if (event.type === 'lease' && event.action === 'acquired') others = Promise.all([runCli(machine('refused')), runCli(machine('waiter', ['--wait-for-lease=120']))]);
      },
    }).done;
    const [refused, waiter] = await others!;

    expect([holder.code, refused.code, waiter.code]).toEqual([EXIT.ok, EXIT.leaseHeld, EXIT.ok]);
    expect(leaseActions(waiter)).toEqual(['waiting', 'completed-by-holder']);
    expect(reportOf(waiter)).toEqual(reportOf(holder));
    const completed = (run: CliRun) => run.events.filter((event) => event.message === 'snapshot-completed');
    expect(completed(holder)).toEqual([expect.objectContaining({ runId: reportOf(holder).runId, published: true })]);
    expect(completed(refused)).toEqual([]);
    expect(completed(waiter)).toEqual([]);
    expect(await completedSum('cli')).toBe(1);
  });
});
