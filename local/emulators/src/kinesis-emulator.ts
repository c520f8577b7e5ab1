// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- ambient typings of two untyped packages must travel with this file to every importer
/// <reference path="./emulator-modules.d.ts" />
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import type { Server } from 'node:http';
import { closeServer, listenOnLoopback, loopbackUrl } from './loopback-server';

/** Credentials the emulators accept (they check the signature format, not the secret). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'us-east-1';

/** A Kinesis client for any endpoint; HTTP/1.1 because kinesalite does not speak HTTP/2. */
export function kinesisClientFor(endpoint: string, options: { maxAttempts?: number } = {}): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    maxAttempts: options.maxAttempts ?? 3,
  });
}

export interface KinesisEmulatorOptions {
  /**
   * Folder of a LevelDB store (kinesalite's `path`) holding streams and records, so they outlive a
   * restart of the emulator; leveldown loads the prebuilt binary it ships.
   * @default none: streams live in memory and a restart starts empty
   */
  directory?: string;
}

/** kinesalite (the Kinesis wire protocol, in memory or in a LevelDB folder) on 127.0.0.1. */
export class KinesisEmulator {
  private server: Server | undefined;

  constructor(private readonly options: KinesisEmulatorOptions = {}) {}

  /** Starts on `port` (0 = any free port) and returns the endpoint URL. */
  async start(port = 0): Promise<string> {
    const store = this.options.directory ? { path: this.options.directory } : {};
    this.server = kinesalite({ createStreamMs: 20, deleteStreamMs: 20, updateStreamMs: 20, shardLimit: 100, ...store });
    await listenOnLoopback(this.server, port);
    return this.endpoint;
  }

  /**
   * Stops and starts again on the same port (clients keep their endpoint); open connections are cut.
   * With a `directory`, streams, records and sequence numbers survive; without, the emulator is empty.
   */
  async restart(): Promise<void> {
    const port = Number(new URL(this.endpoint).port);
    await this.stop();
    await this.start(port);
  }

  get endpoint(): string {
    return loopbackUrl(this.server);
  }

  client(options: { maxAttempts?: number } = {}): KinesisClient {
    return kinesisClientFor(this.endpoint, options);
  }

  /** Creates a stream (keeping one a persisted store already holds) and waits until it is ACTIVE. */
  async createStream(streamName: string, shardCount = 1): Promise<void> {
    const client = this.client();
    try {
      await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount })).catch((error: { name?: string }) => {
        if (error.name !== 'ResourceInUseException') throw error;
      });
      for (let i = 0; i < 200; i++) {
        const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
        if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`stream ${streamName} did not become ACTIVE`);
    } finally {
      client.destroy();
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
