import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { StreamLoad } from './scaling-decision';

/** Reads a stream's peak write load over the last `windowMinutes` from CloudWatch, and its shard count from Kinesis. */
export async function readStreamLoad(
  kinesis: KinesisClient,
  cloudwatch: CloudWatchClient,
  streamName: string,
  updatesInLast24Hours: number,
  windowMinutes = 15,
  now = new Date(),
): Promise<StreamLoad> {
  const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const metric = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'AWS/Kinesis', MetricName: metricName, Dimensions: [{ Name: 'StreamName', Value: streamName }] }, Period: 60, Stat: 'Sum' },
  });
  const data = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - windowMinutes * 60_000),
      EndTime: now,
      MetricDataQueries: [metric('bytes', 'IncomingBytes'), metric('records', 'IncomingRecords'), metric('throttled', 'WriteProvisionedThroughputExceeded')],
    }),
  );
  const series = (id: string) => data.MetricDataResults?.find((r) => r.Id === id)?.Values ?? [];
  return {
    openShards: summary.StreamDescriptionSummary?.OpenShardCount ?? 1,
    peakBytesPerSecond: Math.max(0, ...series('bytes')) / 60,
    peakRecordsPerSecond: Math.max(0, ...series('records')) / 60,
    throttledWrites: series('throttled').reduce((a, b) => a + b, 0),
    updatesInLast24Hours,
  };
}
