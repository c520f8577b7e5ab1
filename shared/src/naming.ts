/**
 * Names of deployed things that more than one package must agree on: infra creates or grants
 * them, the collector and operators use them. Each is built here once, so the sides cannot drift
 * (a collector reading one SSM name while its role may read another stops at its first run).
 */

const NAME_PART = /^[a-z][a-z0-9-]*$/;

function checkPart(argument: string, value: string): void {
  if (!NAME_PART.test(value))
    throw new RangeError(`${argument}: expected lower-case letters, digits and dashes, got "${value}"`);
}

/** SSM parameter (SecureString, created by operators) holding the vendor API key: `/<project>/<environment>/vendor/api-key`. */
export function vendorApiKeyParameterName(project: string, environment: string): string {
  checkPart('project', project);
  checkPart('environment', environment);
  return `/${project}/${environment}/vendor/api-key`;
}

/** Kinesis stream of a streamed dataset: `<project>-<environment>-<dataset with dashes for underscores>`. */
export function streamName(project: string, environment: string, dataset: string): string {
  checkPart('project', project);
  checkPart('environment', environment);
  if (!/^[a-z][a-z0-9_]*$/.test(dataset))
    throw new RangeError(`dataset: expected a dataset name (lower-case, digits, underscores), got "${dataset}"`);
  return `${project}-${environment}-${dataset.replace(/_/g, '-')}`;
}

/** The namespace of every metric the collector's instance puts; its role may put into no other. */
export const COLLECTOR_METRICS_NAMESPACE = 'IngestLake/Collector';

/**
 * The metric the collector puts when a vendor file's header differs from the declared schema, and
 * infra's alarm watches: one data point of 1 per drifted file, dimensions `collectorMetricDimensions`.
 * Decision 0016.
 */
export const VENDOR_HEADER_DRIFT_METRIC = { namespace: COLLECTOR_METRICS_NAMESPACE, name: 'VendorHeaderDrift' } as const;

/**
 * The metric the collector puts when a `collect` run finishes its snapshot reconciled, whether the
 * data file went direct or through the stream, and infra's missed-run alarm watches: one data point
 * of 1 by the run that held the snapshot's lease and wrote its report. A run that only found or
 * waited for that holder (exit 8, or `--wait-for-lease` ending with the holder's report) and a
 * `replay` put none. Dimensions `collectorMetricDimensions`. Decision 0022.
 */
export const SNAPSHOTS_COMPLETED_METRIC = { namespace: COLLECTOR_METRICS_NAMESPACE, name: 'SnapshotsCompleted' } as const;

/**
 * The dimensions of the collector's per-dataset metrics (header drift, snapshots completed), in the
 * order the collector puts them and the alarms name them: the environment and the vendor dataset
 * (`app_market`).
 */
export function collectorMetricDimensions(environment: string, vendorDataset: string): { Environment: string; Dataset: string } {
  checkPart('environment', environment);
  if (!/^[a-z][a-z0-9_]*$/.test(vendorDataset))
    throw new RangeError(`vendorDataset: expected a vendor dataset name (lower-case, digits, underscores), got "${vendorDataset}"`);
  return { Environment: environment, Dataset: vendorDataset };
}
