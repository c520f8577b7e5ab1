import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { DuckDbSession } from './duckdb-session';
import { FirehoseRunner } from './firehose-runner';
import { IngestEndpoint } from './ingest-endpoint';
import { loadLocalDeployment, type LocalDeployment } from './local-deployment';
import { TransformInvoker } from './transform-invoker';

export interface LocalStackOptions {
  /** Folder for the S3 emulator's objects, the runners' checkpoints and, with `persistStreams`, the streams. */
  dataDir: string;
  /**
   * Keep the Kinesis streams on disk (kinesalite's LevelDB store under `<dataDir>/kinesis`), so a
   * stack started again on the same folder still holds the records it had not delivered and the
   * runners read on from their shard checkpoints.
   * @default false: streams in memory, the runners' checkpoints reset at every start
   */
  persistStreams?: boolean;
  /** Path of the built transform bundle. */
  transformBundle: string;
  /** The deployment to stand in for: names and delivery settings of an environment config, plus the local overrides. @default loadLocalDeployment() (infra/config/dev.json) */
  deployment?: LocalDeployment;
  /** Fixed ports (0 = any free port). @default all 0 */
  ports?: { kinesis?: number; s3?: number; ingest?: number };
}

export interface LocalEndpoints {
  kinesis: string;
  s3: string;
  /** The API Gateway stage URL: POST <ingest>/v1. */
  ingest: string;
  bucket: string;
  /** The stream HTTP events go to (the ingest API's). */
  eventsStream: string;
  /** The stream vendor rows go to (the collector's). */
  vendorStream: string;
}

/**
 * The whole AWS side of the pipeline on one machine, named and configured as the environment config
 * deploys it: Kinesis (kinesalite) with one stream per streamed dataset, S3 (s3rver) with the lake
 * bucket, the API Gateway ingest endpoint, and one Firehose runner per delivery stream invoking the
 * real transform bundle. Production code talks to it through endpoints only.
 */
export class LocalStack {
  readonly kinesis: KinesisEmulator;
  readonly s3: S3Emulator;
  readonly deployment: LocalDeployment;
  ingest!: IngestEndpoint;
  runners: FirehoseRunner[] = [];
  private invokers: TransformInvoker[] = [];
  private duckdb!: DuckDbSession;

  constructor(private readonly options: LocalStackOptions) {
    this.kinesis = new KinesisEmulator(options.persistStreams ? { directory: this.streamStore } : {});
    this.s3 = new S3Emulator(path.join(options.dataDir, 's3'));
    this.deployment = options.deployment ?? loadLocalDeployment();
  }

  /** The LevelDB folder of the streams when they persist. */
  private get streamStore(): string {
    return path.join(this.options.dataDir, 'kinesis');
  }

  async start(): Promise<LocalEndpoints> {
    const ports = this.options.ports ?? {};
    const { streams, bucketName } = this.deployment;
    // Shard checkpoints are positions in the streams: they stay valid only over the same store.
    // Streams in memory (or a store that is not there yet) start empty, so earlier checkpoints would point nowhere.
    if (!this.options.persistStreams || !existsSync(this.streamStore)) await rm(path.join(this.options.dataDir, 'firehose'), { recursive: true, force: true });
    await Promise.all([this.kinesis.start(ports.kinesis ?? 0), this.s3.start(ports.s3 ?? 0)]);
    const shards = this.deployment.overrides.shardsPerStream;
    await Promise.all([...streams.map((stream) => this.kinesis.createStream(stream.settings.sourceStreamName, shards)), this.s3.createBucket(bucketName)]);
    this.ingest = new IngestEndpoint({ kinesis: this.kinesis.client(), streamName: this.deployment.ingestStreamName });
    await this.ingest.start(ports.ingest ?? 0);
    this.duckdb = await DuckDbSession.open();
    for (const delivery of streams) {
      const invoker = TransformInvoker.forProcessor(this.options.transformBundle, delivery.settings.processor);
      this.invokers.push(invoker);
      const runner = new FirehoseRunner({
        delivery,
        kinesis: this.kinesis.client(),
        s3: this.s3.client(),
        duckdb: this.duckdb,
        invoker,
        checkpointFile: path.join(this.options.dataDir, 'firehose', `${delivery.settings.deliveryStreamName}.checkpoint.json`),
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
      bucket: this.deployment.bucketName,
      eventsStream: this.deployment.ingestStreamName,
      vendorStream: this.deployment.collectorStreamName,
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
