import { PutRecordCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { LoopbackHttpService } from '@ingest-lake/local-emulators';
import { KINESIS_MAX_RECORD_BYTES, KINESIS_MAX_RECORDS_PER_PUT } from '@ingest-lake/shared';

/**
 * The local stand-in for the API Gateway REST API of source documents 001 and 004: stage PROD,
 * `POST /v1` integrated with Kinesis PutRecord through the mapping template (Data = base64 of the
 * body plus a newline, PartitionKey = X-Amzn-Trace-Id, generated when absent), and
 * `POST /v1/batch` mapped to PutRecords. Answers like the integration does: Kinesis' response.
 */
export interface IngestEndpointOptions {
  kinesis: KinesisClient;
  streamName: string;
  /** The stage path prefix. @default /PROD */
  stage?: string;
  /** Largest accepted body; above it 413. @default Kinesis' 1 MiB record limit minus the partition key */
  maxBodyBytes?: number;
  /** When set, requests must carry `x-api-key` with this value (the usage plan's key in AWS). */
  apiKey?: string;
}

/** A trace id in X-Ray's format, as API Gateway generates one. */
export function newTraceId(now: number = Date.now()): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

export class IngestEndpoint extends LoopbackHttpService {
  /** Requests received and records accepted (for reconciliation of the HTTP source). */
  readonly counters = { requests: 0, recordsAccepted: 0, rejected: 0 };

  /** Base URL (`url`, e.g. `http://127.0.0.1:4600`); the stage URL is `<url>/PROD/v1`. */
  constructor(private readonly options: IngestEndpointOptions) {
    super();
  }

  protected async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.counters.requests++;
    const stage = this.options.stage ?? '/PROD';
    const route = request.url?.split('?')[0];
    const reply = (status: number, body: unknown) => {
      if (status >= 400) this.counters.rejected++;
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    if (route !== `${stage}/v1` && route !== `${stage}/v1/batch`) return reply(404, { message: `no route ${request.method} ${route}; use POST ${stage}/v1` });
    if (request.method !== 'POST') return reply(405, { message: 'Method Not Allowed: use POST' });
    if (this.options.apiKey !== undefined && request.headers['x-api-key'] !== this.options.apiKey) return reply(403, { message: 'Forbidden' });
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') return reply(415, { message: `Unsupported Media Type: send Content-Type: application/json (got "${contentType}")` });
    const maxBytes = this.options.maxBodyBytes ?? KINESIS_MAX_RECORD_BYTES - 256 - 1;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return reply(413, { message: `Request body larger than ${maxBytes} bytes` });
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      return reply(400, { message: `Invalid request body: not JSON (${(error as Error).message})` });
    }
    const traceHeader = request.headers['x-amzn-trace-id'];
    const partitionKey = (typeof traceHeader === 'string' && traceHeader.length > 0 ? traceHeader : newTraceId()).slice(0, 256);
    try {
      if (route === `${stage}/v1`) {
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          return reply(400, { message: 'Invalid request body: expected a JSON object' });
        }
        // The mapping template: $util.base64Encode($input.json('$') + "\n").
        const result = await this.options.kinesis.send(
          new PutRecordCommand({ StreamName: this.options.streamName, Data: Buffer.from(`${body.trim()}\n`), PartitionKey: partitionKey }),
        );
        this.counters.recordsAccepted++;
        return reply(200, { SequenceNumber: result.SequenceNumber, ShardId: result.ShardId });
      }
      const records = (parsed as { records?: unknown }).records;
      if (!Array.isArray(records) || records.length === 0 || records.length > KINESIS_MAX_RECORDS_PER_PUT) {
        return reply(400, { message: `Invalid request body: expected {"records": [ 1..${KINESIS_MAX_RECORDS_PER_PUT} JSON objects ]}` });
      }
      const badIndex = records.findIndex((r) => typeof r !== 'object' || r === null || Array.isArray(r));
      if (badIndex !== -1) return reply(400, { message: `Invalid request body: records[${badIndex}] is not a JSON object` });
      const result = await this.options.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.options.streamName,
          Records: records.map((record, i) => ({ Data: Buffer.from(`${JSON.stringify(record)}\n`), PartitionKey: `${partitionKey}-${i}`.slice(0, 256) })),
        }),
      );
      const accepted = (result.Records ?? []).filter((r) => !r.ErrorCode).length;
      this.counters.recordsAccepted += accepted;
      return reply(200, { FailedRecordCount: result.FailedRecordCount ?? 0, Records: result.Records });
    } catch (error) {
      // API Gateway maps an integration failure to 500 Internal Server Error.
      return reply(500, { message: 'Internal server error', detail: (error as Error).message });
    }
  }
}
