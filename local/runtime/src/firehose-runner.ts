import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { countDataRecords } from '@ingest-lake/shared';
import type { FirehoseTransformationEvent, FirehoseTransformationRecord, FirehoseTransformationResponse } from '@ingest-lake/firehose-transform';
import { decodeFailureEnvelope } from '@ingest-lake/firehose-transform';
import { DeliveryWriter, failureMessage, type FirehoseErrorRecord } from './delivery-writer';
import type { DuckDbSession } from './duckdb-session';
import { ShardCheckpoints, ShardReader, type ShardRecord } from './shard-reader';
import { InvocationError, type TransformInvoker } from './transform-invoker';

export interface FirehoseRunnerOptions {
  /** Delivery stream name (appears in object names and the event's ARN). */
  name: string;
  kinesis: KinesisClient;
  streamName: string;
  s3: S3Client;
  bucket: string;
  duckdb: DuckDbSession;
  invoker: TransformInvoker;
  /** Where shard positions are stored between restarts. */
  checkpointFile: string;
  /** Buffering hint: deliver at least this often. @default 60 (Firehose's default) */
  bufferIntervalSeconds?: number;
  /** Buffering hint: deliver when this many bytes are buffered. @default 1 MiB (the Lambda processor's default) */
  bufferSizeBytes?: number;
  /** Pause between polls of an idle stream. @default 200 */
  pollIntervalMs?: number;
  /** Lambda processor buffer: the most source bytes per invocation (Firehose allows 0.2–3 MB). @default 1 MiB */
  lambdaBufferBytes?: number;
  /** Attempts per invocation (Firehose: 1 + 3 retries by default). @default 4 */
  maxInvocationAttempts?: number;
  /** Pause between invocation attempts. @default 1_000 */
  retryDelayMs?: number;
}

/** Data records (not Kinesis records) by outcome, for the summary and reconciliation. */
export interface DeliveryCounters {
  kinesisRecords: number;
  deliveries: number;
  curatedRows: Record<string, number>;
  failedRows: Record<string, number>;
  droppedKinesisRecords: number;
  /** Data records inside the dropped Kinesis records. */
  droppedRows: number;
  invocationFailures: number;
  /** Deliveries that failed to write to S3 and were retried. */
  deliveryRetries: number;
  lastDeliveryAt: string | undefined;
}

function add(map: Record<string, number>, key: string, n: number): void {
  map[key] = (map[key] ?? 0) + n;
}

/**
 * A delivery stream with Firehose's contract, run locally: reads every shard of a Kinesis stream,
 * buffers by size and interval, invokes the real transform bundle with Firehose's event shape,
 * honours Ok / Dropped / ProcessingFailed, retries failed invocations, writes Parquet to curated/,
 * the source backup to raw-data/ and failures to errors/, then checkpoints the shards.
 */
export class FirehoseRunner {
  private readonly reader: ShardReader;
  private readonly checkpoints: ShardCheckpoints;
  private readonly writer: DeliveryWriter;
  private buffer: ShardRecord[] = [];
  private bufferBytes = 0;
  private bufferStartedAt = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private sequence = 0;
  /** Delivery time of a batch whose delivery failed: its retry reuses it, so object keys stay the same. */
  private retryAt: Date | undefined;
  /** Polling and delivery are serialised: the loop, drainNow and stop never overlap. */
  private exclusive: Promise<unknown> = Promise.resolve();
  readonly counters: DeliveryCounters = {
    kinesisRecords: 0,
    deliveries: 0,
    curatedRows: {},
    failedRows: {},
    droppedKinesisRecords: 0,
    droppedRows: 0,
    invocationFailures: 0,
    deliveryRetries: 0,
    lastDeliveryAt: undefined,
  };

  constructor(private readonly options: FirehoseRunnerOptions) {
    this.checkpoints = new ShardCheckpoints(options.checkpointFile);
    this.reader = new ShardReader(options.kinesis, options.streamName, this.checkpoints);
    this.writer = new DeliveryWriter(options.s3, options.bucket, options.duckdb, options.name);
  }

  get deliveryStreamArn(): string {
    return `arn:aws:firehose:local:000000000000:deliverystream/${this.options.name}`;
  }

  async start(): Promise<void> {
    await this.checkpoints.load();
    this.running = true;
    this.loop = this.run();
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.exclusive.then(work, work);
    this.exclusive = next.catch(() => undefined);
    return next;
  }

