import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { datasetRuntime, decodeRecord, formatIssue, parsePackEntry, type Dataset, type DatasetRuntime } from '@ingest-lake/shared';
import { parquetColumns, parquetSchema, type ParquetColumn } from './parquet-columns';

/** A pack the collector itself built failed the dataset's validator: the row encoder and the validator disagree (a bug). */
export class CuratedRowError extends Error {
  constructor(
    readonly dataset: string,
    readonly line: number | undefined,
    problem: string,
  ) {
    super(`${dataset}${line === undefined ? '' : ` line ${line}`}: ${problem}`);
    this.name = 'CuratedRowError';
  }
}

export interface DimensionSnapshotWriterOptions {
  dataset: Dataset;
  /** Local file the Parquet goes to (replaced). */
  path: string;
  /** `_ingested_at` of every row: the run's processing time, UTC text. */
  ingestedAt: string;
  /** Rows per row group: what is held in memory before it is written. @default 50_000 */
  rowGroupRows?: number;
}

/**
 * Writes one dimension snapshot as curated Parquet: the packs the CSV ingest builds for the file
 * (the same validated entries the data file sends to Kinesis) are unpacked, normalised by the shared
 * validator and enriched with the lineage columns exactly as the Firehose transform does, then
 * written in row groups, so memory holds at most one row group whatever the file's size.
 */
export class DimensionSnapshotWriter {
  private readonly runtime: DatasetRuntime;
  private readonly columns: ParquetColumn[];
  private readonly writer: ParquetWriter;
  private readonly rowGroupRows: number;
  private buffered: unknown[][];
  private bufferedRows = 0;
  private rows = 0;

  constructor(private readonly options: DimensionSnapshotWriterOptions) {
    const runtime = datasetRuntime(options.dataset.name);
    if (!runtime) throw new RangeError(`dataset: "${options.dataset.name}" is not in the shared registry`);
    this.rowGroupRows = options.rowGroupRows ?? 50_000;
    if (!Number.isInteger(this.rowGroupRows) || this.rowGroupRows < 1) throw new RangeError(`rowGroupRows: expected a positive integer, got ${this.rowGroupRows}`);
    this.runtime = runtime;
    this.columns = parquetColumns(options.dataset);
    this.buffered = this.columns.map(() => []);
    this.writer = new ParquetWriter({ writer: fileWriter(options.path), schema: parquetSchema(this.columns), codec: 'SNAPPY', createdBy: 'ingest-lake collector' });
  }

  /** The local Parquet file. */
  get path(): string {
    return this.options.path;
  }

  /** Rows written so far (buffered included). */
  get rowsWritten(): number {
    return this.rows;
  }

  /** Adds every entry of one pack (the bytes a producer would put on Kinesis). */
  addPack(pack: Uint8Array): void {
    const decoded = decodeRecord(pack);
    if (decoded.kind !== 'pack') throw new CuratedRowError(this.options.dataset.name, undefined, 'expected a pack');
    const { header, entryLines } = decoded;
    entryLines.forEach((entryLine, index) => {
      const entry = parsePackEntry(entryLine, index, header.columns);
      const validation = this.runtime.validate(entry.r);
      if (!validation.ok) throw new CuratedRowError(this.options.dataset.name, entry.l, formatIssue(validation.issue));
      const record = validation.value;
      const lineage: Record<string, unknown> = {
        _dedup_key: entry.k ?? this.runtime.dedupKeyOf(record),
        _ingested_at: this.options.ingestedAt,
        _origin: entry.l === undefined ? header.origin : `${header.origin}#${entry.l}`,
      };
      this.columns.forEach((column, at) => this.buffered[at]!.push(column.toStored(column.name in record ? record[column.name] : lineage[column.name])));
      this.bufferedRows++;
      this.rows++;
      if (this.bufferedRows >= this.rowGroupRows) this.writeRowGroup();
    });
  }

  private writeRowGroup(): void {
    if (this.bufferedRows === 0) return;
    void this.writer.write({
      columnData: this.columns.map((column, at) => ({ name: column.name, data: this.buffered[at]!, nullable: column.element.repetition_type === 'OPTIONAL' })),
      rowGroupSize: this.bufferedRows,
    });
    this.buffered = this.columns.map(() => []);
    this.bufferedRows = 0;
  }

  /** Writes what is buffered and the footer; returns the rows written. An empty snapshot is a valid file with no row groups. */
  close(): number {
    this.writeRowGroup();
    void this.writer.finish();
    return this.rows;
  }
}
