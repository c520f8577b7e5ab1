import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { Dataset } from '@ingest-lake/shared';
import { parquetColumns, parquetSchema, type ParquetColumn } from './parquet-columns';

/** Rows per row group unless told otherwise: what one curated file holds in memory before writing. */
export const DEFAULT_ROW_GROUP_ROWS = 50_000;

/**
 * One local curated Parquet file of a dataset: normalised records plus their lineage, written in row
 * groups as they fill (hyparquet-writer is synchronous), so memory holds at most one row group.
 */
export class CuratedParquetFile {
  private readonly columns: ParquetColumn[];
  private readonly writer: ParquetWriter;
  private readonly rowGroupRows: number;
  private buffered: unknown[][];
  private bufferedRows = 0;
  private rows = 0;

  constructor(
    dataset: Dataset,
    /** Local file the Parquet goes to (replaced). */
    readonly path: string,
    rowGroupRows = DEFAULT_ROW_GROUP_ROWS,
  ) {
    if (!Number.isInteger(rowGroupRows) || rowGroupRows < 1) throw new RangeError(`rowGroupRows: expected a positive integer, got ${rowGroupRows}`);
    this.rowGroupRows = rowGroupRows;
    this.columns = parquetColumns(dataset);
    this.buffered = this.columns.map(() => []);
    this.writer = new ParquetWriter({ writer: fileWriter(path), schema: parquetSchema(this.columns), codec: 'SNAPPY', createdBy: 'ingest-lake collector' });
  }

  /** Rows added so far (buffered included). */
  get rowsWritten(): number {
    return this.rows;
  }

  /** Adds one row: a declared column takes the record's value, a lineage column the lineage's. */
  add(record: Record<string, unknown>, lineage: Record<string, unknown>): void {
    const { columns, buffered } = this;
    for (let at = 0; at < columns.length; at++) {
      const column = columns[at]!;
      buffered[at]!.push(column.toStored(column.name in record ? record[column.name] : lineage[column.name]));
    }
    this.bufferedRows++;
    this.rows++;
    if (this.bufferedRows >= this.rowGroupRows) this.flush();
  }

  /** Writes the buffered rows as a row group now (nothing when none are buffered). */
  flush(): void {
    if (this.bufferedRows === 0) return;
    void this.writer.write({
      columnData: this.columns.map((column, at) => ({ name: column.name, data: this.buffered[at]!, nullable: column.element.repetition_type === 'OPTIONAL' })),
      rowGroupSize: this.bufferedRows,
    });
    this.buffered = this.columns.map(() => []);
    this.bufferedRows = 0;
  }

  /** Writes what is buffered and the footer; returns the rows written. No rows is a valid file with no row groups. */
  close(): number {
    this.flush();
    void this.writer.finish();
    return this.rows;
  }
}
