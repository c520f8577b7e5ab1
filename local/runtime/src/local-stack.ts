import { rm } from 'node:fs/promises';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { DuckDbSession } from './duckdb-session';
import { FirehoseRunner } from './firehose-runner';
import { IngestEndpoint } from './ingest-endpoint';
import { TransformInvoker } from './transform-invoker';

/** Names of the local resources; the AWS ones are `<project>-<env>-…` from infra config. */
export const LOCAL_NAMES = {
  bucket: 'ingest-lake-local-lake',
  eventsStream: 'ingest-lake-local-events',
  vendorStream: 'ingest-lake-local-app-market',
} as const;

export interface LocalStackOptions {
  /** Folder for the S3 emulator's objects and the runners' checkpoints. */
  dataDir: string;
  /** Path of the built transform bundle. */
  transformBundle: string;
  /** Fixed ports (0 = any free port). @default all 0 */
  ports?: { kinesis?: number; s3?: number; ingest?: number };
  /** Firehose buffering interval. @default 60 */
  bufferIntervalSeconds?: number;
  /** Shards per stream. @default 2 */
  shards?: number;
}

export interface LocalEndpoints {
  kinesis: string;
  s3: string;
  /** The API Gateway stage URL: POST <ingest>/v1. */
  ingest: string;
  bucket: string;
  eventsStream: string;
  vendorStream: string;
}

/**
 * The whole AWS side of the pipeline on one machine: Kinesis (kinesalite), S3 (s3rver), the
 * API Gateway ingest endpoint, and one Firehose runner per curated dataset invoking the real
 * transform bundle. Production code talks to it through endpoints only.
 */
export class LocalStack {
  readonly kinesis = new KinesisEmulator();
  readonly s3: S3Emulator;
  ingest!: IngestEndpoint;
  runners: FirehoseRunner[] = [];
  private invokers: TransformInvoker[] = [];
  private duckdb!: DuckDbSession;

  constructor(private readonly options: LocalStackOptions) {
    this.s3 = new S3Emulator(path.join(options.dataDir, 's3'));
  }

  async start(): Promise<LocalEndpoints> {
    const ports = this.options.ports ?? {};
    await Promise.all([this.kinesis.start(ports.kinesis ?? 0), this.s3.start(ports.s3 ?? 0)]);
    const shards = this.options.shards ?? 2;
    await Promise.all([
      this.kinesis.createStream(LOCAL_NAMES.eventsStream, shards),
      this.kinesis.createStream(LOCAL_NAMES.vendorStream, shards),
      this.s3.createBucket(LOCAL_NAMES.bucket),
    ]);
    this.ingest = new IngestEndpoint({ kinesis: this.kinesis.client(), streamName: LOCAL_NAMES.eventsStream });
    await this.ingest.start(ports.ingest ?? 0);
    this.duckdb = await DuckDbSession.open();
    // kinesalite starts empty, so shard checkpoints of an earlier stack would point nowhere.
    await rm(path.join(this.options.dataDir, 'firehose'), { recursive: true, force: true });
    const deliveries = [
      { name: 'ingest-lake-local-events', stream: LOCAL_NAMES.eventsStream, datasets: 'events' },
      { name: 'ingest-lake-local-app-market-daily', stream: LOCAL_NAMES.vendorStream, datasets: 'app_market_daily' },
    ];
    for (const delivery of deliveries) {
      const invoker = new TransformInvoker({
        bundlePath: this.options.transformBundle,
        functionName: `${delivery.name}-transform`,
        environment: { DATASETS: delivery.datasets, DEFAULT_DATASET: 'events', POWERTOOLS_SERVICE_NAME: delivery.name },
      });
      this.invokers.push(invoker);
      const runner = new FirehoseRunner({
        name: delivery.name,
        kinesis: this.kinesis.client(),
        streamName: delivery.stream,
        s3: this.s3.client(),
        bucket: LOCAL_NAMES.bucket,
        duckdb: this.duckdb,
        invoker,
        checkpointFile: path.join(this.options.dataDir, 'firehose', `${delivery.name}.checkpoint.json`),
        bufferIntervalSeconds: this.options.bufferIntervalSeconds ?? 60,
      });
      await runner.start();
      this.runners.push(runner);
    }
    return this.endpoints;
  }

  get endpoints(): LocalEndpoints {
    return {
      kinesis: this.kinesis.endpoint,
      s3: this.s3.endpoint,
      ingest: `${this.ingest.url}/PROD`,
      bucket: LOCAL_NAMES.bucket,
      eventsStream: LOCAL_NAMES.eventsStream,
      vendorStream: LOCAL_NAMES.vendorStream,
    };
  }

  /** Delivers everything on the streams now (tests and the demo; `up` waits for the buffer interval). */
  async drain(): Promise<void> {
    for (const runner of this.runners) await runner.drainNow();
  }

  /** Stops whatever has started (also after a failed start). */
  async stop(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
    await Promise.all(this.invokers.map((invoker) => invoker.stop()));
    await this.ingest?.stop();
    this.duckdb?.close();
    await Promise.all([this.kinesis.stop(), this.s3.stop().catch(() => undefined)]);
  }
}
