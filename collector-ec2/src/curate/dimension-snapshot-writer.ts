import { datasetRuntime, type Dataset, type DatasetRuntime } from '@ingest-lake/shared';
import { CuratedParquetFile, DEFAULT_ROW_GROUP_ROWS } from './curated-parquet-file';
import { forEachPackRow } from './pack-rows';

export { CuratedRowError } from './pack-rows';

export interface DimensionSnapshotWriterOptions {
  dataset: Dataset;
  /** Local file the Parquet goes to (replaced). */
  path: string;
  /** `_ingested_at` of every row: the run's processing time, UTC text. */
  ingestedAt: string;
  /** Rows per row group: what is held in memory before it is written. @default 50_000 */
  rowGroupRows?: number;
}

/** The compiled runtime of a registered dataset; a dataset outside the shared registry is a configuration error. */
export function registeredRuntime(dataset: Dataset): DatasetRuntime {
  const runtime = datasetRuntime(dataset.name);
  if (!runtime) throw new RangeError(`dataset: "${dataset.name}" is not in the shared registry`);
  return runtime;
}

/**
 * Writes one dimension snapshot as curated Parquet: the packs the CSV ingest builds for the file
 * (the same validated entries the data file sends to Kinesis) are unpacked, normalised by the shared
 * validator and enriched with the lineage columns exactly as the Firehose transform does, then
 * written in row groups, so memory holds at most one row group whatever the file's size.
 */
export class DimensionSnapshotWriter {
  private readonly runtime: DatasetRuntime;
  private readonly file: CuratedParquetFile;

  constructor(private readonly options: DimensionSnapshotWriterOptions) {
    this.runtime = registeredRuntime(options.dataset);
    this.file = new CuratedParquetFile(options.dataset, options.path, options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS);
  }

  /** The local Parquet file. */
  get path(): string {
    return this.options.path;
  }

  /** Rows written so far (buffered included). */
  get rowsWritten(): number {
    return this.file.rowsWritten;
  }

  /** Adds every entry of one pack (the bytes a producer would put on Kinesis). */
  addPack(pack: Uint8Array): void {
    forEachPackRow(this.runtime, pack, this.options.ingestedAt, ({ record, lineage }) => this.file.add(record, lineage));
  }

  /** Writes what is buffered and the footer; returns the rows written. An empty snapshot is a valid file with no row groups. */
  close(): number {
    return this.file.close();
  }
}
