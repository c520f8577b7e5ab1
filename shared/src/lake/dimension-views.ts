import type { Dataset } from '../schema/dataset';

/**
 * The views over a dimension's snapshots, generated from its declaration so that each of the twelve
 * needs no SQL file of its own. Both run unchanged on Athena (Trino) and DuckDB.
 */

/** Name of a dimension's "current" view: `<dataset>_current`. */
export function currentViewName(dataset: Dataset): string {
  return `${dataset.name}_current`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Rows of the newest snapshot on or before `asOf` (all snapshots when absent), one per primary key. */
function latestSnapshotRows(dataset: Dataset, asOf?: string): string {
  if (asOf !== undefined && !DATE.test(asOf)) throw new RangeError(`asOf: expected YYYY-MM-DD, got "${asOf}"`);
  const bound = asOf === undefined ? '' : ` WHERE dt <= DATE '${asOf}'`;
  return (
    `SELECT *\nFROM (\n` +
    `  SELECT s.*, row_number() OVER (PARTITION BY _dedup_key ORDER BY _ingested_at DESC) AS duplicate_rank\n` +
    `  FROM ${dataset.name} s\n` +
    `  WHERE dt = (SELECT max(dt) FROM ${dataset.name}${bound})\n` +
    `) ranked\nWHERE duplicate_rank = 1`
  );
}

/** `CREATE OR REPLACE VIEW <dataset>_current`: the newest snapshot, each key once (a re-run of a snapshot counts once). */
export function currentViewSql(dataset: Dataset): string {
  return (
    `-- Generated from the schema of ${dataset.name}: its newest snapshot, one row per primary key.\n` +
    `CREATE OR REPLACE VIEW ${currentViewName(dataset)} AS\n${latestSnapshotRows(dataset)};\n`
  );
}

/** The dimension as it was at snapshot `asOf` (`YYYY-MM-DD`): the newest snapshot on or before that day. */
export function asOfSnapshotSql(dataset: Dataset, asOf: string): string {
  return `${latestSnapshotRows(dataset, asOf)};\n`;
}
