import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  datasetRuntime,
  duckdbJsonColumns,
  evaluatePrefix,
  type DeliveryStreamSettings,
  type ParquetCompression,
  type S3CompressionFormat,
} from '@ingest-lake/shared';
import { decodeFailureEnvelope } from '@ingest-lake/firehose-transform';
import type { DeliveryRange } from './delivery-range';
import type { DuckDbSession } from './duckdb-session';
import { LocalRuntimeError } from './local-runtime-error';
import { sqlLiteral } from './duckdb-session';
import type { RecordCounts } from './record-counts';

/** One record of Firehose's error output (`processing-failed/`), as the developer guide documents it. */
export interface FirehoseErrorRecord {
  attemptsMade: number;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  rawData: string;
  lambdaArn: string;
}

/** What one delivery carried and what became of it (the shared count, plus the transport's own numbers). */
export interface DeliveryManifest extends RecordCounts {
  deliveryStream: string;
  /** When its last object was written (its prefixes use the oldest record's arrival time instead). */
  deliveredAt: string;
  /** The shard sequence ranges it covers, from which its object keys derive. */
  shardRanges: DeliveryRange;
  /** Kinesis records in the delivery (a pack of many data records is one). */
  kinesisRecords: number;
}

/** A setting of the delivery model this stand-in does not implement; names the setting and value. */
export class UnsupportedDeliverySettingError extends LocalRuntimeError {
  readonly code = 'DELIVERY_SETTING_UNSUPPORTED';
  constructor(setting: string, value: string) {
    super(`local Firehose runner: ${setting} "${value}" is not supported here (supported: UNCOMPRESSED, GZIP / SNAPPY for Parquet)`);
    this.name = 'UnsupportedDeliverySettingError';
  }
}

/** DuckDB's name of a Firehose ParquetSerDe compression. */
const DUCKDB_PARQUET_CODECS: Record<ParquetCompression, string> = { UNCOMPRESSED: 'uncompressed', GZIP: 'gzip', SNAPPY: 'snappy' };

/** How the backup is encoded, and the extension Firehose appends for it. */
const BACKUP_ENCODINGS: Partial<Record<S3CompressionFormat, { extension: string; encode: (data: Buffer) => Buffer }>> = {
  UNCOMPRESSED: { extension: '', encode: (data) => data },
  GZIP: { extension: '.gz', encode: (data) => gzipSync(data) },
};

/** Writes one delivery's objects to the lake with the delivery stream's prefixes, formats and key layout. */
export class DeliveryWriter {
  private readonly backupEncoding: { extension: string; encode: (data: Buffer) => Buffer };
  private readonly parquetCodec: string;

  /** Refuses, at start, a compression the writer cannot produce. */
  constructor(
    private readonly s3: S3Client,
    private readonly duckdb: DuckDbSession,
    private readonly settings: DeliveryStreamSettings,
  ) {
    const backup = BACKUP_ENCODINGS[settings.backup.compression];
    if (!backup) throw new UnsupportedDeliverySettingError('backup.compression', settings.backup.compression);
    this.backupEncoding = backup;
    const codec = DUCKDB_PARQUET_CODECS[settings.destination.parquetCompression];
    if (!codec) throw new UnsupportedDeliverySettingError('destination.parquetCompression', settings.destination.parquetCompression);
    this.parquetCodec = codec;
  }

  /**
   * Object name: stream, delivery time and delivery id, both derived from the records the delivery
   * covers, so a retried or redone delivery overwrites its own objects instead of duplicating them.
   */
  private objectName(at: Date, deliveryId: string, extension: string): string {
    const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    return `${this.settings.deliveryStreamName}-1-${stamp}-${deliveryId}${extension}`;
  }

  private async put(key: string, body: Buffer | string, contentType: string): Promise<string> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.settings.destination.bucketName, Key: key, Body: body, ContentType: contentType }));
    return key;
  }

  /** Source backup: the records exactly as they arrived, concatenated and compressed as configured, under the backup prefix. */
  async writeBackup(at: Date, deliveryId: string, records: Buffer[]): Promise<string> {
    const { extension, encode } = this.backupEncoding;
    const key = `${evaluatePrefix(this.settings.backup.prefix, { at })}${this.objectName(at, deliveryId, extension)}`;
    return this.put(key, encode(Buffer.concat(records)), 'application/octet-stream');
  }

  /**
   * Record format conversion: NDJSON from the transform → Parquet with the stream's table (the
   * dataset's exact column types, via DuckDB) and the configured compression, under the curated
   * prefix evaluated with the transform's partition keys (`partitionPrefix`).
   */
  async writeCurated(at: Date, deliveryId: string, partitionPrefix: string, ndjson: string): Promise<string> {
    const runtime = datasetRuntime(this.settings.dataset);
    if (!runtime) throw new Error(`no schema for dataset "${this.settings.dataset}"`);
    const directory = await mkdtemp(path.join(os.tmpdir(), 'firehose-convert-'));
    try {
      const jsonPath = path.join(directory, 'batch.ndjson');
      const parquetPath = path.join(directory, 'batch.parquet');
      await writeFile(jsonPath, ndjson);
      await this.duckdb.run(
        `COPY (SELECT * FROM read_json(${sqlLiteral(jsonPath)}, format = 'newline_delimited', columns = ${duckdbJsonColumns(runtime.dataset)})) ` +
          `TO ${sqlLiteral(parquetPath)} (FORMAT parquet, COMPRESSION ${this.parquetCodec})`,
      );
      return await this.put(`${partitionPrefix}${this.objectName(at, deliveryId, '.parquet')}`, await readFile(parquetPath), 'application/vnd.apache.parquet');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  /**
   * What one delivery carried and produced, for reconciliation: written after its objects, under
   * state/firehose/<stream>/ (a local addition; in AWS the same numbers come from CloudWatch).
   */
  async writeManifest(deliveryId: string, manifest: DeliveryManifest): Promise<string> {
    return this.put(`state/firehose/${this.settings.deliveryStreamName}/${deliveryId}.json`, JSON.stringify(manifest), 'application/json');
  }

  /** Error output: one Firehose error record per line under the error prefix, in the `errorOutputType` folder. */
  async writeErrors(at: Date, deliveryId: string, errorOutputType: string, records: FirehoseErrorRecord[]): Promise<string> {
    const key = `${evaluatePrefix(this.settings.destination.errorOutputPrefix, { at, errorOutputType })}${this.objectName(at, deliveryId, '')}`;
    return this.put(key, records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'application/x-ndjson');
  }
}

/** Why the transform failed a record: its failure envelope's reason, or `response_too_large` for a record returned unchanged. */
export function failureReason(returnedData: string): { reason: string; detail: string } {
  const envelope = decodeFailureEnvelope(Buffer.from(returnedData, 'base64'));
  return envelope
    ? { reason: envelope.error.reason, detail: envelope.error.detail }
    : { reason: 'response_too_large', detail: 'returned as ProcessingFailed with its source data (the response reached the 6 MB limit)' };
}

/** The transform's reason for a failed record, for errorMessage: `<reason>: <detail>` (the local catalog reads the reason back from it). */
export function failureMessage(returnedData: string): string {
  const { reason, detail } = failureReason(returnedData);
  return `${reason}: ${detail}`;
}
