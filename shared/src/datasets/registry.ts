import type { Dataset } from '../schema/dataset';
import { compileCuratedEncoder, type CuratedEncoder } from '../schema/compile-encoder';
import { compileObjectValidator, type ObjectValidator } from '../schema/compile-validator';
import { partitionDateOf, primaryKeyDedupKey } from '../schema/record-identity';
import { appMarket } from './app-market';
import { events } from './events';
import type { VendorDataset } from './vendor-dataset';

/** Every vendor dataset the project knows. */
export const vendorDatasets: ReadonlyArray<VendorDataset> = [appMarket];

/** Every dataset, streamed or dimension, by name. */
export const datasets: ReadonlyMap<string, Dataset> = new Map(
  [events as Dataset, ...vendorDatasets.flatMap((v) => [v.dataFile.dataset, ...v.metadataFiles.map((f) => f.dataset)])].map(
    (dataset) => [dataset.name, dataset],
  ),
);

/** Datasets that flow through Kinesis and Firehose into curated Parquet (one delivery stream each). */
export const streamedDatasets: ReadonlyArray<Dataset> = [events as Dataset, ...vendorDatasets.map((v) => v.dataFile.dataset)];

/**
 * Dimension datasets (the vendors' metadata files): the collector curates them straight to Parquet,
 * one `dt` partition per snapshot (docs/decisions/0012-dimension-snapshots-curated-by-the-collector.md).
 */
export const dimensionDatasets: ReadonlyArray<Dataset> = vendorDatasets.flatMap((v) => v.metadataFiles.map((f) => f.dataset));

/** Every curated table, streamed or dimension: what the Glue catalog and the local catalog declare. */
export const curatedDatasets: ReadonlyArray<Dataset> = [...streamedDatasets, ...dimensionDatasets];

/** What the data path needs for one dataset, compiled once per process. */
export interface DatasetRuntime {
  dataset: Dataset;
  validate: ObjectValidator<Record<string, unknown>>;
  encodeCurated: CuratedEncoder<Record<string, unknown>>;
  /** Dedup key from the primary key. */
  dedupKeyOf: (record: Record<string, unknown>) => string;
  /** `dt` partition of a record; `fallbackDate` serves datasets without an event-time column. */
  partitionDateOf: (record: Record<string, unknown>, fallbackDate?: string) => string | undefined;
}

const runtimes = new Map<string, DatasetRuntime>();

/** The compiled runtime of a dataset, or undefined for an unknown name. Compiles lazily (cold start cost only for used datasets). */
export function datasetRuntime(name: string): DatasetRuntime | undefined {
  const cached = runtimes.get(name);
  if (cached) return cached;
  const dataset = datasets.get(name);
  if (!dataset) return undefined;
  const dedupKey = primaryKeyDedupKey(dataset);
  if (!dedupKey) throw new Error(`dataset "${name}" has no primary key`);
  const runtime: DatasetRuntime = {
    dataset,
    validate: compileObjectValidator(dataset) as ObjectValidator<Record<string, unknown>>,
    encodeCurated: compileCuratedEncoder(dataset) as CuratedEncoder<Record<string, unknown>>,
    dedupKeyOf: dedupKey as (record: Record<string, unknown>) => string,
    partitionDateOf: (record, fallbackDate) => partitionDateOf(dataset, record as never, fallbackDate),
  };
  runtimes.set(name, runtime);
  return runtime;
}
