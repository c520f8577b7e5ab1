import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { vendorBulkOrigin } from '@ingest-lake/shared';
import { rawArchiveKey } from '../archive/raw-archive';
import type { CollectorManifest } from '../config/manifest';
import { QuarantineWriter } from '../parse/quarantine-writer';
import type { KinesisProducer } from '../produce/kinesis-producer';
import { ingestCsvFile, type FileProgress } from './csv-file-ingest';

/**
 * The archived file is in an archive storage class GetObject cannot read (Glacier Flexible Retrieval
 * or Deep Archive): it must be restored first. raw/ transitions to Glacier Instant Retrieval, which
 * GetObject reads, so this only happens when an operator moved objects by hand (decision 0013).
 */
export class ArchivedObjectError extends Error {
  readonly code = 'ARCHIVED_OBJECT';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly storageClass: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `s3://${bucket}/${key} is archived (${storageClass ?? 'archive storage class'}): restore it first, e.g. ` +
        `aws s3api restore-object --bucket ${bucket} --key ${key} --restore-request '{"Days":7,"GlacierJobParameters":{"Tier":"Standard"}}' ` +
        `(Expedited 1–5 min, Standard 3–5 h, Bulk 5–12 h; Deep Archive: Standard 12 h, Bulk 48 h), then replay again`,
      options,
    );
    this.name = 'ArchivedObjectError';
  }
}

/** Storage classes whose objects GetObject refuses until restored. */
const RESTORE_FIRST = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/**
 * Re-streams a stored snapshot's data file from `raw/` to Kinesis without calling the vendor
 * (no budget spent). Rows carry the same dedup keys as the first time, so curated views count
 * them once.
 */
export async function replaySnapshot(options: {
  manifest: CollectorManifest;
  snapshot: string;
  s3: S3Client;
  lakeBucket: string;
  producer: KinesisProducer;
  workDir: string;
  onProgress?: (progress: { compressedBytes: number; totalBytes: number; rowsRead: number }) => void;
}): Promise<FileProgress & { key: string }> {
  const dataFile = options.manifest.vendorDataset.dataFile;
  const key = rawArchiveKey(options.manifest.dataset, options.snapshot, dataFile.file);
  const head = await options.s3.send(new HeadObjectCommand({ Bucket: options.lakeBucket, Key: key }));
  // Restored copies carry `ongoing-request="false"` in x-amz-restore; anything else needs a restore first.
  if (RESTORE_FIRST.has(head.StorageClass ?? '') && !/ongoing-request="false"/.test(head.Restore ?? '')) {
    throw new ArchivedObjectError(options.lakeBucket, key, head.StorageClass);
  }
  let object;
  try {
    object = await options.s3.send(new GetObjectCommand({ Bucket: options.lakeBucket, Key: key }));
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidObjectState') throw new ArchivedObjectError(options.lakeBucket, key, head.StorageClass, { cause: error });
    throw error;
  }
  const directory = path.join(options.workDir, options.manifest.dataset, `snapshot=${options.snapshot}`, 'replay');
  await mkdir(directory, { recursive: true });
  const quarantine = await QuarantineWriter.open(path.join(directory, `${dataFile.file}.${Date.now()}.quarantine.ndjson`));
  try {
    const progress = await ingestCsvFile({
      dataset: dataFile.dataset,
      origin: vendorBulkOrigin(options.manifest.dataset, options.snapshot, dataFile.file),
      file: dataFile.file,
      snapshot: options.snapshot,
      source: object.Body as Readable,
      producer: options.producer,
      quarantine,
      packTargetBytes: options.manifest.packTargetBytes,
      onProgress: ({ compressedBytes, rowsRead }) =>
        options.onProgress?.({ compressedBytes, totalBytes: head.ContentLength ?? 0, rowsRead }),
    });
    return { ...progress, key };
  } finally {
    await quarantine.close();
  }
}
