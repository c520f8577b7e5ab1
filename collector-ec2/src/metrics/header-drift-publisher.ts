import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { VENDOR_HEADER_DRIFT_METRIC, type HeaderDrift } from '@ingest-lake/shared';
import { putCollectorCount } from './collector-count-metric';

/** A vendor file whose header differs from the declared schema. */
export interface HeaderDriftReport {
  /** The vendor dataset (`app_market`). */
  vendorDataset: string;
  snapshot: string;
  file: string;
  drift: HeaderDrift;
}

/** Where the collector reports header drift so that someone is told (decision 0016). */
export interface HeaderDriftPublisher {
  publish(report: HeaderDriftReport): Promise<void>;
}

/**
 * Puts one data point of 1 on `IngestLake/Collector VendorHeaderDrift` per drifted file, with the
 * environment and vendor dataset as dimensions: the alarm infra declares on it notifies the alarm topic.
 */
export class CloudWatchHeaderDriftPublisher implements HeaderDriftPublisher {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly environment: string,
  ) {}

  publish(report: HeaderDriftReport): Promise<void> {
    return putCollectorCount(this.client, VENDOR_HEADER_DRIFT_METRIC, this.environment, report.vendorDataset);
  }
}
