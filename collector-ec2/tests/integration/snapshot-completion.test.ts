import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import path from 'node:path';
import { MotoServer } from '@ingest-lake/local-emulators';
import { appMarket, collectorMetricDimensions, SNAPSHOTS_COMPLETED_METRIC } from '@ingest-lake/shared';
import { CallBudget } from '../../src/budget/call-budget';
import { FileLedgerStore } from '../../src/budget/ledger-store';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes';
import type { CollectorManifest } from '../../src/config/manifest';
import { CloudWatchSnapshotCompletionPublisher } from '../../src/metrics/snapshot-completion-publisher';
import { collectSnapshot, type CollectEvent, type CollectOptions } from '../../src/pipeline/collect-snapshot';
import { KinesisProducer } from '../../src/produce/kinesis-producer';
import { API_KEY, BUCKET, CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { leaseActions, reportOf, requireCliBundle, runCli, startCli, type CliOptions, type CliRun } from '../support/collector-cli';
import { readStreamRows } from '../support/stream-contents';

jest.setTimeout(180_000);

const DATA_FILE = appMarket.dataFile.file;
const VENDOR_DATASET = 'app_market';

/**
 * A `collect` run that finishes its snapshot reconciled puts one `SnapshotsCompleted` data point on
 * CloudWatch (moto), whether the data file streams or goes direct; the missed-run alarm sums them.
 * A run that fails, one that only finds another run holding the snapshot (exit 8) and one that waits
 * for that holder's report put none. Decision 0022.
 */
describe('snapshots completed: reported to CloudWatch once per finished snapshot, by the run that collected it', () => {
  const fixture = new CollectorFixture();
  const moto = new MotoServer();
  let cloudwatch: CloudWatchClient;

  beforeAll(async () => {
    requireCliBundle();
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await Promise.all([fixture.start({ dataRows: 2_000, apiRecords: 200 }), moto.start()]);
    cloudwatch = new CloudWatchClient(moto.clientConfig());
  }, 60_000);
  afterAll(async () => {
    cloudwatch?.destroy();
    await Promise.all([fixture.stop(), moto.stop()]);
  }, 30_000);

  /** The metric's sum over the last hour for this environment, read as the alarm reads it (GetMetricData, Sum). */
  const completedSum = async (environment: string): Promise<number> => {
    const now = Date.now();
    const { MetricDataResults: results = [] } = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 3_600_000),
        EndTime: new Date(now + 60_000),
        MetricDataQueries: [
          {
            Id: 'completed',
            MetricStat: {
              Metric: {
                Namespace: SNAPSHOTS_COMPLETED_METRIC.namespace,
                MetricName: SNAPSHOTS_COMPLETED_METRIC.name,
                Dimensions: Object.entries(collectorMetricDimensions(environment, VENDOR_DATASET)).map(([Name, Value]) => ({ Name, Value })),
              },
              Period: 3_600,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    return (results[0]?.Values ?? []).reduce((sum, value) => sum + value, 0);
  };

  /** The completion metrics CloudWatch holds for this environment: exactly the shared name and dimensions. */
  const listedMetrics = async (environment: string) => {
    const { Metrics: metrics = [] } = await cloudwatch.send(
      new ListMetricsCommand({ Namespace: SNAPSHOTS_COMPLETED_METRIC.namespace, MetricName: SNAPSHOTS_COMPLETED_METRIC.name, Dimensions: [{ Name: 'Environment', Value: environment }] }),
    );
    return metrics.map((metric) => ({ namespace: metric.Namespace, name: metric.MetricName, dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value])) }));
  };

  /** One `collectSnapshot` of the fixture's snapshot in a folder and on a stream of its own. */
  const collect = async (name: string, events: CollectEvent[], options: Partial<CollectOptions> = {}) => {
    const stream = await fixture.newStream(`completion-${name}`, 1);
    const kinesis = fixture.kinesis.client();
    try {
      const report = await collectSnapshot({
        manifest: fixture.manifest,
        snapshot: SNAPSHOT,
        workDir: path.join(fixture.directory, `work-${name}`),
        s3: fixture.s3.client(),
        lakeBucket: BUCKET,
        budget: fixture.budget(`ledger-${name}.json`),
        apiKey: API_KEY,
        producer: new KinesisProducer(kinesis, { streamName: stream }),
        onEvent: (event) => events.push(event),
        ...options,
      });
      return { report, stream };
    } finally {
      kinesis.destroy();
    }
  };
  const completions = (events: CollectEvent[]) => events.filter((event) => event.type === 'snapshot-completed');

  test('the data file streamed: one data point, with the shared name and dimensions, after the report', async () => {
    const events: CollectEvent[] = [];
    const { report, stream } = await collect('streamed', events, { snapshotCompletion: new CloudWatchSnapshotCompletionPublisher(cloudwatch, 'streamed') });
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
    const { report, stream } = await collect('direct', events, { manifest: direct, snapshotCompletion: new CloudWatchSnapshotCompletionPublisher(cloudwatch, 'direct') });
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
    const error = await collect('refused', events, { budget, snapshotCompletion: new CloudWatchSnapshotCompletionPublisher(cloudwatch, 'refused') }).catch((e: unknown) => e);
    expect(exitCodeFor(error)).toBe(EXIT.budgetExhausted);
    expect(completions(events)).toEqual([]);
    expect(await completedSum('refused')).toBe(0);
  });

  test('CloudWatch unreachable: the run still succeeds, its event says the put failed', async () => {
    const unreachable = new CloudWatchClient({ ...moto.clientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const events: CollectEvent[] = [];
    try {
      const { report } = await collect('unreachable', events, { snapshotCompletion: new CloudWatchSnapshotCompletionPublisher(unreachable, 'unreachable') });
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
        AWS_ENDPOINT_URL_CLOUDWATCH: moto.endpoint,
        AWS_REGION: moto.clientConfig().region,
        AWS_ACCESS_KEY_ID: moto.clientConfig().credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.clientConfig().credentials.secretAccessKey,
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