  /** Stops polling and delivers what is buffered. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.serialised(() => this.deliver());
  }

  /** Reads everything currently on the stream and delivers it now, ignoring the buffer hints. */
  drainNow(): Promise<void> {
    return this.serialised(async () => {
      for (;;) {
        const records = await this.reader.poll();
        this.append(records);
        if (records.length === 0) break;
      }
      await this.deliver();
    });
  }

  private append(records: ShardRecord[]): void {
    if (records.length > 0 && this.buffer.length === 0) this.bufferStartedAt = Date.now();
    for (const record of records) {
      this.buffer.push(record);
      this.bufferBytes += record.record.Data!.length;
    }
    this.counters.kinesisRecords += records.length;
  }

  private async run(): Promise<void> {
    const intervalMs = (this.options.bufferIntervalSeconds ?? 60) * 1000;
    const sizeBytes = this.options.bufferSizeBytes ?? 1_048_576;
    while (this.running) {
      const idle = await this.serialised(async () => {
        const records = await this.reader.poll();
        this.append(records);
        const due = this.buffer.length > 0 && (this.bufferBytes >= sizeBytes || Date.now() - this.bufferStartedAt >= intervalMs);
        if (due) {
          try {
            await this.deliver();
          } catch {
            // Like Firehose, keep retrying S3 delivery; the batch is back in the buffer (see deliver).
            this.counters.deliveryRetries++;
            return true;
          }
        }
        return records.length === 0 && !due;
      });
      if (idle) await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 200));
    }
  }

  private async invokeWithRetries(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResponse | InvocationError> {
    const attempts = this.options.maxInvocationAttempts ?? 4;
    let lastError: InvocationError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await this.options.invoker.invoke(event);
        const ids = new Set(event.records.map((r) => r.recordId));
        const valid =
          response.records.length === ids.size &&
          response.records.every((r) => ids.has(r.recordId) && ['Ok', 'Dropped', 'ProcessingFailed'].includes(r.result) && typeof r.data === 'string');
        if (valid) return response;
        lastError = new InvocationError('Lambda.FunctionError', 'response does not hold exactly one valid result per recordId');
      } catch (error) {
        lastError = error instanceof InvocationError ? error : new InvocationError('Lambda.FunctionError', (error as Error).message);
      }
      this.counters.invocationFailures++;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1_000));
    }
    return lastError!;
  }

  /** Delivers the buffer; shard checkpoints advance only after every object is written. */
  private async deliver(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    const positions = { ...this.reader.readPositions };
    this.buffer = [];
    this.bufferBytes = 0;
    const at = this.retryAt ?? new Date();
    const deliveryId = `${batch[0]!.shardId.replace('shardId-', '')}-${batch[0]!.record.SequenceNumber}`;
    const records: FirehoseTransformationRecord[] = batch.map(({ shardId, record }) => ({
      recordId: `${record.SequenceNumber}${String(++this.sequence).padStart(12, '0')}`,
      approximateArrivalTimestamp: record.ApproximateArrivalTimestamp!.getTime(),
      data: Buffer.from(record.Data!).toString('base64'),
      kinesisRecordMetadata: {
        shardId,
        partitionKey: record.PartitionKey!,
        approximateArrivalTimestamp: record.ApproximateArrivalTimestamp!.getTime(),
        sequenceNumber: record.SequenceNumber!,
        subsequenceNumber: '',
      },
    }));
    const event: FirehoseTransformationEvent = {
      invocationId: `${this.options.name}-${at.getTime()}-${this.sequence}`,
      deliveryStreamArn: this.deliveryStreamArn,
      sourceKinesisStreamArn: `arn:aws:kinesis:local:000000000000:stream/${this.options.streamName}`,
      region: 'local',
      records,
    };
    const sourceById = new Map(records.map((r, i) => [r.recordId, { record: r, data: batch[i]!.record.Data! }]));
    const errors: FirehoseErrorRecord[] = [];
    const curated = new Map<string, { dataset: string; dt: string; ndjson: string[] }>();
    const curatedCounts: Record<string, number> = {};
    const countersBefore = { failedRows: { ...this.counters.failedRows }, dropped: this.counters.droppedKinesisRecords, droppedRows: this.counters.droppedRows };
    try {
      for (const chunk of this.invocationChunks(records)) {
        this.applyOutcome({ ...event, records: chunk }, await this.invokeWithRetries({ ...event, records: chunk }), sourceById, errors, curated, at);
      }
      await this.writer.writeBackup(at, deliveryId, batch.map((b) => Buffer.from(b.record.Data!)));
      for (const group of curated.values()) {
        const text = group.ndjson.join('');
        await this.writer.writeCurated(at, deliveryId, group.dataset, group.dt, text);
        add(curatedCounts, group.dataset, text.split('\n').length - 1);
      }
      if (errors.length > 0) await this.writer.writeErrors(at, deliveryId, 'processing-failed', errors);
      const failedRows: Record<string, number> = {};
      for (const [reason, n] of Object.entries(this.counters.failedRows)) {
        const delta = n - (countersBefore.failedRows[reason] ?? 0);
        if (delta > 0) failedRows[reason] = delta;
      }
      await this.writer.writeManifest(deliveryId, {
        deliveryStream: this.options.name,
        deliveredAt: at.toISOString(),
        kinesisRecords: batch.length,
        dataRecords: batch.reduce((sum, b) => sum + countDataRecords(b.record.Data!), 0),
        curatedRows: curatedCounts,
        failedRows,
        droppedKinesisRecords: this.counters.droppedKinesisRecords - countersBefore.dropped,
        droppedRows: this.counters.droppedRows - countersBefore.droppedRows,
      });
    } catch (error) {
      // Nothing is checkpointed: the batch goes back to the front of the buffer and its retry
      // rewrites the same object keys (same delivery time and id), so nothing is doubled.
      this.buffer = [...batch, ...this.buffer];
      this.bufferBytes += batch.reduce((sum, b) => sum + b.record.Data!.length, 0);
      this.retryAt = at;
      this.counters.failedRows = countersBefore.failedRows;
      this.counters.droppedKinesisRecords = countersBefore.dropped;
      this.counters.droppedRows = countersBefore.droppedRows;
      throw error;
    }
    this.retryAt = undefined;
    for (const [dataset, n] of Object.entries(curatedCounts)) add(this.counters.curatedRows, dataset, n);
    await this.checkpoints.commit(positions);
    this.counters.deliveries++;
    this.counters.lastDeliveryAt = at.toISOString();
  }

  /** Splits a delivery into invocations of at most the Lambda buffer size (source bytes). */
  private invocationChunks(records: FirehoseTransformationRecord[]): FirehoseTransformationRecord[][] {
    const limit = this.options.lambdaBufferBytes ?? 1_048_576;
    const chunks: FirehoseTransformationRecord[][] = [];
    let current: FirehoseTransformationRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      const size = (record.data.length * 3) / 4;
      if (current.length > 0 && bytes + size > limit) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(record);
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  private applyOutcome(
    event: FirehoseTransformationEvent,
    outcome: FirehoseTransformationResponse | InvocationError,
    sourceById: Map<string, { record: FirehoseTransformationRecord; data: Uint8Array }>,
    errors: FirehoseErrorRecord[],
    curated: Map<string, { dataset: string; dt: string; ndjson: string[] }>,
    at: Date,
  ): void {
    const records = event.records;
    const errorBase = (r: FirehoseTransformationRecord) => ({
      attemptsMade: outcome instanceof InvocationError ? (this.options.maxInvocationAttempts ?? 4) : 1,
      arrivalTimestamp: r.approximateArrivalTimestamp,
      attemptEndingTimestamp: Date.now(),
      lambdaArn: this.options.invoker.lambdaArn,
    });
    if (outcome instanceof InvocationError) {
      for (const r of records) {
        errors.push({ ...errorBase(r), errorCode: outcome.code, errorMessage: outcome.message, rawData: r.data });
        add(this.counters.failedRows, outcome.code, countDataRecords(sourceById.get(r.recordId)!.data));
      }
    } else {
      for (const result of outcome.records) {
        const source = sourceById.get(result.recordId)!;
        if (result.result === 'Ok') {
          const keys = result.metadata?.partitionKeys ?? {};
          const dataset = keys.dataset ?? 'unpartitioned';
          const dt = keys.dt ?? at.toISOString().slice(0, 10);
          const group = curated.get(`${dataset}/${dt}`) ?? { dataset, dt, ndjson: [] };
          group.ndjson.push(Buffer.from(result.data, 'base64').toString('utf8'));
          curated.set(`${dataset}/${dt}`, group);
        } else if (result.result === 'Dropped') {
          this.counters.droppedKinesisRecords++;
          this.counters.droppedRows += countDataRecords(source.data);
        } else {
          errors.push({ ...errorBase(source.record), errorCode: 'Lambda.ProcessingFailed', errorMessage: failureMessage(result.data), rawData: result.data });
          const reason = decodeFailureEnvelope(Buffer.from(result.data, 'base64'))?.error.reason ?? 'response_too_large';
          add(this.counters.failedRows, reason, countDataRecords(source.data));
        }
      }
    }
  }
}
