import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Calls spent and reserved in one contract period. */
export interface PeriodLedger {
  spent: number;
  /** Open reservations by run id, with when they lapse (a killed run's reservation does not block forever). */
  reservations: Record<string, { calls: number; expiresAt: string }>;
}

export interface LedgerState {
  version: 1;
  periods: Record<string, PeriodLedger>;
}

/** A stored ledger with optimistic concurrency: `write` fails if someone wrote since `read`. */
export interface LedgerStore {
  read(): Promise<{ state: LedgerState; revision: string | undefined }>;
  write(state: LedgerState, expectedRevision: string | undefined): Promise<void>;
  describe(): string;
}

export class LedgerConflictError extends Error {
  constructor(store: string) {
    super(`call ledger ${store} changed while being updated`);
    this.name = 'LedgerConflictError';
  }
}

const EMPTY: LedgerState = { version: 1, periods: {} };

/** Ledger in a local JSON file, replaced atomically (write + rename). For one machine. */
export class FileLedgerStore implements LedgerStore {
  constructor(private readonly file: string) {}

  describe(): string {
    return `file ${this.file}`;
  }

  async read(): Promise<{ state: LedgerState; revision: string | undefined }> {
    try {
      const text = await readFile(this.file, 'utf8');
      return { state: JSON.parse(text) as LedgerState, revision: text };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: structuredClone(EMPTY), revision: undefined };
      throw error;
    }
  }

  async write(state: LedgerState, expectedRevision: string | undefined): Promise<void> {
    const current = await this.read();
    if (current.revision !== expectedRevision) throw new LedgerConflictError(this.describe());
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
    await rename(temporary, this.file);
  }
}

/**
 * Ledger as an S3 object, so that a replacement EC2 instance finds the calls already spent.
 * Conditional writes (If-Match / If-None-Match) keep two writers from losing each other's calls.
 */
export class S3LedgerStore implements LedgerStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {}

  describe(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  async read(): Promise<{ state: LedgerState; revision: string | undefined }> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const text = await response.Body!.transformToString();
      return { state: JSON.parse(text) as LedgerState, revision: response.ETag };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return { state: structuredClone(EMPTY), revision: undefined };
      throw error;
    }
  }

  async write(state: LedgerState, expectedRevision: string | undefined): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: `${JSON.stringify(state, null, 2)}\n`,
          ContentType: 'application/json',
          ...(expectedRevision === undefined ? { IfNoneMatch: '*' } : { IfMatch: expectedRevision }),
        }),
      );
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) throw new LedgerConflictError(this.describe());
      throw error;
    }
  }
}
