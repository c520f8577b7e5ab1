import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { dimensionSnapshotKey, formatTimestamp, vendorBulkOrigin, type VendorFile } from '@ingest-lake/shared';
import { DimensionSnapshotWriter } from '../curate/dimension-snapshot-writer';
import type { QuarantineWriter } from '../parse/quarantine-writer';
import { ingestCsvFile, type CsvFileIngestOptions, type FileProgress } from './csv-file-ingest';

/** Where a curated dimension snapshot went, and how many rows it holds. */
export interface CuratedDimension {
  key: string;
  rows: number;
}

export interface DimensionFileCurationOptions {
  /** The vendor dataset's name (`app_market`): part of every row's origin. */
  vendorDataset: string;
  /** One of the vendor dataset's metadata files. */
  vendorFile: VendorFile;
  snapshot: string;
  /** The compressed (csv.gz) file, from the download folder or from raw/. */
  source: Readable;
  quarantine: QuarantineWriter;
  /** Folder the Parquet file is written in before its upload. */
  curatedDir: string;
  s3: S3Client;
  lakeBucket: string;
  packTargetBytes?: number;
  /** Called right before the upload (the collector checks it still holds its lease). @default none */
  beforeUpload?: () => void;
  onProgress?: CsvFileIngestOptions['onProgress'];
  onHeaderDrift?: CsvFileIngestOptions['onHeaderDrift'];
}

/**
 * Curates one vendor metadata file whole (decision 0012): parse and validate it as every vendor file
 * is, hand its packs to a `DimensionSnapshotWriter`, and put the Parquet at the snapshot's fixed key
 * `curated/dataset=<dimension>/dt=<snapshot>/`, so a second curation of the snapshot (a killed run,
 * a replay) replaces the file instead of adding one. Collection and replay both curate through here.
 */
export async function curateDimensionFile(options: DimensionFileCurationOptions): Promise<{ progress: FileProgress; curated: CuratedDimension }> {
  const { vendorFile, snapshot } = options;
  const writer = new DimensionSnapshotWriter({
    dataset: vendorFile.dataset,
    path: path.join(options.curatedDir, `${vendorFile.dataset.name}.parquet`),
    ingestedAt: formatTimestamp(Date.now()),
  });
  const progress = await ingestCsvFile({
    dataset: vendorFile.dataset,
    origin: vendorBulkOrigin(options.vendorDataset, snapshot, vendorFile.file),
    file: vendorFile.file,
    snapshot,
    source: options.source,
    quarantine: options.quarantine,
    curate: (pack: Uint8Array) => writer.addPack(pack),
    ...(options.packTargetBytes === undefined ? {} : { packTargetBytes: options.packTargetBytes }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onHeaderDrift ? { onHeaderDrift: options.onHeaderDrift } : {}),
  });
  const rows = writer.close();
  const key = dimensionSnapshotKey(vendorFile.dataset.name, snapshot);
  options.beforeUpload?.();
  await options.s3.send(
    new PutObjectCommand({
      Bucket: options.lakeBucket,
      Key: key,
      Body: createReadStream(writer.path),
      ContentLength: (await stat(writer.path)).size,
      ContentType: 'application/vnd.apache.parquet',
    }),
  );
  return { progress, curated: { key, rows } };
}
