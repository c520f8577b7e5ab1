import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { Transform } from 'node:stream';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { LoopbackHttpService } from '@ingest-lake/local-emulators';
import type { VendorDataset } from '@ingest-lake/shared';
import { appMarketDailyRows, GENERATOR_VERSION } from './app-market-generator';
import { writeVendorFile } from './write-vendor-file';

/** A fault the simulator injects into the next matching responses. */
export interface Fault {
  kind: 'server-error' | 'reset-mid-body' | 'truncated-gzip' | 'slow' | 'rate-limit';
  /** Which requests: a bulk file name, `api`, or `any`. */
  target: string;
  /** How many matching requests get the fault. @default 1 */
  times?: number;
  /** reset-mid-body / truncated-gzip: bytes sent before the cut. @default half the body */
  afterBytes?: number;
  /** slow: delay before the response and between 16 KiB body chunks. @default 200 */
  delayMs?: number;
  /** rate-limit: Retry-After seconds. @default 1 */
  retryAfterSeconds?: number;
}

export interface VendorSimulatorOptions {
  dataset: VendorDataset;
  snapshot: string;
  /** Rows in the data file. */
  dataRows: number;
  /** Records served by the JSON API (first rows of the data file). @default 2_500 */
  apiRecords?: number;
  apiKey: string;
  apiKeyHeader?: string;
  /** Calls accepted before every further call gets 429. @default unlimited */
  callQuota?: number;
  /** Folder for the generated files (kept between runs: generation is deterministic). */
  cacheDir: string;
  port?: number;
  seed?: number;
  /** Every Nth data file row (1-based) carries a value the schema refuses, so it is quarantined. @default none */
  invalidRowEvery?: number;
}

interface ServedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** Routes, as the example manifest describes them. */
export const SIMULATOR_BULK_PREFIX = '/bulk/v1/';
export const SIMULATOR_API_PATH = '/v1.3/app_market/daily';

/**
 * A stand-in for the commercial data platform: serves the bulk csv.gz files (1 data + 12 metadata)
 * with Range support and a SHA-256 header, serves the v1.3 JSON API in pages, enforces a call
 * quota with 429 + Retry-After, and injects faults on request. Its faults act inside a response
 * (a cut body, a short gzip, a slow stream), which the pass-through fault proxies of
 * `@ingest-lake/local-emulators` do not.
 */
export class VendorSimulator extends LoopbackHttpService {
  private readonly files = new Map<string, ServedFile>();
  private readonly faults: Array<Fault & { remaining: number }> = [];
  private apiRows: string[][] = [];
  /** Requests received, including refused ones. */
  callsReceived = 0;
  /** When set, every Nth API record (1-based) carries a value the schema refuses (downloads "lots"). */
  invalidApiRecordEvery: number | undefined;
  readonly callsByTarget = new Map<string, number>();
  /** Body bytes sent per bulk file (a resumed download adds only what was missing). */
  readonly bytesServed = new Map<string, number>();
  /** Every bulk-file request in arrival order, with the byte it asked to start from (0 without Range). */
  readonly fileRequests: Array<{ file: string; start: number }> = [];

  constructor(private readonly options: VendorSimulatorOptions) {
    super();
  }

  /** Generates (or reuses) the files and starts listening on 127.0.0.1. Returns the base URL. */
  override async start(): Promise<string> {
    const invalid = this.options.invalidRowEvery ? `-invalid${this.options.invalidRowEvery}` : '';
    const dir = path.join(this.options.cacheDir, `${this.options.dataset.name}-v${GENERATOR_VERSION}-${this.options.snapshot}-${this.options.dataRows}-${this.options.seed ?? 1}${invalid}`);
    await mkdir(dir, { recursive: true });
    const all = [this.options.dataset.dataFile, ...this.options.dataset.metadataFiles];
    for (const file of all) {
      const filePath = path.join(dir, file.file);
      const isDataFile = file === this.options.dataset.dataFile;
      if (!existsSync(filePath)) {
        await writeVendorFile(filePath, file, { snapshot: this.options.snapshot, dataRows: this.options.dataRows, isDataFile, seed: this.options.seed ?? 1, ...(this.options.invalidRowEvery ? { invalidRowEvery: this.options.invalidRowEvery } : {}) });
      }
      const bytes = (await stat(filePath)).size;
      const sha256 = createHash('sha256').update(await readFile(filePath)).digest('hex');
      this.files.set(file.file, { path: filePath, bytes, sha256 });
    }
    // The API serves the data file's first rows, generated again rather than parsed back from it.
    const { snapshot, seed, invalidRowEvery } = this.options;
    const apiRecords = this.options.apiRecords ?? 2_500;
    this.apiRows = [...appMarketDailyRows(Math.min(apiRecords, this.options.dataRows), snapshot, seed, invalidRowEvery)];
    return super.start(this.options.port ?? 0);
  }

  /** `http://127.0.0.1:<port>`. */
  get baseUrl(): string {
    return this.url;
  }

  /** SHA-256 and size of a served file, for assertions. */
  fileInfo(file: string): ServedFile | undefined {
    return this.files.get(file);
  }

