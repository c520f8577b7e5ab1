import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { countDataRecords, evaluatePrefix, PrefixExpressionError, type DeliveryStreamSettings } from '@ingest-lake/shared';
import type { FirehoseTransformationEvent, FirehoseTransformationRecord, FirehoseTransformationResponse } from '@ingest-lake/firehose-transform';
import { deliveryIdOf, deliveryRangeOf, deliveryTimeOf, isCommitted } from './delivery-range';
import { DeliveryWriter, failureMessage, failureReason, type FirehoseErrorRecord } from './delivery-writer';
import type { DuckDbSession } from './duckdb-session';
import type { LocalDeliveryStream } from './local-deployment';
import { PendingDelivery } from './pending-delivery';
import { addCounts, addTo, emptyCounts, type RecordCounts } from './record-counts';
import { DEFAULT_RECORDS_PER_SHARD_POLL, filledAPage, ShardCheckpoints, ShardReader, type ShardRecord } from './shard-reader';
import { InvocationError, type TransformInvoker } from './transform-invoker';

export interface FirehoseRunnerOptions {
  /**
   * The delivery stream to run: its deployed settings (names, processor, buffering, prefixes, formats)
   * and the local time scale, from `LocalDeployment.streams`.
   */
  delivery: LocalDeliveryStream;
  kinesis: KinesisClient;
  s3: S3Client;
  duckdb: DuckDbSession;
  /** The transform `delivery.settings.processor` names (or a stand-in bundle, in tests). */
  invoker: TransformInvoker;
  /** Where shard positions are stored between restarts (the delivery under way is kept beside it, `<name>.pending.json`). */
  checkpointFile: string;
  /**
   * Pause between polls once the runner has caught up with the stream; a poll that fills a page on
   * some shard reads on at once. @default 200: five reads a second per shard, the Kinesis quota per
   * shard, instead of one GetRecords per shard for every few records that arrive under load
   */
  pollIntervalMs?: number;
  /** Pause between invocation attempts. @default 1_000 */
  retryDelayMs?: number;
  /** Most records one GetRecords call returns per shard (Kinesis allows up to 10,000). @default DEFAULT_RECORDS_PER_SHARD_POLL (1,000) */
  recordsPerShardPoll?: number;
}

/** The runner's totals: the shared record counts of every delivery so far, and the transport's own numbers. */
export interface DeliveryCounters extends RecordCounts {
  /** Kinesis records read from the source (a pack of many data records is one). */
  kinesisRecords: number;
  /** The same, by shard id of the source stream (the load each shard carries). */
  kinesisRecordsByShard: Record<string, number>;
  deliveries: number;
  invocationFailures: number;
  /** Deliveries that failed to write to S3 and were retried. */
  deliveryRetries: number;
  /** Polls of the source that failed (Kinesis unreachable) and were retried after the poll interval. */
  readRetries: number;
  lastDeliveryAt: string | undefined;
}

const MIB = 1_048_576;

/** errorCode of a record whose partition keys do not fill the prefix (AWS documents the folder, not the code). */
export const MISSING_PARTITION_KEYS_ERROR_CODE = 'DynamicPartitioning.MissingPartitionKeys';

/** Reason (first word of errorMessage) of a record whose partition keys are missing. */
export const MISSING_PARTITION_KEYS_REASON = 'missing_partition_keys';

/** What one delivery produced, before any of it is written. */
interface DeliveryOutput {
  counts: RecordCounts;
  /** Transformed NDJSON and its row count, by evaluated curated prefix (one object per partition). */
  curated: Map<string, { ndjson: string[]; rows: number }>;
  /** Error records by error output type. */
  errors: Map<string, FirehoseErrorRecord[]>;
}

