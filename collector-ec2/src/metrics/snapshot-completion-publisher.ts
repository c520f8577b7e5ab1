import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNAPSHOTS_COMPLETED_METRIC } from '@ingest-lake/shared';
import { CloudWatchCountPublisher, type MetricPublisher, type VendorSnapshotReport } from './cloudwatch-count-publisher';

/** A snapshot a `collect` run finished, reconciled, while it held the snapshot's lease. */
export interface SnapshotCompletion extends VendorSnapshotReport {
  /** The run that collected it (its report's `runId`). */
  runId: string;
}

/** Where the collector reports a finished snapshot, so that a day without one is noticed (decision 0022). */
export type SnapshotCompletionPublisher = MetricPublisher<SnapshotCompletion>;

/**
 * Puts one data point of 1 on `IngestLake/Collector SnapshotsCompleted` per finished snapshot, with
 * the environment and vendor dataset as dimensions: infra's missed-run alarm fires when a day passes
 * without one.
 */
export class CloudWatchSnapshotCompletionPublisher extends CloudWatchCountPublisher<SnapshotCompletion> implements SnapshotCompletionPublisher {
  constructor(client: CloudWatchClient, environment: string) {
    super(client, environment, SNAPSHOTS_COMPLETED_METRIC);
  }
}
