import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';

/** kinesalite and s3rver in a temporary folder, with one stream and the lake bucket: the setup several fault suites share. */
export class EmulatorPair {
  readonly kinesis = new KinesisEmulator();
  s3!: S3Emulator;
  directory!: string;

  constructor(
    private readonly folderPrefix: string,
    private readonly stream: { name: string; shards: number },
    readonly bucket = 'lake',
  ) {}

  async start(): Promise<this> {
    this.directory = await mkdtemp(path.join(os.tmpdir(), this.folderPrefix));
    this.s3 = new S3Emulator(path.join(this.directory, 's3'));
    await Promise.all([this.kinesis.start(), this.s3.start()]);
    await this.kinesis.createStream(this.stream.name, this.stream.shards);
    await this.s3.createBucket(this.bucket);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.kinesis.stop(), this.s3?.stop()]);
    if (this.directory) await rm(this.directory, { recursive: true, force: true });
  }
}
