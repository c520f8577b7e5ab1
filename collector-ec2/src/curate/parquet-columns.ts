import type { SchemaElement } from 'hyparquet-writer';
import { curatedColumns, parquetType, type ColumnDef, type Dataset } from '@ingest-lake/shared';
import { CollectorError } from '../collector-error';

/**
 * The Parquet schema of a curated table and the conversion of normalised values (the shared
 * validators' output: decimals and bigints as strings, dates and timestamps as UTC text) into what
 * the writer stores. Physical and logical types come from the shared `parquetType`, the one layout
 * Firehose's conversion and DuckDB write too.
 */

/** One curated column: its schema element and how a normalised value is stored. */
export interface ParquetColumn {
  name: string;
  element: SchemaElement;
  toStored: (value: unknown) => unknown;
}

const DAY_MILLIS = 86_400_000;

/** A normalised value the column cannot hold: the validator and this layout disagree (a bug, not bad input). */
export class ParquetValueError extends CollectorError {
  readonly code = 'PARQUET_VALUE_UNSTORABLE';
  constructor(
    readonly column: string,
    readonly value: unknown,
  ) {
    super(`column "${column}": cannot store ${JSON.stringify(value)} in Parquet`);
    this.name = 'ParquetValueError';
  }
}

/** Bytes of a FIXED_LEN_BYTE_ARRAY that holds every unscaled value of `precision` digits, sign included. */
function decimalByteLength(precision: number): number {
  return Math.ceil((precision * Math.log2(10) + 1) / 8);
}

function elementOf(name: string, column: ColumnDef): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED';
  const { physical } = parquetType(column);
  switch (column.kind) {
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'decimal': {
      const precision = column.precision!;
      const scale = column.scale!;
      return physical === 'INT64'
        ? { name, type: 'INT64', converted_type: 'DECIMAL', precision, scale, repetition_type }
        : { name, type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalByteLength(precision), converted_type: 'DECIMAL', precision, scale, repetition_type };
    }
    case 'date':
      return { name, type: 'INT32', converted_type: 'DATE', repetition_type };
    case 'timestamp':
      return { name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type };
    default:
      return { name, type: physical as 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN', repetition_type };
  }
}

function converterOf(name: string, column: ColumnDef): (value: unknown) => unknown {
  const fail = (value: unknown): never => {
    throw new ParquetValueError(name, value);
  };
  switch (column.kind) {
    case 'bigint':
      return (value) => (typeof value === 'string' || typeof value === 'number' ? BigInt(value) : fail(value));
    case 'decimal':
      // Normalised decimals carry exactly `scale` fraction digits: the digits without the point are the unscaled value.
      return (value) => (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? BigInt(value.replace('.', '')) : fail(value));
    case 'date':
      return (value) => (typeof value === 'string' ? Date.parse(`${value}T00:00:00Z`) / DAY_MILLIS : fail(value));
    case 'timestamp':
      return (value) => (typeof value === 'string' ? BigInt(Date.parse(`${value.replace(' ', 'T')}Z`)) : fail(value));
    default:
      return (value) => value;
  }
}

/** The curated columns of a dataset (declared columns, then lineage) as Parquet columns. */
export function parquetColumns(dataset: Dataset): ParquetColumn[] {
  return curatedColumns(dataset).map(({ name, column }) => {
    const convert = converterOf(name, column);
    return { name, element: elementOf(name, column), toStored: (value) => (value === null || value === undefined ? null : convert(value)) };
  });
}

/** The file schema: a root element, then one element per column. */
export function parquetSchema(columns: ReadonlyArray<ParquetColumn>): SchemaElement[] {
  return [{ name: 'root', num_children: columns.length }, ...columns.map((c) => c.element)];
}
