import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { Construct } from 'constructs';
import { lambdaBundle, type BundledFunction, type LambdaBundle } from '../constructs/bundled-function';
import type { CuratedDeliveryStream } from '../constructs/delivery-stream';
import type { KinesisDataStream } from '../constructs/kinesis-data-stream';
import { ShardScaler } from '../constructs/shard-scaler';
import { SHARD_SCALER_BUNDLE_DIR } from '@ingest-lake/shard-scaler/asset';
import { collectorMetricDimensions, SNAPSHOTS_COMPLETED_METRIC, vendorDatasets } from '@ingest-lake/shared';
import type { LakeKey } from '../constructs/lake-key';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';
import { streamNameFor } from './streaming-stack';

interface AlarmSpec {
  id: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: 'Sum' | 'Maximum' | 'Average';
  threshold: number;
  comparison: 'GreaterThanThreshold' | 'LessThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanOrEqualToThreshold';
  periodSeconds?: number;
  evaluationPeriods?: number;
  /** What missing data means: for "nothing arrived" alarms it is the alarm itself. @default notBreaching */
  treatMissingData?: 'breaching' | 'notBreaching';
}

export interface MonitoringStackProps extends IngestLakeStackProps {
  key: LakeKey;
  streams: Map<string, KinesisDataStream>;
  deliveryStreams: Map<string, CuratedDeliveryStream>;
  transforms: Map<string, BundledFunction>;
  apiName: string;
  /** The shard-scaler bundle. @default functions/shard-scaler/dist */
  shardScalerBundle?: LambdaBundle;
}

/**
 * Operations: an encrypted SNS topic, alarms for every part of the data path (Kinesis throttling
 * and iterator age, Firehose freshness and failed conversions, Lambda errors and throttles, API
 * 5XX, a collector run missed: no snapshot finished for 26 hours), and a CloudWatch dashboard of the
 * same metrics.
 */
