import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { collectorMetricDimensions } from '@ingest-lake/shared';

/** A collector metric as `shared/` defines it (`VENDOR_HEADER_DRIFT_METRIC`, `SNAPSHOTS_COMPLETED_METRIC`). */
export interface CollectorMetric {
  namespace: string;
  name: string;
}

/**
 * Puts one data point of 1 (unit Count) on a collector metric, with the dimensions every per-dataset
 * collector metric carries (`collectorMetricDimensions`): the metric's alarm sums these points.
 */
export async function putCollectorCount(client: CloudWatchClient, metric: CollectorMetric, environment: string, vendorDataset: string): Promise<void> {
  const dimensions = collectorMetricDimensions(environment, vendorDataset);
  await client.send(
    new PutMetricDataCommand({
      Namespace: metric.namespace,
      MetricData: [
        {
          MetricName: metric.name,
          Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
          Value: 1,
          Unit: 'Count',
        },
      ],
    }),
  );
}