/**
 * A delivery stream with Firehose's contract, run locally from the deployed settings: reads every
 * shard of its Kinesis source, buffers by size and interval, invokes the real transform bundle with
 * Firehose's event shape in invocations of at most the processor's buffer size, retries a failed
 * invocation NumberOfRetries times, honours Ok / Dropped / ProcessingFailed, writes Parquet under the
 * curated prefix (an Ok record whose partition keys do not fill it becomes an error record, as in
 * AWS), the compressed source backup and the error output, then checkpoints the shards.
 *
 * A delivery's object keys derive from the shard sequence ranges it covers and the arrival time of
 * its oldest record, and the range is recorded before its first object: a delivery retried after
 * an S3 error, or redone after the process was killed before its checkpoint, covers exactly the same
 * records and replaces its own objects, so no crash point leaves a duplicate object.
 */
export class FirehoseRunner {
  private readonly reader: ShardReader;
  private readonly checkpoints: ShardCheckpoints;
  private readonly pending: PendingDelivery;
  private readonly writer: DeliveryWriter;
  private readonly settings: DeliveryStreamSettings;
  private buffer: ShardRecord[] = [];
  private bufferBytes = 0;
  private bufferStartedAt = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private sequence = 0;
  /** The batch being delivered until its checkpoint is written: a failed delivery is retried with exactly these records. */
  private inFlight: ShardRecord[] | undefined;
  /** Polling and delivery are serialised: the loop, drainNow and stop never overlap. */
  private exclusive: Promise<unknown> = Promise.resolve();
  readonly counters: DeliveryCounters = { ...emptyCounts(), kinesisRecords: 0, kinesisRecordsByShard: {}, deliveries: 0, invocationFailures: 0, deliveryRetries: 0, readRetries: 0, lastDeliveryAt: undefined };

  constructor(private readonly options: FirehoseRunnerOptions) {
    this.settings = options.delivery.settings;
    this.checkpoints = new ShardCheckpoints(options.checkpointFile);
    this.pending = PendingDelivery.beside(options.checkpointFile);
    this.reader = new ShardReader(options.kinesis, this.settings.sourceStreamName, this.checkpoints);
    this.writer = new DeliveryWriter(options.s3, options.duckdb, this.settings);
  }

  /** The deployed settings this runner delivers with (names, processor, buffering, prefixes). */
  get deliverySettings(): DeliveryStreamSettings {
    return this.settings;
  }

  get deliveryStreamArn(): string {
    return `arn:aws:firehose:local:000000000000:deliverystream/${this.settings.deliveryStreamName}`;
  }

  private get recordsPerShardPoll(): number {
    return this.options.recordsPerShardPoll ?? DEFAULT_RECORDS_PER_SHARD_POLL;
  }

  /** Attempts per invocation: the first, then the processor's NumberOfRetries. */
  private get invocationAttempts(): number {
    return 1 + this.settings.processor.numberOfRetries;
  }

  /** Loads the checkpoints, takes back a delivery a previous process left unfinished, and starts polling. */
  async start(): Promise<void> {
    await this.checkpoints.load();
    const unfinished = await this.pending.load();
    if (unfinished && isCommitted(unfinished, (shardId) => this.checkpoints.get(shardId))) await this.pending.clear();
    else if (unfinished) this.inFlight = await this.reader.readRange(unfinished);
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
    await this.serialised(() => this.deliverAll());
  }

  /** Reads everything currently on the stream and delivers it now, ignoring the buffer hints. */
  drainNow(): Promise<void> {
    return this.serialised(async () => {
      for (;;) {
        const records = await this.reader.poll(this.recordsPerShardPoll);
        this.append(records);
        if (records.length === 0) break;
      }
      await this.deliverAll();
    });
  }

  private append(records: ShardRecord[]): void {
    if (records.length > 0 && this.buffer.length === 0) this.bufferStartedAt = Date.now();
    for (const record of records) {
      this.buffer.push(record);
      this.bufferBytes += record.record.Data!.length;
      addTo(this.counters.kinesisRecordsByShard, record.shardId, 1);
    }
    this.counters.kinesisRecords += records.length;
  }