export class MonitoringStack extends IngestLakeStack {
  readonly topic: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, props: MonitoringStackProps) {
    super(scope, 'monitoring', props.config);
    const { config } = props;
    this.topic = new SnsTopic(this, 'alarms', { name: this.name('alarms'), kmsMasterKeyId: props.key.arn });
    if (config.monitoring.alarmEmail) {
      new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: config.monitoring.alarmEmail });
    }
    const specs: AlarmSpec[] = [];
    for (const [dataset, stream] of props.streams) {
      specs.push(
        {
          id: `kinesis-throttled-${dataset}`,
          description: `Kinesis ${dataset}: writes throttled (add shards or let the scaler act)`,
          namespace: 'AWS/Kinesis',
          metricName: 'WriteProvisionedThroughputExceeded',
          dimensions: { StreamName: stream.name },
          statistic: 'Sum',
          threshold: 0,
          comparison: 'GreaterThanThreshold',
        },
        {
          id: `kinesis-iterator-age-${dataset}`,
          description: `Kinesis ${dataset}: Firehose is more than 10 minutes behind`,
          namespace: 'AWS/Kinesis',
          metricName: 'GetRecords.IteratorAgeMilliseconds',
          dimensions: { StreamName: stream.name },
          statistic: 'Maximum',
          threshold: 600_000,
          comparison: 'GreaterThanThreshold',
        },
      );
    }
    for (const [dataset, delivery] of props.deliveryStreams) {
      specs.push(
        {
          id: `firehose-freshness-${dataset}`,
          description: `Firehose ${dataset}: oldest record older than 15 minutes`,
          namespace: 'AWS/Firehose',
          metricName: 'DeliveryToS3.DataFreshness',
          dimensions: { DeliveryStreamName: delivery.name },
          statistic: 'Maximum',
          threshold: 900,
          comparison: 'GreaterThanThreshold',
        },
        {
          id: `firehose-conversion-failed-${dataset}`,
          description: `Firehose ${dataset}: records failed Parquet conversion (errors/format-conversion-failed)`,
          namespace: 'AWS/Firehose',
          metricName: 'FailedConversion.Records',
          dimensions: { DeliveryStreamName: delivery.name },
          statistic: 'Sum',
          threshold: 0,
          comparison: 'GreaterThanThreshold',
        },
      );
    }
    for (const [dataset, fn] of props.transforms) {
      for (const metricName of ['Errors', 'Throttles']) {
        specs.push({
          id: `lambda-${metricName.toLowerCase()}-${dataset}`,
          description: `Transform ${dataset}: Lambda ${metricName}`,
          namespace: 'AWS/Lambda',
          metricName,
          dimensions: { FunctionName: fn.functionName },
          statistic: 'Sum',
          threshold: 0,
          comparison: 'GreaterThanThreshold',
        });
      }
    }
    specs.push({
      id: 'api-5xx',
      description: 'Ingest API: 5XX answers (Kinesis integration failing)',
      namespace: 'AWS/ApiGateway',
      metricName: '5XXError',
      dimensions: { ApiName: props.apiName, Stage: 'PROD' },
      statistic: 'Sum',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
    });
    // The collector puts one data point when a run finishes its snapshot reconciled, whether the data
    // file went direct (nothing of it on Kinesis) or streamed (decision 0022). 26 hours: a day and the
    // spread of the daily run's end (timer jitter, a retry) before a missing snapshot is called missed.
    for (const vendor of vendorDatasets) {
      specs.push({
        id: `collector-missed-run-${vendor.name}`,
        description: `Collector ${vendor.name}: no collect run finished a snapshot reconciled for 26 hours (a daily run failed or was missed; the collector journal and its run reports say which)`,
        namespace: SNAPSHOTS_COMPLETED_METRIC.namespace,
        metricName: SNAPSHOTS_COMPLETED_METRIC.name,
        dimensions: collectorMetricDimensions(config.environment, vendor.name),
        statistic: 'Sum',
        threshold: 1,
        comparison: 'LessThanThreshold',
        periodSeconds: 3_600,
        evaluationPeriods: 26,
        treatMissingData: 'breaching',
      });
    }
    for (const spec of specs) {
      this.alarms.push(
        new CloudwatchMetricAlarm(this, spec.id, {
          alarmName: this.name(spec.id),
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          period: spec.periodSeconds ?? 300,
          evaluationPeriods: spec.evaluationPeriods ?? 1,
          threshold: spec.threshold,
          comparisonOperator: spec.comparison,
          treatMissingData: spec.treatMissingData ?? 'notBreaching',
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
        }),
      );
    }
    if (config.streaming.mode === 'provisioned') {
      new ShardScaler(this, 'shard-scaler', {
        functionName: this.name('shard-scaler'),
        bundle: props.shardScalerBundle ?? lambdaBundle(SHARD_SCALER_BUNDLE_DIR),
        key: props.key,
        streams: [...props.streams.values()],
        streamNames: [...props.streams.keys()].map((dataset) => streamNameFor(config, dataset)),
        minShards: config.streaming.shardCount,
      });
    }
    const widget = (title: string, metrics: Array<[string, string, string, string]>, y: number) => ({
      type: 'metric',
      x: 0,
      y,
      width: 24,
      height: 6,
      properties: { title, region: config.region, stat: 'Sum', period: 300, metrics },
    });
    new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: this.name('pipeline'),
      dashboardBody: JSON.stringify({
        widgets: [
          widget('Kinesis incoming records', [...props.streams.values()].map((s) => ['AWS/Kinesis', 'IncomingRecords', 'StreamName', s.name] as [string, string, string, string]), 0),
          widget('Firehose records delivered to S3', [...props.deliveryStreams.values()].map((d) => ['AWS/Firehose', 'DeliveryToS3.Records', 'DeliveryStreamName', d.name] as [string, string, string, string]), 6),
          widget('Transform errors', [...props.transforms.values()].map((f) => ['AWS/Lambda', 'Errors', 'FunctionName', f.functionName] as [string, string, string, string]), 12),
          {
            type: 'metric',
            x: 0,
            y: 18,
            width: 24,
            height: 6,
            properties: {
              title: 'Records failed by the transform, by dataset and reason (EMF)',
              region: config.region,
              period: 300,
              metrics: [[{ expression: `SEARCH('{IngestLake,service,dataset,reason} MetricName="RecordsFailed"', 'Sum', 300)`, id: 'failed' }]],
            },
          },
        ],
      }),
    });
  }
}
