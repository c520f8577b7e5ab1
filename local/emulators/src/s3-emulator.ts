// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient typings of two untyped packages must travel with this file to every importer
/// <reference path="./emulator-modules.d.ts" />
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdir } from 'node:fs/promises';
import S3rver from 's3rver';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './kinesis-emulator';

/**
 * An S3 client for an S3-compatible endpoint: path-style addressing, and checksums only when
 * required (with the SDK's default, streamed bodies reach s3rver with chunk framing inside).
 */
export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 120_000 }),
  });
}

/** s3rver (an S3-compatible server storing objects under `directory`) on 127.0.0.1. */
export class S3Emulator {
  private server: S3rver | undefined;
  private port = 0;

  constructor(private readonly directory: string) {}

  async start(port = 0): Promise<string> {
    await mkdir(this.directory, { recursive: true });
    this.server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: this.directory });
    const address = await this.server.run();
    this.port = address.port;
    return this.endpoint;
  }

  /** Stops and starts again on the same port, over the same folder: every bucket and object survives. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start(this.port);
  }

  get endpoint(): string {
    if (!this.server) throw new Error('S3 emulator is not running');
    return `http://127.0.0.1:${this.port}`;
  }

  client(): S3Client {
    return s3ClientFor(this.endpoint);
  }

  async createBucket(bucket: string): Promise<void> {
    const client = this.client();
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      // A bucket kept from an earlier run (the emulator stores objects on disk) is fine.
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    } finally {
      client.destroy();
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }
}
