import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  datasetRuntime,
  duckdbJsonColumns,
  evaluatePrefix,
  FIREHOSE_BACKUP_PREFIX,
  FIREHOSE_CURATED_PREFIX,
  FIREHOSE_ERROR_PREFIX,
} from '@ingest-lake/shared';
import { decodeFailureEnvelope } from '@ingest-lake/firehose-transform';
import type { DuckDbSession } from './duckdb-session';
import { sqlLiteral } from './duckdb-session';

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

/** Counts of one delivery (data records, not Kinesis records, except where named). */
export interface DeliveryManifest {
  deliveryStream: string;
  deliveredAt: string;
  kinesisRecords: number;
  dataRecords: number;
  curatedRows: Record<string, number>;
  failedRows: Record<string, number>;
  droppedKinesisRecords: number;
  droppedRows: number;
}

/** Writes one delivery's objects to the lake with Firehose's key layout. */
export class DeliveryWriter {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly duckdb: DuckDbSession,
    private readonly deliveryStreamName: string,
  ) {}

  /**
   * Object name: stream, delivery time and an id stable across retries of the same delivery, so a
   * retried delivery overwrites its own objects instead of duplicating them.
   */
  private objectName(at: Date, deliveryId: string, extension: string): string {
    const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    return `${this.deliveryStreamName}-1-${stamp}-${deliveryId}${extension}`;
  }

  private async put(key: string, body: Buffer | string, contentType: string): Promise<string> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
    return key;
  }

  /** Source backup: the records exactly as they arrived, concatenated, under raw-data/yyyy/MM/dd/HH/. */
  async writeBackup(at: Date, deliveryId: string, records: Buffer[]): Promise<string> {
    return this.put(`${evaluatePrefix(FIREHOSE_BACKUP_PREFIX, { at })}${this.objectName(at, deliveryId, '')}`, Buffer.concat(records), 'application/octet-stream');
  }

  /**
   * Record format conversion: NDJSON from the transform → Parquet with the dataset's exact column
   * types (DuckDB), under curated/dataset=…/dt=…/ (dynamic partitioning).
   */
  async writeCurated(at: Date, deliveryId: string, dataset: string, dt: string, ndjson: string): Promise<string> {
    const runtime = datasetRuntime(dataset);
    if (!runtime) throw new Error(`no schema for dataset "${dataset}"`);
    const directory = await mkdtemp(path.join(os.tmpdir(), 'firehose-convert-'));
    try {
      const jsonPath = path.join(directory, 'batch.ndjson');
      const parquetPath = path.join(directory, 'batch.parquet');
      await writeFile(jsonPath, ndjson);
      await this.duckdb.run(
        `COPY (SELECT * FROM read_json(${sqlLiteral(jsonPath)}, format = 'newline_delimited', columns = ${duckdbJsonColumns(runtime.dataset)})) ` +
          `TO ${sqlLiteral(parquetPath)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      const key = `${evaluatePrefix(FIREHOSE_CURATED_PREFIX, { at, partitionKeys: { dataset, dt } })}${this.objectName(at, deliveryId, '.parquet')}`;
      return await this.put(key, await readFile(parquetPath), 'application/vnd.apache.parquet');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  /**
   * What one delivery carried and produced, for reconciliation: written after its objects, under
   * state/firehose/<stream>/ (a local addition; in AWS the same numbers come from CloudWatch).
   */
  async writeManifest(deliveryId: string, manifest: DeliveryManifest): Promise<string> {
    return this.put(`state/firehose/${this.deliveryStreamName}/${deliveryId}.json`, JSON.stringify(manifest), 'application/json');
  }

  /** Error output: one Firehose error record per line under errors/<error-output-type>/dt=…/. */
  async writeErrors(at: Date, deliveryId: string, errorOutputType: string, records: FirehoseErrorRecord[]): Promise<string> {
    const key = `${evaluatePrefix(FIREHOSE_ERROR_PREFIX, { at, errorOutputType })}${this.objectName(at, deliveryId, '')}`;
    return this.put(key, records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'application/x-ndjson');
  }
}

/** The transform's reason for a failed record, from its failure envelope, for errorMessage. */
export function failureMessage(returnedData: string): string {
  const envelope = decodeFailureEnvelope(Buffer.from(returnedData, 'base64'));
  return envelope ? `${envelope.error.reason}: ${envelope.error.detail}` : 'record returned as ProcessingFailed';
}
