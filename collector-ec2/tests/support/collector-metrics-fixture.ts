import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import path from 'node:path';
import { MotoServer } from '@ingest-lake/local-emulators';
import { collectorMetricDimensions } from '@ingest-lake/shared';
import type { VendorSimulatorOptions } from '@ingest-lake/vendor-simulator';
import type { CollectorMetric } from '../../src/metrics/cloudwatch-count-publisher';
import { collectSnapshot, type CollectEvent, type CollectOptions } from '../../src/pipeline/collect-snapshot';
import type { RunReport } from '../../src/pipeline/run-report';
import { KinesisProducer } from '../../src/produce/kinesis-producer';
import { API_KEY, BUCKET, CollectorFixture, SNAPSHOT } from './collector-fixture';

/** The vendor dataset the fixture's simulator serves, the `Dataset` dimension of its metrics. */
export const VENDOR_DATASET = 'app_market';

/**
 * The collector's fixture (simulator, kinesalite, s3rver) beside moto, whose CloudWatch receives the
 * collector's metrics: what the suites of the metrics the alarms watch start (decisions 0016, 0022).
 */
export class CollectorMetricsFixture {
  readonly collector = new CollectorFixture();
  readonly moto = new MotoServer();
  cloudwatch!: CloudWatchClient;

  async start(simulatorOptions: Partial<VendorSimulatorOptions>): Promise<void> {
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await Promise.all([this.collector.start(simulatorOptions), this.moto.start()]);
    this.cloudwatch = new CloudWatchClient(this.moto.clientConfig());
  }

  async stop(): Promise<void> {
    this.cloudwatch?.destroy();
    await Promise.all([this.collector.stop(), this.moto.stop()]);
  }

  /** A CloudWatch client with nothing listening at its endpoint and no retry: every put fails at once. */
  unreachableCloudWatch(): CloudWatchClient {
    return new CloudWatchClient({ ...this.moto.clientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  }

  /** A metric's sum over the last hour for an environment and the vendor dataset, read as the alarms read it (GetMetricData, Sum). */
  async sumOverLastHour(metric: CollectorMetric, environment: string): Promise<number> {
    const now = Date.now();
    const { MetricDataResults: results = [] } = await this.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 3_600_000),
        EndTime: new Date(now + 60_000),
        MetricDataQueries: [
          {
            Id: 'sum',
            MetricStat: {
              Metric: {
                Namespace: metric.namespace,
                MetricName: metric.name,
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
  }

  /** `collectSnapshot` of the fixture's snapshot in a work folder, ledger and one-shard stream named after `name`; its events into `events`. */
  async collect(name: string, events: CollectEvent[], options: Partial<CollectOptions> = {}): Promise<{ report: RunReport; stream: string }> {
    const stream = await this.collector.newStream(name, 1);
    const kinesis = this.collector.kinesis.client();
    try {
      const report = await collectSnapshot({
        manifest: this.collector.manifest,
        snapshot: SNAPSHOT,
        workDir: path.join(this.collector.directory, `work-${name}`),
        s3: this.collector.s3.client(),
        lakeBucket: BUCKET,
        budget: this.collector.budget(`ledger-${name}.json`),
        apiKey: API_KEY,
        producer: new KinesisProducer(kinesis, { streamName: stream }),
        onEvent: (event) => events.push(event),
        ...options,
      });
      return { report, stream };
    } finally {
      kinesis.destroy();
    }
  }
}
