import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';

export interface EmulatorPairOptions {
  /** The bucket created at start. @default 'lake' */
  bucket?: string;
  /**
   * Keep kinesalite's streams in a LevelDB folder (`<directory>/kinesis`), so that streams, records
   * and sequence numbers survive `kinesis.restart()`.
   * @default false: streams in memory, a restart starts empty
   */
  kinesisOnDisk?: boolean;
}

/** kinesalite and s3rver in a temporary folder, with one stream and the lake bucket: the setup the fault suites share. */
export class EmulatorPair {
  kinesis!: KinesisEmulator;
  s3!: S3Emulator;
  directory!: string;
  readonly bucket: string;

  constructor(
    private readonly folderPrefix: string,
    private readonly stream: { name: string; shards: number },
    private readonly options: EmulatorPairOptions = {},
  ) {
    this.bucket = options.bucket ?? 'lake';
  }

  async start(): Promise<this> {
    this.directory = await mkdtemp(path.join(os.tmpdir(), this.folderPrefix));
    this.kinesis = new KinesisEmulator(this.options.kinesisOnDisk ? { directory: path.join(this.directory, 'kinesis') } : {});
    this.s3 = new S3Emulator(path.join(this.directory, 's3'));
    await Promise.all([this.kinesis.start(), this.s3.start()]);
    await this.kinesis.createStream(this.stream.name, this.stream.shards);
    await this.s3.createBucket(this.bucket);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.kinesis?.stop(), this.s3?.stop()]);
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}