  private async run(): Promise<void> {
    const intervalMs = this.options.delivery.bufferIntervalMs;
    const sizeBytes = this.settings.destination.bufferSizeMb * MIB;
    while (this.running) {
      const idle = await this.serialised(async () => {
        let records: ShardRecord[];
        try {
          records = await this.reader.poll(this.recordsPerShardPoll);
        } catch {
          // Like Firehose, keep reading through a source outage; what was read stays buffered.
          this.counters.readRetries++;
          return true;
        }
        this.append(records);
        const due = this.inFlight !== undefined || (this.buffer.length > 0 && (this.bufferBytes >= sizeBytes || Date.now() - this.bufferStartedAt >= intervalMs));
        if (due) {
          try {
            await this.deliver();
          } catch {
            // Like Firehose, keep retrying S3 delivery; the batch stays in flight (see deliver).
            this.counters.deliveryRetries++;
            return true;
          }
        }
        return !due && !filledAPage(records, this.recordsPerShardPoll);
      });
      if (idle) await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 200));
    }
  }

  private async invokeWithRetries(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResponse | InvocationError> {
    let lastError: InvocationError | undefined;
    for (let attempt = 1; attempt <= this.invocationAttempts; attempt++) {
      try {
        const response = await this.options.invoker.invoke(event);
        const ids = new Set(event.records.map((r) => r.recordId));
        const valid =
          response.records.length === ids.size &&
          response.records.every((r) => ids.has(r.recordId) && ['Ok', 'Dropped', 'ProcessingFailed'].includes(r.result) && typeof r.data === 'string');
        if (valid) return response;
        lastError = new InvocationError('Lambda.FunctionError', 'response does not hold exactly one valid result per recordId');
      } catch (error) {
        lastError = error instanceof InvocationError ? error : new InvocationError('Lambda.FunctionError', (error as Error).message, { cause: error });
      }
      this.counters.invocationFailures++;
      if (attempt < this.invocationAttempts) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1_000));
    }
    return lastError!;
  }

  /** Delivers the batch in flight, then what is buffered. */
  private async deliverAll(): Promise<void> {
    while (this.inFlight !== undefined || this.buffer.length > 0) await this.deliver();
  }

  /** Delivers the batch in flight, or else the buffer; on failure the batch stays in flight for the retry. */
  private async deliver(): Promise<void> {
    if (this.inFlight === undefined && this.buffer.length > 0) {
      this.inFlight = this.buffer;
      this.buffer = [];
      this.bufferBytes = 0;
    }
    if (this.inFlight === undefined) return;
    await this.deliverBatch(this.inFlight);
    this.inFlight = undefined;
  }

  /**
   * Writes one batch's objects under keys derived from its shard ranges, then checkpoints the shards;
   * shard checkpoints advance and counters grow only after every object is written.
   */
  private async deliverBatch(batch: ShardRecord[]): Promise<void> {
    const range = deliveryRangeOf(batch);
    const deliveryId = deliveryIdOf(range);
    const at = deliveryTimeOf(batch);
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
      invocationId: `${this.settings.deliveryStreamName}-${at.getTime()}-${this.sequence}`,
      deliveryStreamArn: this.deliveryStreamArn,
      sourceKinesisStreamArn: `arn:aws:kinesis:local:000000000000:stream/${this.settings.sourceStreamName}`,
      region: 'local',
      records,
    };
    const sourceById = new Map(records.map((r, i) => [r.recordId, { record: r, data: batch[i]!.record.Data! }]));
    const output: DeliveryOutput = { counts: emptyCounts(), curated: new Map(), errors: new Map() };
    output.counts.recordsIn = batch.reduce((sum, b) => sum + countDataRecords(b.record.Data!), 0);
    for (const chunk of this.invocationChunks(records)) {
      this.applyOutcome({ ...event, records: chunk }, await this.invokeWithRetries({ ...event, records: chunk }), sourceById, output, at);
    }
    // Recorded before the first object: a process killed from here to the checkpoint redoes this range.
    await this.pending.save(range);
    await this.writer.writeBackup(at, deliveryId, batch.map((b) => Buffer.from(b.record.Data!)));
    for (const [partitionPrefix, { ndjson, rows }] of output.curated) {
      await this.writer.writeCurated(at, deliveryId, partitionPrefix, ndjson.join(''));
      addTo(output.counts.curatedRows, this.settings.dataset, rows);
    }
    for (const [errorOutputType, errors] of output.errors) await this.writer.writeErrors(at, deliveryId, errorOutputType, errors);
    await this.writer.writeManifest(deliveryId, {
      deliveryStream: this.settings.deliveryStreamName,
      deliveredAt: new Date().toISOString(),
      shardRanges: range,
      kinesisRecords: batch.length,
      ...output.counts,
    });
    await this.checkpoints.commit(Object.fromEntries(range.map((span) => [span.shardId, span.lastSequenceNumber])));
    await this.pending.clear();
    addCounts(this.counters, output.counts);
    this.counters.deliveries++;
    this.counters.lastDeliveryAt = new Date().toISOString();
  }

  /** Splits a delivery into invocations of at most the processor's buffer size (source bytes). */
  private invocationChunks(records: FirehoseTransformationRecord[]): FirehoseTransformationRecord[][] {
    const limit = this.settings.processor.bufferSizeMb * MIB;
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
    output: DeliveryOutput,
    at: Date,
  ): void {
    const fail = (errorOutputType: string, reason: string, source: { data: Uint8Array }, record: FirehoseErrorRecord) => {
      const errors = output.errors.get(errorOutputType) ?? [];
      errors.push(record);
      output.errors.set(errorOutputType, errors);
      addTo(output.counts.failedRows, reason, countDataRecords(source.data));
    };
    const errorBase = (r: FirehoseTransformationRecord, attemptsMade: number) => ({
      attemptsMade,
      arrivalTimestamp: r.approximateArrivalTimestamp,
      attemptEndingTimestamp: Date.now(),
      lambdaArn: this.options.invoker.lambdaArn,
    });
    const processingFailed = this.settings.processor.errorOutputType;
    if (outcome instanceof InvocationError) {
      for (const r of event.records) {
        fail(processingFailed, outcome.errorCode, sourceById.get(r.recordId)!, {
          ...errorBase(r, this.invocationAttempts),
          errorCode: outcome.errorCode,
          errorMessage: outcome.message,
          rawData: r.data,
        });
      }
      return;
    }
    for (const result of outcome.records) {
      const source = sourceById.get(result.recordId)!;
      if (result.result === 'Dropped') {
        output.counts.droppedRows += countDataRecords(source.data);
      } else if (result.result === 'ProcessingFailed') {
        fail(processingFailed, failureReason(result.data).reason, source, {
          ...errorBase(source.record, 1),
          errorCode: 'Lambda.ProcessingFailed',
          errorMessage: failureMessage(result.data),
          rawData: result.data,
        });
      } else {
        let partitionPrefix: string;
        try {
          partitionPrefix = evaluatePrefix(this.settings.destination.prefix, { at, partitionKeys: result.metadata?.partitionKeys ?? {} });
        } catch (error) {
          if (!(error instanceof PrefixExpressionError)) throw error;
          // Dynamic partitioning never invents a partition: the record goes to the error prefix (with its source data, to replay).
          fail(this.settings.dynamicPartitioning.missingKeysErrorOutputType, MISSING_PARTITION_KEYS_REASON, source, {
            ...errorBase(source.record, 1),
            errorCode: MISSING_PARTITION_KEYS_ERROR_CODE,
            errorMessage: `${MISSING_PARTITION_KEYS_REASON}: ${error.message}; the transform returned ${JSON.stringify(result.metadata?.partitionKeys ?? {})}`,
            rawData: source.record.data,
          });
          continue;
        }
        const group = output.curated.get(partitionPrefix) ?? { ndjson: [], rows: 0 };
        const ndjson = Buffer.from(result.data, 'base64').toString('utf8');
        group.ndjson.push(ndjson);
        group.rows += ndjson.split('\n').length - 1;
        output.curated.set(partitionPrefix, group);
      }
    }
  }
}

