import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { collectorMetricDimensions } from '@ingest-lake/shared';

/** A collector metric as `shared/` defines it (`VENDOR_HEADER_DRIFT_METRIC`, `SNAPSHOTS_COMPLETED_METRIC`). */
export interface CollectorMetric {
  namespace: string;
  name: string;
}

/** What a collector metric reports on: a vendor dataset's snapshot (the dataset is the metric's `Dataset` dimension). */
export interface VendorSnapshotReport {
  /** The vendor dataset (`app_market`). */
  vendorDataset: string;
  /** Snapshot date `YYYY-MM-DD`. */
  snapshot: string;
}

/** Where the collector reports something an alarm watches; a failed publish is the caller's to report, never fatal. */
export interface MetricPublisher<Report> {
  publish(report: Report): Promise<void>;
}

/**
 * Puts one data point of 1 (unit Count) on a collector metric per report published, with the
 * dimensions every per-dataset collector metric carries (`collectorMetricDimensions`: the
 * environment and the report's vendor dataset). The metric's alarm sums these points.
 */
export class CloudWatchCountPublisher<Report extends VendorSnapshotReport> implements MetricPublisher<Report> {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly environment: string,
    private readonly metric: CollectorMetric,
  ) {}

  async publish(report: Report): Promise<void> {
    const dimensions = collectorMetricDimensions(this.environment, report.vendorDataset);
    await this.client.send(
      new PutMetricDataCommand({
        Namespace: this.metric.namespace,
        MetricData: [
          {
            MetricName: this.metric.name,
            Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
            Value: 1,
            Unit: 'Count',
          },
        ],
      }),
    );
  }
}
