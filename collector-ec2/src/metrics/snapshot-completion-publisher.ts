import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNAPSHOTS_COMPLETED_METRIC } from '@ingest-lake/shared';
import { putCollectorCount } from './collector-count-metric';

/** A snapshot a `collect` run finished, reconciled, while it held the snapshot's lease. */
export interface SnapshotCompletion {
  /** The vendor dataset (`app_market`). */
  vendorDataset: string;
  snapshot: string;
  runId: string;
}

/** Where the collector reports a finished snapshot, so that a day without one is noticed (decision 0022). */
export interface SnapshotCompletionPublisher {
  publish(completion: SnapshotCompletion): Promise<void>;
}

/**
 * Puts one data point of 1 on `IngestLake/Collector SnapshotsCompleted` per finished snapshot, with
 * the environment and vendor dataset as dimensions: infra's missed-run alarm fires when a day passes
 * without one.
 */
export class CloudWatchSnapshotCompletionPublisher implements SnapshotCompletionPublisher {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly environment: string,
  ) {}

  publish(completion: SnapshotCompletion): Promise<void> {
    return putCollectorCount(this.client, SNAPSHOTS_COMPLETED_METRIC, this.environment, completion.vendorDataset);
  }
}
