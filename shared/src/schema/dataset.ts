import type { ColumnDef, ColumnValue } from './column';
import { t } from './column';
import { SharedError } from '../shared-error';

/** Columns keyed by name, in declaration order (which is also the curated column order). */
export type ColumnMap = Record<string, ColumnDef>;

/** What a dataset declares; everything else (types, validators, DDL) is generated from it. */
export interface DatasetDeclaration<Columns extends ColumnMap = ColumnMap> {
  /** snake_case name; also the Glue table name and the `dataset=` partition value. */
  name: string;
  /** Schema version; bump when a column changes meaning. */
  version: number;
  description: string;
  columns: Columns;
  /** Columns that identify a record; the dedup key is built from them. Empty = the producer supplies one. */
  primaryKey: ReadonlyArray<keyof Columns & string>;
  /** A date or timestamp column; its UTC date becomes the `dt` partition. Absent = the producer's snapshot date. */
  eventTimeColumn?: keyof Columns & string;
}

/** A validated declaration plus derived facts (key names widened to string so datasets share one type). */
export interface Dataset<Columns extends ColumnMap = ColumnMap> {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly columns: Columns;
  readonly primaryKey: ReadonlyArray<string>;
  readonly eventTimeColumn?: string;
  readonly columnNames: ReadonlyArray<string>;
}

/** The normalised record type of a dataset. */
export type RecordOf<D extends { columns: ColumnMap }> = { [K in keyof D['columns']]: ColumnValue<D['columns'][K]> };

/** Lineage columns the transform appends to every curated record. */
export const lineageColumns = {
  _dedup_key: t.string({ description: 'Deterministic identity of the record; duplicates share it.' }),
  _ingested_at: t.timestamp({ description: 'When the transform processed the record (UTC).' }),
  _origin: t.string({ description: 'Where the record came from: source, file and line, or stream position.' }),
} as const;

/** The partition column every curated table has (Hive style `dt=YYYY-MM-DD`). */
export const partitionColumn = { name: 'dt', kind: 'date' } as const;

/** Thrown when a dataset declaration itself is wrong; names the dataset and the field. */
export class DatasetDeclarationError extends SharedError {
  readonly code = 'DATASET_DECLARATION_INVALID';
  constructor(
    readonly dataset: string,
    readonly field: string,
    problem: string,
  ) {
    super(`dataset "${dataset}": ${field}: ${problem}`);
    this.name = 'DatasetDeclarationError';
  }
}

const SNAKE_CASE = /^[a-z][a-z0-9_]*$/;
const MAX_GLUE_NAME_LENGTH = 255;

/** Declares a dataset, checking the declaration so that mistakes fail at import time, not in the data path. */
export function defineDataset<const Columns extends ColumnMap>(declaration: DatasetDeclaration<Columns>): Dataset<Columns> {
  const { name } = declaration;
  const fail = (field: string, problem: string): never => {
    throw new DatasetDeclarationError(name, field, problem);
  };
  if (!SNAKE_CASE.test(name) || name.length > MAX_GLUE_NAME_LENGTH) fail('name', 'must be snake_case, at most 255 characters');
  if (!Number.isInteger(declaration.version) || declaration.version < 1) fail('version', 'must be a positive integer');
  const columnNames = Object.keys(declaration.columns);
  if (columnNames.length === 0) fail('columns', 'at least one column is required');
  for (const columnName of columnNames) {
    const column = declaration.columns[columnName]!;
    if (!SNAKE_CASE.test(columnName)) fail(`columns.${columnName}`, 'column names must be snake_case');
    if (columnName in lineageColumns || columnName === partitionColumn.name) {
      fail(`columns.${columnName}`, 'is reserved for lineage/partitioning');
    }
    if (column.kind === 'decimal') {
      const { precision = 0, scale = -1 } = column;
      if (!(precision >= 1 && precision <= 38)) fail(`columns.${columnName}`, 'decimal precision must be 1..38');
      if (!(scale >= 0 && scale <= precision)) fail(`columns.${columnName}`, 'decimal scale must be 0..precision');
    }
    if (column.maxLength !== undefined && column.kind !== 'string') {
      fail(`columns.${columnName}`, 'maxLength applies to string columns only');
    }
  }
  for (const key of declaration.primaryKey) {
    const column = declaration.columns[key];
    if (!column) fail('primaryKey', `unknown column "${key}"`);
    else if (column.nullable) fail('primaryKey', `column "${key}" is nullable; key columns must not be`);
  }
  if (declaration.eventTimeColumn !== undefined) {
    const column = declaration.columns[declaration.eventTimeColumn];
    if (!column) fail('eventTimeColumn', `unknown column "${declaration.eventTimeColumn}"`);
    else if (column.kind !== 'date' && column.kind !== 'timestamp') {
      fail('eventTimeColumn', `column "${declaration.eventTimeColumn}" must be a date or timestamp`);
    } else if (column.nullable) fail('eventTimeColumn', 'the event-time column must not be nullable');
  }
  return Object.freeze({ ...declaration, columnNames: Object.freeze(columnNames) });
}
