import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { directBulkPartKey, type Dataset, type DatasetRuntime } from '@ingest-lake/shared';
import { CuratedParquetFile, DEFAULT_ROW_GROUP_ROWS } from './curated-parquet-file';
import { registeredRuntime } from './dimension-snapshot-writer';
import { forEachPackRow } from './pack-rows';

export interface DirectPartWriterOptions {
  dataset: Dataset;
  /** Snapshot date `YYYY-MM-DD`: part keys and the `dt` of rows without an event time. */
  snapshot: string;
  /** Local folder for the part files (one per `dt`, replaced part after part). */
  directory: string;
  /** The number of the first part this writer writes (parts already in the lake + 1). */
  firstPart: number;
  /**
   * `dt` partitions the first part must write even with no rows in them: after a kill between a
   * part's upload and its checkpoint, the part is written again from the same frontier, and an
   * object of it that the new rows would not replace is replaced by an empty file instead. @default none
   */
  firstPartDts?: ReadonlyArray<string>;
  /** `_ingested_at` of a part's rows: taken when the part starts. */
  now: () => string;
  /** Rows buffered across all of a part's files before they are written as row groups. @default 50_000 */
  rowGroupRows?: number;
}

/** One local Parquet file of a part and the lake key it goes to. */
export interface DirectPartFile {
  dt: string;
  key: string;
  path: string;
  rows: number;
}

/** A closed part: its number and its files (none when it held no rows and had nothing to replace). */
export interface DirectPart {
  part: number;
  files: DirectPartFile[];
}

/**
 * Writes a data file's validated rows straight to curated Parquet, part by part (decision 0018).
 * Rows arrive as the packs the CSV ingest builds, and are curated exactly as the Firehose transform
 * curates a pack (`forEachPackRow`): so the columns, types and lineage are the streamed table's.
 * A part has one file per `dt`; its key is fixed by snapshot, part and `dt` (`directBulkPartKey`).
 * Memory holds at most `rowGroupRows` buffered rows across the part's files, whatever their number.
 */
export class DirectPartWriter {
  private readonly runtime: DatasetRuntime;
  private readonly rowGroupRows: number;
  private files = new Map<string, CuratedParquetFile>();
  private part: number;
  private forcedDts: ReadonlyArray<string>;
  private ingestedAt: string | undefined;
  private bufferedRows = 0;

  constructor(private readonly options: DirectPartWriterOptions) {
    this.runtime = registeredRuntime(options.dataset);
    if (!Number.isInteger(options.firstPart) || options.firstPart < 1) throw new RangeError(`firstPart: expected a positive integer, got ${options.firstPart}`);
    this.rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
    if (!Number.isInteger(this.rowGroupRows) || this.rowGroupRows < 1) throw new RangeError(`rowGroupRows: expected a positive integer, got ${this.rowGroupRows}`);
    this.part = options.firstPart;
    this.forcedDts = options.firstPartDts ?? [];
    mkdirSync(options.directory, { recursive: true });
  }

  /** The number of the part being written. */
  get currentPart(): number {
    return this.part;
  }

  /** Adds every row of one pack to the current part. */
  addPack(pack: Uint8Array): void {
    this.ingestedAt ??= this.options.now();
    forEachPackRow(this.runtime, pack, this.ingestedAt, ({ record, lineage, dt }) => {
      this.fileOf(dt).add(record, lineage);
      if (++this.bufferedRows >= this.rowGroupRows) this.flushRowGroups();
    });
  }

  /** Closes the current part's files and starts the next part; the caller uploads the files, then records the part. */
  closePart(): DirectPart {
    for (const dt of this.forcedDts) this.fileOf(dt);
    const files = [...this.files].map(([dt, file]) => ({ dt, key: this.keyOf(dt), path: file.path, rows: file.close() }));
    const closed = { part: this.part, files };
    this.files = new Map();
    this.forcedDts = [];
    this.bufferedRows = 0;
    this.ingestedAt = undefined;
    if (files.length > 0) this.part++;
    return closed;
  }

  private keyOf(dt: string): string {
    return directBulkPartKey(this.options.dataset.name, dt, this.options.snapshot, this.part);
  }

  private fileOf(dt: string): CuratedParquetFile {
    let file = this.files.get(dt);
    if (!file) {
      // Row groups are flushed by the part as a whole, never by one file.
      file = new CuratedParquetFile(this.options.dataset, path.join(this.options.directory, `dt=${dt}.parquet`), Number.MAX_SAFE_INTEGER);
      this.files.set(dt, file);
    }
    return file;
  }

  private flushRowGroups(): void {
    for (const file of this.files.values()) file.flush();
    this.bufferedRows = 0;
  }
}
