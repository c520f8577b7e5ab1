import { PutRecordCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { Compile, parse } from 'velocityjs';
import { LoopbackHttpService } from '@ingest-lake/local-emulators';
import {
  INGEST_ROUTES,
  KINESIS_MAX_RECORD_BYTES,
  KINESIS_MAX_RECORDS_PER_PUT,
  MappingTemplateSyntaxError,
  checkBlockDirectives,
  mappingTemplateVariables,
  type IngestRoute,
  type MappingTemplateVariables,
} from '@ingest-lake/shared';

/**
 * The local stand-in for the ingest API (`infra/src/stacks/ingest-api-stack.ts`): stage PROD,
 * the routes of `INGEST_ROUTES` (`POST /v1` → PutRecord, `POST /v1/batch` → PutRecords). Like the
 * AWS integration it renders the route's request mapping template (the text infra deploys) with a
 * Velocity engine, sends the rendered JSON to Kinesis as the action's request, and answers with
 * Kinesis' response. X-Amzn-Trace-Id is generated when absent, as API Gateway with X-Ray does.
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
  /** The routes and their templates. @default INGEST_ROUTES */
  routes?: readonly IngestRoute[];
}

/** A trace id in X-Ray's format, as API Gateway generates one. */
export function newTraceId(now: number = Date.now()): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

/** A request mapping template parsed once with velocityjs and rendered once per request. */
export class VelocityMappingTemplate {
  private constructor(
    readonly name: string,
    private readonly ast: ReturnType<typeof parse>,
  ) {}

  /** Parses `text`; throws MappingTemplateSyntaxError (template name and line) where Velocity 1.7 would not parse it. */
  static compile(name: string, text: string): VelocityMappingTemplate {
    checkBlockDirectives(name, text);
    try {
      return new VelocityMappingTemplate(name, parse(text));
    } catch (error) {
      const { message, hash } = error as Error & { hash?: { loc?: { first_line?: number } } };
      const line = hash?.loc?.first_line ?? Number(/on line (\d+)/.exec(message)?.[1] ?? Number.NaN);
      throw new MappingTemplateSyntaxError(name, Number.isNaN(line) ? undefined : line, message, { cause: error });
    }
  }

  /** The template's output for one request's `$input`, `$util` and `$context`. */
  render(variables: MappingTemplateVariables): string {
    return new Compile(this.ast, { escape: false }).render(variables);
  }
}

/** Kinesis' JSON request fields the templates produce (Data is base64, as on the wire). */
interface RenderedEntry {
  Data: string;
  PartitionKey: string;
  ExplicitHashKey?: string;
}
type RenderedPutRecord = RenderedEntry & { StreamName: string };
interface RenderedPutRecords {
  StreamName: string;
  Records: RenderedEntry[];
}

export class IngestEndpoint extends LoopbackHttpService {
  /** Requests received and records accepted (for reconciliation of the HTTP source). */
  readonly counters = { requests: 0, recordsAccepted: 0, rejected: 0 };
  private readonly routes: ReadonlyArray<{ route: IngestRoute; template: VelocityMappingTemplate }>;

  /**
   * Base URL (`url`, e.g. `http://127.0.0.1:4600`); the stage URL is `<url>/PROD/v1`. Parses every
   * route's template here, so a malformed one fails the stack's start, naming template and line.
   */
  constructor(private readonly options: IngestEndpointOptions) {
    super();
    this.routes = (options.routes ?? INGEST_ROUTES).map((route) => ({
      route,
      template: VelocityMappingTemplate.compile(route.id, route.template(options.streamName)),
    }));
  }

  protected async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.counters.requests++;
    const stage = this.options.stage ?? '/PROD';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const reply = (status: number, body: unknown) => {
      if (status >= 400) this.counters.rejected++;
      const text = JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    };
    const match = this.routes.find(({ route }) => `${stage}${route.path}` === url.pathname);
    if (!match) return reply(404, { message: `no route ${request.method} ${url.pathname}; use POST ${stage}/v1` });
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
    const invalid = requestModelProblem(match.route, parsed);
    if (invalid) return reply(400, { message: `Invalid request body: ${invalid}` });
    const variables = mappingTemplateVariables(
      { body, headers: templateHeaders(request.headers), querystring: Object.fromEntries(url.searchParams) },
      { requestId: randomUUID(), stage: stage.replace(/^\//, ''), httpMethod: request.method ?? 'POST', resourcePath: match.route.path },
    );
    try {
      const rendered = renderRequest(match.template, variables);
      if (match.route.kinesisAction === 'PutRecord') {
        const { StreamName, ...entry } = rendered as RenderedPutRecord;
        const result = await this.options.kinesis.send(new PutRecordCommand({ StreamName, ...kinesisEntry(entry) }));
        this.counters.recordsAccepted++;
        return reply(200, { SequenceNumber: result.SequenceNumber, ShardId: result.ShardId });
      }
      const { StreamName, Records } = rendered as RenderedPutRecords;
      const result = await this.options.kinesis.send(new PutRecordsCommand({ StreamName, Records: Records.map(kinesisEntry) }));
      this.counters.recordsAccepted += (result.Records ?? []).filter((r) => !r.ErrorCode).length;
      return reply(200, { FailedRecordCount: result.FailedRecordCount ?? 0, Records: result.Records });
    } catch (error) {
      // API Gateway maps an integration failure to 500 Internal Server Error.
      return reply(500, { message: 'Internal server error', detail: (error as Error).message });
    }
  }
}

/** What API Gateway's request validator would reject in the body (the route's model), or undefined. */
function requestModelProblem(route: IngestRoute, body: unknown): string | undefined {
  const isObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (route.id === 'put-record') return isObject(body) ? undefined : 'expected a JSON object';
  const records = isObject(body) ? (body as { records?: unknown }).records : undefined;
  if (!Array.isArray(records) || records.length === 0 || records.length > KINESIS_MAX_RECORDS_PER_PUT) {
    return `expected {"records": [ 1..${KINESIS_MAX_RECORDS_PER_PUT} JSON objects ]}`;
  }
  const badIndex = records.findIndex((record) => !isObject(record));
  return badIndex === -1 ? undefined : `records[${badIndex}] is not a JSON object`;
}

/** Request headers as the template sees them, with the trace id API Gateway adds when X-Ray is on. */
function templateHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(',') : value;
  }
  if (!result['x-amzn-trace-id']) result['x-amzn-trace-id'] = newTraceId();
  return result;
}

/** The rendered template parsed as the Kinesis request; a template that renders no JSON is an integration failure. */
function renderRequest(template: VelocityMappingTemplate, variables: MappingTemplateVariables): unknown {
  const text = template.render(variables);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`mapping template "${template.name}" rendered no JSON (${(error as Error).message}): ${text.slice(0, 200)}`, { cause: error });
  }
}

function kinesisEntry({ Data, PartitionKey, ExplicitHashKey }: RenderedEntry) {
  return { Data: Buffer.from(Data, 'base64'), PartitionKey, ...(ExplicitHashKey === undefined ? {} : { ExplicitHashKey }) };
}
