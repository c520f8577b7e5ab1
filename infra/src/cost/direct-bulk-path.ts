import { DEFAULT_DIRECT_PART_ROWS } from '@ingest-lake/shared';
import type { Workload } from './cost-inputs';

/**
 * What the collector puts in S3 for one snapshot, and how long the direct bulk path (decision 0018)
 * takes from the end of the download to the rows being queryable. Pure arithmetic on a workload.
 */

const MiB = 1024 ** 2;

/**
 * The direct bulk path's rate from the end of the download to the last part in the lake (parse,
 * validate, write Parquet, put the parts), measured by `tests/bench/e2e/bulk-to-query-bench.ts` for the
 * 2 M-row file on this project's 2-core machine under load (docs/benchmarks.md, decision 0018).
 */
export const DIRECT_BULK_ROWS_PER_SECOND = 12_000;
/** Curated Parquet bytes per CSV byte of app_market_daily as the collector writes it (measured: 67 bytes per 191-byte row; the unique lineage strings dominate). */
export const DIRECT_PARQUET_RATIO = 0.35;
/** Assumed PutObject rate of one stream from the collector instance to S3 in its region; the parts are put one after another. */
export const S3_PUT_BYTES_PER_SECOND = 50 * MiB;
/** The collector archives a vendor file with a multipart upload of this part size (`archiveRawFile`'s default). */
export const RAW_ARCHIVE_PART_BYTES = 16 * MiB;

/** Parquet parts of one snapshot's data file: one per `DEFAULT_DIRECT_PART_ROWS` rows, one object each (a daily snapshot has one `dt`). */
export function directPartsPerSnapshot(workload: Workload): number {
  return Math.ceil(workload.bulk.rowsPerSnapshot / DEFAULT_DIRECT_PART_ROWS);
}

/** Bytes of curated Parquet the collector writes for one snapshot's data file. */
export function directParquetBytesPerSnapshot(workload: Workload): number {
  return workload.bulk.rowsPerSnapshot * workload.bulk.csvBytesPerRow * DIRECT_PARQUET_RATIO;
}

/** Gzip bytes of one snapshot's data file as the vendor serves it and `raw/` keeps it. */
export function rawDataFileBytesPerSnapshot(workload: Workload): number {
  return workload.bulk.rowsPerSnapshot * workload.bulk.csvBytesPerRow * workload.bulk.compressedRatio;
}

/**
 * PUT-class requests of the collector for one snapshot, whatever the delivery: the data file's raw
 * archive (CreateMultipartUpload, one UploadPart per part, CompleteMultipartUpload; one PutObject when
 * it fits one part) and each metadata file's raw archive and curated Parquet (decision 0012).
 */
export function collectorPutsPerSnapshot(workload: Workload): number {
  const rawParts = Math.ceil(rawDataFileBytesPerSnapshot(workload) / RAW_ARCHIVE_PART_BYTES);
  const rawArchive = rawParts > 1 ? rawParts + 2 : 1;
  return rawArchive + workload.bulk.metadataFilesPerSnapshot * 2;
}

/**
 * Model figure, not a measurement: seconds from the end of a snapshot's download to its rows being
 * queryable in Athena with the direct bulk path. The collector curates at the rate measured locally
 * and puts each part before it goes on; the Glue table's partition projection finds the new `dt`
 * without a crawler or MSCK, so the last part's upload is the end.
 */
export function directBulkQueryableSeconds(workload: Workload): number {
  return workload.bulk.rowsPerSnapshot / DIRECT_BULK_ROWS_PER_SECOND + directParquetBytesPerSnapshot(workload) / S3_PUT_BYTES_PER_SECOND;
}
