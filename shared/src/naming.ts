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

/**
 * The metric the collector puts when a vendor file's header differs from the declared schema, and
 * infra's alarm watches: one data point of 1 per drifted file, dimensions `Environment` and `Dataset`
 * (the vendor dataset, e.g. `app_market`). Decision 0016.
 */
export const VENDOR_HEADER_DRIFT_METRIC = { namespace: 'IngestLake/Collector', name: 'VendorHeaderDrift' } as const;

/** The drift metric's dimensions, in the order the collector puts them and the alarm names them. */
export function vendorHeaderDriftDimensions(environment: string, vendorDataset: string): { Environment: string; Dataset: string } {
  checkPart('environment', environment);
  return { Environment: environment, Dataset: vendorDataset };
}
