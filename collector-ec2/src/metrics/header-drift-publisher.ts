import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { VENDOR_HEADER_DRIFT_METRIC, type HeaderDrift } from '@ingest-lake/shared';
import { CloudWatchCountPublisher, type MetricPublisher, type VendorSnapshotReport } from './cloudwatch-count-publisher';

/** A vendor file whose header differs from the declared schema. */
export interface HeaderDriftReport extends VendorSnapshotReport {
  file: string;
  drift: HeaderDrift;
}

/** Where the collector reports header drift so that someone is told (decision 0016). */
export type HeaderDriftPublisher = MetricPublisher<HeaderDriftReport>;

/**
 * Puts one data point of 1 on `IngestLake/Collector VendorHeaderDrift` per drifted file, with the
 * environment and vendor dataset as dimensions: the alarm infra declares on it notifies the alarm topic.
 */
export class CloudWatchHeaderDriftPublisher extends CloudWatchCountPublisher<HeaderDriftReport> implements HeaderDriftPublisher {
  constructor(client: CloudWatchClient, environment: string) {
    super(client, environment, VENDOR_HEADER_DRIFT_METRIC);
  }
}
