import http from 'node:http';
import { LoopbackHttpService } from './loopback-server';

export interface KinesisFaultOptions {
  /** Kinesis endpoint to forward to (the emulator). */
  target: string;
  /** Share of PutRecords entries refused with ProvisionedThroughputExceededException (never forwarded). @default 0 */
  failRecordFraction?: number;
  /** Share of PutRecords calls refused whole with a throttling error. @default 0 */
  throttleCallFraction?: number;
  /** Seed of the fault choices, so that a failing run can be repeated. @default 1 */
  seed?: number;
}

/**
 * A fault-injecting proxy in front of the Kinesis emulator: PutRecords calls can be throttled
 * whole, and individual entries refused, exactly as Kinesis reports partial failures
 * (FailedRecordCount and per-record ErrorCode), so producers' retries are tested against the
 * real wire protocol. Refused entries are never written.
 */
export class KinesisFaultProxy extends LoopbackHttpService {
  private state: number;
  readonly stats = { putRecordsCalls: 0, callsThrottled: 0, recordsRefused: 0, recordsForwarded: 0 };

  constructor(private readonly options: KinesisFaultOptions) {
    super();
    this.state = options.seed ?? 1;
  }

  private random(): number {
    // xorshift32: deterministic per seed.
    this.state ^= this.state << 13;
    this.state ^= this.state >>> 17;
    this.state ^= this.state << 5;
    return ((this.state >>> 0) % 1_000_000) / 1_000_000;
  }

  /** Base URL to point a Kinesis client at. */
  get endpoint(): string {
    return this.url;
  }

  private async forward(request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    const target = new URL(this.options.target);
    return new Promise((resolve, reject) => {
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, 'content-length': String(body.length), host: target.host } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 500, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }

  protected async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const send = (status: number, headers: http.OutgoingHttpHeaders, payload: Buffer) => {
      response.writeHead(status, { ...headers, 'content-length': payload.length });
      response.end(payload);
    };
    if (request.headers['x-amz-target'] !== 'Kinesis_20131202.PutRecords') {
      const upstream = await this.forward(request, body);
      const { 'content-length': _length, 'transfer-encoding': _encoding, connection: _connection, ...headers } = upstream.headers;
      return send(upstream.status, headers, upstream.body);
    }
    this.stats.putRecordsCalls++;
    const jsonHeaders = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `fault-${this.stats.putRecordsCalls}` };
    if (this.random() < (this.options.throttleCallFraction ?? 0)) {
      this.stats.callsThrottled++;
      return send(400, jsonHeaders, Buffer.from(JSON.stringify({ __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for stream (injected)' })));
    }
    const input = JSON.parse(body.toString('utf8')) as { StreamName: string; Records: unknown[] };
    const refused = input.Records.map(() => this.random() < (this.options.failRecordFraction ?? 0));
    const forwarded = input.Records.filter((_, i) => !refused[i]);
    let upstreamResults: Array<Record<string, unknown>> = [];
    let upstreamFailed = 0;
    if (forwarded.length > 0) {
      const upstream = await this.forward(request, Buffer.from(JSON.stringify({ ...input, Records: forwarded })));
      if (upstream.status !== 200) return send(upstream.status, jsonHeaders, upstream.body);
      const parsed = JSON.parse(upstream.body.toString('utf8')) as { FailedRecordCount: number; Records: Array<Record<string, unknown>> };
      upstreamResults = parsed.Records;
      upstreamFailed = parsed.FailedRecordCount;
    }
    this.stats.recordsForwarded += forwarded.length;
    let next = 0;
    const results = refused.map((isRefused) =>
      isRefused ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected)' } : upstreamResults[next++]!,
    );
    const refusedCount = refused.filter(Boolean).length;
    this.stats.recordsRefused += refusedCount;
    send(200, jsonHeaders, Buffer.from(JSON.stringify({ FailedRecordCount: upstreamFailed + refusedCount, Records: results })));
  }
}