  /**
   * Serves a file of the caller's making instead of the generated one from now on (a vendor that
   * changed its columns, say); written beside the generated files under a name of its own.
   */
  async replaceFile(file: string, gzippedBody: Buffer): Promise<void> {
    const served = this.files.get(file);
    if (!served) throw new RangeError(`the simulator serves no file named "${file}"`);
    const sha256 = createHash('sha256').update(gzippedBody).digest('hex');
    const filePath = `${served.path}.${sha256.slice(0, 16)}.served`;
    await writeFile(filePath, gzippedBody);
    this.files.set(file, { path: filePath, bytes: gzippedBody.length, sha256 });
  }

  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  private takeFault(target: string): (Fault & { remaining: number }) | undefined {
    const index = this.faults.findIndex((f) => f.remaining > 0 && (f.target === target || f.target === 'any'));
    if (index === -1) return undefined;
    const fault = this.faults[index]!;
    fault.remaining--;
    return fault;
  }

  protected async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.callsReceived++;
    const url = new URL(request.url ?? '/', 'http://vendor');
    const target = url.pathname.startsWith(SIMULATOR_BULK_PREFIX) ? decodeURIComponent(url.pathname.split('/').pop()!) : url.pathname === SIMULATOR_API_PATH ? 'api' : url.pathname;
    this.callsByTarget.set(target, (this.callsByTarget.get(target) ?? 0) + 1);
    if (request.headers[(this.options.apiKeyHeader ?? 'X-Api-Key').toLowerCase()] !== this.options.apiKey) {
      return json(response, 401, { error: 'missing or wrong API key' });
    }
    if (this.options.callQuota !== undefined && this.callsReceived > this.options.callQuota) {
      response.setHeader('retry-after', '3600');
      return json(response, 429, { error: 'call quota exhausted for this period' });
    }
    const fault = this.takeFault(target);
    if (fault?.kind === 'server-error') return json(response, 503, { error: 'injected server error' });
    if (fault?.kind === 'rate-limit') {
      response.setHeader('retry-after', String(fault.retryAfterSeconds ?? 1));
      return json(response, 429, { error: 'injected rate limit' });
    }
    if (fault?.kind === 'slow') await delay(fault.delayMs ?? 200);
    if (target === 'api') return this.serveApiPage(url, response);
    const file = this.files.get(target);
    if (!file || !url.pathname.startsWith(SIMULATOR_BULK_PREFIX)) return json(response, 404, { error: `no such resource ${url.pathname}` });
    return this.serveFile(file, request, response, fault);
  }

  private serveFile(file: ServedFile, request: http.IncomingMessage, response: http.ServerResponse, fault: Fault | undefined): void {
    let start = 0;
    let end = file.bytes - 1;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (range) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), end) : end;
    }
    const name = path.basename(file.path);
    this.fileRequests.push({ file: name, start });
    if (range && start > end) {
      response.writeHead(416, { 'content-range': `bytes */${file.bytes}` });
      return void response.end();
    }
    const length = end - start + 1;
    const cutAfter = fault?.kind === 'reset-mid-body' || fault?.kind === 'truncated-gzip' ? (fault.afterBytes ?? Math.floor(length / 2)) : undefined;
    const headers: http.OutgoingHttpHeaders = {
      'content-type': 'application/gzip',
      'accept-ranges': 'bytes',
      'x-content-sha256': file.sha256,
      // A truncated-gzip fault declares the short length: the transfer looks complete, the file is not.
      'content-length': fault?.kind === 'truncated-gzip' ? cutAfter : length,
    };
    if (range) headers['content-range'] = `bytes ${start}-${end}/${file.bytes}`;
    response.writeHead(range ? 206 : 200, headers);
    const read = createReadStream(file.path, { start, end: cutAfter === undefined ? end : start + cutAfter - 1, highWaterMark: 16_384 });
    // slow: each chunk waits before it is passed on (pausing the file stream would not hold: the pipe
    // resumes it whenever the socket drains).
    const delayMs = fault?.delayMs ?? 200;
    const body =
      fault?.kind === 'slow'
        ? read.pipe(new Transform({ transform: (chunk, _encoding, callback) => void setTimeout(() => callback(null, chunk), delayMs) }))
        : read;
    body.on('data', (chunk: Buffer) => this.bytesServed.set(name, (this.bytesServed.get(name) ?? 0) + chunk.length));
    body.pipe(response, { end: false });
    body.on('end', () => {
      if (fault?.kind === 'reset-mid-body') response.socket?.destroy();
      else response.end();
    });
    // A client gone mid-body (killed, or cut): stop reading the file.
    response.on('close', () => {
      read.destroy();
      body.destroy();
    });
  }

  private serveApiPage(url: URL, response: http.ServerResponse): void {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), 10_000);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const columns = this.options.dataset.dataFile.dataset.columnNames;
    const column = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
    const orNull = (value: string) => (value === '' ? null : value);
    const invalidEvery = this.invalidApiRecordEvery;
    const data = this.apiRows.slice(offset, offset + limit).map((row, i) => ({
      date: column(row, 'metric_date'),
      app: { id: Number(column(row, 'app_id')), name: column(row, 'app_name'), publisher: column(row, 'publisher_name') },
      market: { country: column(row, 'country_code'), device: column(row, 'device'), store: column(row, 'store_id') },
      category_id: Number(column(row, 'category_id')),
      metrics: {
        downloads: invalidEvery && (offset + i + 1) % invalidEvery === 0 ? 'lots' : Number(column(row, 'downloads')),
        revenue_usd: column(row, 'revenue_usd'),
        active_users: orNull(column(row, 'active_users')),
        rank: orNull(column(row, 'rank_overall')),
        rating: orNull(column(row, 'rating_average')),
      },
      is_estimate: column(row, 'is_estimate') === 'true',
      updated_at: column(row, 'updated_at'),
    }));
    const next = offset + limit < this.apiRows.length ? String(offset + limit) : null;
    json(response, 200, { data, next_cursor: next, total: this.apiRows.length });
  }
}

function json(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
