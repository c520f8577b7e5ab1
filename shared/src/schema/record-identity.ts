import type { ColumnMap, Dataset, RecordOf } from './dataset';

/**
 * Record identity: the deterministic dedup key and the `dt` partition of a record.
 * Producers and the transform both use these, so a re-sent record always gets the same key.
 */

/**
 * Dedup key from the primary key: `<dataset>:<JSON array of key values>`. JSON keeps it
 * unambiguous when a key value contains a separator character.
 */
export function primaryKeyDedupKey<C extends ColumnMap>(
  dataset: Dataset<C>,
): ((record: RecordOf<Dataset<C>>) => string) | undefined {
  if (dataset.primaryKey.length === 0) return undefined;
  const keys = dataset.primaryKey as ReadonlyArray<keyof RecordOf<Dataset<C>>>;
  const prefix = `${dataset.name}:[`;
  // Same text as JSON.stringify(keys.map(...)) without building the array: this runs per record.
  return (record) => {
    let key = prefix;
    for (let i = 0; i < keys.length; i++) key += (i === 0 ? '' : ',') + JSON.stringify(record[keys[i]!]);
    return `${key}]`;
  };
}

/** Dedup key for records without a primary key: their position in an immutable source file. */
export function positionalDedupKey(dataset: string, snapshot: string, file: string, line: number): string {
  return `${dataset}:${snapshot}/${file}#${line}`;
}

/** The `dt` partition value (UTC date) of a record, or `fallbackDate` when the dataset has no event time. */
export function partitionDateOf<C extends ColumnMap>(
  dataset: Dataset<C>,
  record: RecordOf<Dataset<C>>,
  fallbackDate?: string,
): string | undefined {
  if (dataset.eventTimeColumn === undefined) return fallbackDate;
  const value = record[dataset.eventTimeColumn] as unknown;
  // Dates are YYYY-MM-DD and normalised timestamps start with the UTC date.
  return typeof value === 'string' ? value.slice(0, 10) : undefined;
}
