import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';

/** Key of an archived vendor file: `raw/<dataset>/snapshot=<date>/<file>` (Hive-style, crawlable). */
export function rawArchiveKey(dataset: string, snapshot: string, file: string): string {
  return `raw/${dataset}/snapshot=${snapshot}/${file}`;
}

export interface ArchiveResult {
  key: string;
  /** False when the object was already there with the same checksum (a re-run uploads nothing twice). */
  uploaded: boolean;
}

/**
 * Archives a downloaded file untouched with a multipart upload. The key is deterministic and the
 * object carries the file's SHA-256 in its metadata, so a re-run finds it and uploads nothing.
 */
export async function archiveRawFile(options: {
  s3: S3Client;
  bucket: string;
  key: string;
  path: string;
  sha256: string;
  /** Part size for multipart uploads (S3 minimum 5 MiB). @default 16 MiB */
  partSizeBytes?: number;
}): Promise<ArchiveResult> {
  try {
    const head = await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: options.key }));
    if (head.Metadata?.sha256 === options.sha256) return { key: options.key, uploaded: false };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status !== 404) throw error;
  }
  const upload = new Upload({
    client: options.s3,
    params: {
      Bucket: options.bucket,
      Key: options.key,
      Body: createReadStream(options.path, { highWaterMark: 1 << 20 }),
      ContentType: 'application/gzip',
      Metadata: { sha256: options.sha256 },
    },
    partSize: options.partSizeBytes ?? 16 * 1024 * 1024,
    queueSize: 2,
    leavePartsOnError: false,
  });
  await upload.done();
  return { key: options.key, uploaded: true };
}
