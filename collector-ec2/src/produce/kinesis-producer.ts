import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { KINESIS_MAX_BYTES_PER_PUT, KINESIS_MAX_RECORD_BYTES, KINESIS_MAX_RECORDS_PER_PUT } from '@ingest-lake/shared';
import { backoffDelayMs, sleep, type BackoffOptions } from './backoff';
import { CollectorError } from '../collector-error';

/** One record to put, with a callback once Kinesis has durably accepted it. */
export interface ProducerRecord {
  data: Uint8Array;
  partitionKey: string;
  onAcknowledged?: () => void;
}

export interface KinesisProducerOptions {
  streamName: string;
  /** PutRecords calls in flight at once. @default 4 */
  maxInFlightCalls?: number;
  /** Records buffered before `drain()` makes the caller wait. @default 5_000 */
  highWaterMarkRecords?: number;
  /** Give up (and fail the run, which resumes from its checkpoint) after this long without progress. @default 600_000 */
  maxStallMs?: number;
  backoff?: BackoffOptions;
}

export interface ProducerStats {
  recordsAcknowledged: number;
  bytesAcknowledged: number;
  putCalls: number;
  /** Records Kinesis refused in a PutRecords response (FailedRecordCount) and that were retried. */
  recordsRetried: number;
  /** Refusals that were throttling (ProvisionedThroughputExceededException). */
  throttledRecords: number;
  /** Whole calls that failed (network, 5xx) and were retried. */
  callsRetried: number;
}

/** Raised when Kinesis makes no progress for `maxStallMs`; nothing is lost, the run resumes from its checkpoint. */
export class ProducerStalledError extends CollectorError {
  readonly code = 'PRODUCER_STALLED';
  /** `cause`: the last failed call, when one failed (a stall can also be records refused one by one). */
  constructor(readonly stalledMs: number, options?: ErrorOptions) {
    super(`Kinesis made no progress for ${stalledMs} ms${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}`, options);
    this.name = 'ProducerStalledError';
  }
}

interface Pending {
  record: ProducerRecord;
  bytes: number;
  attempts: number;
}

/**
 * Batches records into PutRecords calls within Kinesis' limits (500 records, 5 MiB, 1 MiB per
 * record), retries the records a response marks failed, one by one, with exponential backoff and
 * jitter, and slows down under throttling instead of dropping data. `drain()` gives back-pressure.
 */
export class KinesisProducer {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private throttleDelayMs = 0;
  private lastProgressAt = Date.now();
  private failure: Error | undefined;
  private readonly waiters: Array<() => void> = [];
  private readonly options: Required<Omit<KinesisProducerOptions, 'backoff'>> & { backoff: BackoffOptions };
  readonly stats: ProducerStats = {
    recordsAcknowledged: 0,
    bytesAcknowledged: 0,
    putCalls: 0,
    recordsRetried: 0,
    throttledRecords: 0,
    callsRetried: 0,
  };

  constructor(
    private readonly client: KinesisClient,
    options: KinesisProducerOptions,
  ) {
    this.options = {
      streamName: options.streamName,
      maxInFlightCalls: options.maxInFlightCalls ?? 4,
      highWaterMarkRecords: options.highWaterMarkRecords ?? 5_000,
      maxStallMs: options.maxStallMs ?? 600_000,
      backoff: options.backoff ?? {},
    };
    if (!this.options.streamName) throw new RangeError('KinesisProducerOptions.streamName is required');
    if (!(this.options.maxInFlightCalls >= 1)) throw new RangeError('KinesisProducerOptions.maxInFlightCalls must be ≥ 1');
  }

  /** Queues a record. Throws if the record can never fit a Kinesis record. */
  put(record: ProducerRecord): void {
    this.throwIfFailed();
    const bytes = record.data.byteLength + Buffer.byteLength(record.partitionKey);
    if (bytes > KINESIS_MAX_RECORD_BYTES) {
      throw new RangeError(`record of ${bytes} bytes exceeds Kinesis' ${KINESIS_MAX_RECORD_BYTES}-byte limit`);
    }
    this.queue.push({ record, bytes, attempts: 0 });
    if (this.queue.length >= KINESIS_MAX_RECORDS_PER_PUT) this.pump();
    else this.schedulePump();
  }

  private pumpScheduled = false;

  /** Lets a synchronous burst of puts fill a batch before a partial batch is sent. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Resolves when the buffer is below its high-water mark (call it between chunks of input). */
  async drain(): Promise<void> {
    while (this.queue.length >= this.options.highWaterMarkRecords) {
      this.throwIfFailed();
      await this.nextChange();
    }
    this.throwIfFailed();
  }

  /** Resolves when every queued record has been acknowledged. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.throwIfFailed();
      this.pump();
      await this.nextChange();
    }
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < KINESIS_MAX_RECORDS_PER_PUT) {
      const next = this.queue[0]!;
      if (bytes + next.bytes > KINESIS_MAX_BYTES_PER_PUT) break;
      batch.push(this.queue.shift()!);
      bytes += next.bytes;
    }
    return batch;
  }

  private pump(): void {
    while (!this.failure && this.inFlight < this.options.maxInFlightCalls && this.queue.length > 0) {
      // Send full batches eagerly; a partial batch goes out only when nothing else is in flight.
      if (this.queue.length < KINESIS_MAX_RECORDS_PER_PUT && this.inFlight > 0) break;
      const batch = this.takeBatch();
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.pump();
        this.notify();
      });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    if (this.throttleDelayMs > 0) await sleep(this.throttleDelayMs);
    const entries: PutRecordsRequestEntry[] = batch.map((p) => ({ Data: p.record.data, PartitionKey: p.record.partitionKey }));
    this.stats.putCalls++;
    let failed: Pending[];
    try {
      const response = await this.client.send(new PutRecordsCommand({ StreamName: this.options.streamName, Records: entries }));
      const results = response.Records ?? [];
      failed = [];
      let throttled = 0;
      batch.forEach((pending, i) => {
        const result = results[i];
        if (result && !result.ErrorCode && result.SequenceNumber) {
          this.stats.recordsAcknowledged++;
          this.stats.bytesAcknowledged += pending.record.data.byteLength;
          pending.record.onAcknowledged?.();
        } else {
          if (result?.ErrorCode === 'ProvisionedThroughputExceededException') throttled++;
          failed.push(pending);
        }
      });
      this.stats.recordsRetried += failed.length;
      this.stats.throttledRecords += throttled;
      if (failed.length < batch.length) this.lastProgressAt = Date.now();
      // Additive increase of a shared delay while Kinesis throttles, halving once it accepts everything.
      this.throttleDelayMs = throttled > 0 ? Math.min(5_000, this.throttleDelayMs + 50) : Math.floor(this.throttleDelayMs / 2);
    } catch (error) {
      this.stats.callsRetried++;
      failed = batch;
      if (Date.now() - this.lastProgressAt > this.options.maxStallMs) {
        this.failure = new ProducerStalledError(Date.now() - this.lastProgressAt, { cause: error });
        return;
      }
    }
    if (failed.length === 0) return;
    if (Date.now() - this.lastProgressAt > this.options.maxStallMs) {
      this.failure = new ProducerStalledError(Date.now() - this.lastProgressAt);
      return;
    }
    const attempt = Math.max(...failed.map((p) => ++p.attempts));
    await sleep(backoffDelayMs(attempt, this.options.backoff));
    // Failed records go to the front so that they are not starved by new input.
    this.queue.unshift(...failed);
  }
}
