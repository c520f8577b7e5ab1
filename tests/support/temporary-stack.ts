import type { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LakeCatalog, LocalStack, REPO_PATHS, type LocalStackOptions } from '@ingest-lake/local-runtime';

/** The whole local stack (emulators, ingest endpoint, a Firehose runner per delivery stream) in a temporary folder. */
export class TemporaryStack {
  stack!: LocalStack;
  directory!: string;

  constructor(
    private readonly folderPrefix: string,
    /** Everything but the folder; the transform bundle defaults to the built one. */
    private readonly options: Partial<Omit<LocalStackOptions, 'dataDir'>> = {},
  ) {}

  async start(): Promise<LocalStack> {
    this.directory = await mkdtemp(path.join(os.tmpdir(), this.folderPrefix));
    this.stack = new LocalStack({ transformBundle: REPO_PATHS.transformBundle, ...this.options, dataDir: this.directory });
    await this.stack.start();
    return this.stack;
  }

  /**
   * The lake as Athena would see it: a DuckDB catalog over a fresh copy of the bucket, closed after `work`.
   * @param lake another S3 and bucket holding a lake (moto's, say) @default the stack's
   */
  async withLake<T>(work: (catalog: LakeCatalog) => Promise<T>, lake?: { s3: S3Client; bucket: string }): Promise<T> {
    const catalog = await LakeCatalog.open(await mkdtemp(path.join(this.directory, 'lake-cache-')));
    try {
      await catalog.sync(lake?.s3 ?? this.stack.s3.client(), lake?.bucket ?? this.stack.endpoints.bucket);
      await catalog.refresh();
      return await work(catalog);
    } finally {
      catalog.close();
    }
  }

  async stop(): Promise<void> {
    await this.stack?.stop();
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}
