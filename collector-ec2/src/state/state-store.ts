import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withFileMutex } from './file-mutex';
import { CollectorError } from '../collector-error';

/**
 * One JSON document with optimistic concurrency: `write` succeeds only if nobody wrote since the
 * `read` that gave `expectedRevision` (or, with `undefined`, only if the document does not exist).
 * The call ledger and the snapshot lease both live in one.
 */
export interface StateStore<T> {
  /** The document and its revision; both `undefined` when it does not exist. */
  read(): Promise<{ state: T | undefined; revision: string | undefined }>;
  /** Replaces the document if its revision is still `expectedRevision`; returns the new revision. Throws StateConflictError otherwise. */
  write(state: T, expectedRevision: string | undefined): Promise<string>;
  describe(): string;
}

/** Someone else wrote the document since it was read (HTTP 412/409 from S3, or a changed file). */
export class StateConflictError extends CollectorError {
  readonly code = 'STATE_CONFLICT';
  constructor(readonly store: string, options?: ErrorOptions) {
    super(`${store} changed while being updated`, options);
    this.name = 'StateConflictError';
  }
}

function serialise(state: unknown): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/**
 * A document in a local JSON file, replaced atomically (write + rename). The compare-and-replace
 * runs under a mutex file, so processes on one machine never lose each other's writes.
 */
export class FileStateStore<T> implements StateStore<T> {
  constructor(readonly file: string) {}

  describe(): string {
    return `file ${this.file}`;
  }

  async read(): Promise<{ state: T | undefined; revision: string | undefined }> {
    try {
      const text = await readFile(this.file, 'utf8');
      return { state: JSON.parse(text) as T, revision: text };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: undefined, revision: undefined };
      throw error;
    }
  }

  async write(state: T, expectedRevision: string | undefined): Promise<string> {
    await mkdir(path.dirname(this.file), { recursive: true });
    return withFileMutex(`${this.file}.lock`, async () => {
      const current = await this.read();
      if (current.revision !== expectedRevision) throw new StateConflictError(this.describe());
      const text = serialise(state);
      // Unique per writer: two processes never share a temporary file.
      const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, this.file);
      return text;
    });
  }
}

/**
 * A document as an S3 object (the lake's `state/` prefix), where a replacement EC2 instance finds
 * it. Conditional writes (If-Match / If-None-Match) keep two writers from losing each other's update.
 */
export class S3StateStore<T> implements StateStore<T> {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
  ) {}

  describe(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  async read(): Promise<{ state: T | undefined; revision: string | undefined }> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const text = await response.Body!.transformToString();
      return { state: JSON.parse(text) as T, revision: response.ETag };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return { state: undefined, revision: undefined };
      throw error;
    }
  }

  async write(state: T, expectedRevision: string | undefined): Promise<string> {
    let etag: string | undefined;
    try {
      const response = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: serialise(state),
          ContentType: 'application/json',
          ...(expectedRevision === undefined ? { IfNoneMatch: '*' } : { IfMatch: expectedRevision }),
        }),
      );
      etag = response.ETag;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) throw new StateConflictError(this.describe(), { cause: error });
      throw error;
    }
    if (etag === undefined) throw new Error(`${this.describe()}: PutObject answered without an ETag`);
    return etag;
  }
}
