import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { rawArchiveKey } from '../archive/raw-archive';
import type { CollectorManifest } from '../config/manifest';
import { QuarantineWriter } from '../parse/quarantine-writer';
import type { KinesisProducer } from '../produce/kinesis-producer';
import { ingestCsvFile, type FileProgress } from './csv-file-ingest';

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
  const object = await options.s3.send(new GetObjectCommand({ Bucket: options.lakeBucket, Key: key }));
  const directory = path.join(options.workDir, options.manifest.dataset, `snapshot=${options.snapshot}`, 'replay');
  await mkdir(directory, { recursive: true });
  const quarantine = await QuarantineWriter.open(path.join(directory, `${dataFile.file}.${Date.now()}.quarantine.ndjson`));
  try {
    const progress = await ingestCsvFile({
      dataset: dataFile.dataset,
      origin: `vendor-bulk:${options.manifest.dataset}/snapshot=${options.snapshot}/${dataFile.file}`,
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
