import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { formatTimestamp, type Dataset } from '@ingest-lake/shared';
import type { DirectCheckpoint } from '../checkpoint/run-checkpoint';
import { DirectPartWriter, type DirectPart } from './direct-part-writer';

/**
 * Puts a closed part's files at their fixed keys (decision 0018), recording the keys first
 * (`pendingKeys`, then `record`) so that a resume replaces each of them; then records the part.
 * The collector and `replay` both upload parts through this, so a replay writes the keys a run wrote.
 */
export async function uploadDirectPart(options: {
  s3: S3Client;
  lakeBucket: string;
  direct: DirectCheckpoint;
  closed: DirectPart;
  /** Makes `direct` durable (the collector's checkpoint); a replay keeps it in memory. */
  record: () => Promise<void>;
  /** Called before each put (the collector: the lease is still held). @default none */
  beforePut?: () => void;
}): Promise<void> {
  const { direct, closed } = options;
  // A part with no rows (and nothing to replace) keeps its number for the next rows, as an uninterrupted run would.
  if (closed.files.length === 0) return;
  direct.pendingKeys = closed.files.map((f) => f.key);
  await options.record();
  for (const file of closed.files) {
    options.beforePut?.();
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.lakeBucket,
        Key: file.key,
        Body: createReadStream(file.path),
        ContentLength: (await stat(file.path)).size,
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
  }
  direct.parts = closed.part;
  direct.keys.push(...closed.files.map((f) => f.key));
  direct.rows += closed.files.reduce((sum, f) => sum + f.rows, 0);
  delete direct.pendingKeys;
}

/**
 * The part writer for a data file's direct checkpoint: it continues at part `parts + 1` and, after a
 * kill between a part's upload and its record, writes every `dt` of the pending part again.
 */
export function directPartWriterFor(options: { dataset: Dataset; snapshot: string; directory: string; direct: DirectCheckpoint }): DirectPartWriter {
  return new DirectPartWriter({
    dataset: options.dataset,
    snapshot: options.snapshot,
    directory: options.directory,
    firstPart: options.direct.parts + 1,
    firstPartDts: (options.direct.pendingKeys ?? []).map(dtOfPartKey),
    now: () => formatTimestamp(Date.now()),
  });
}

/** The `dt` partition of a curated part's key (`directBulkPartKey`). */
export function dtOfPartKey(key: string): string {
  const dt = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
  if (dt === undefined) throw new Error(`${key}: not a curated part key (no dt=YYYY-MM-DD/ folder)`);
  return dt;
}
