import { Readable } from 'node:stream';
import type { CallBudget } from '../budget/call-budget';
import { backoffDelayMs, sleep, type BackoffOptions } from '../produce/backoff';
import { CollectorError } from '../collector-error';

export interface VendorClientOptions {
  baseUrl: string;
  authHeader: string;
  apiKey: string;
  budget: CallBudget;
  runId: string;
  timeoutMs: number;
  maxAttempts: number;
  backoff?: BackoffOptions;
  /** Longest Retry-After honoured before the run gives up for now. @default 900_000 */
  maxRetryAfterMs?: number;
  /** Called before every request is sent; throwing stops the run there (a lost snapshot lease). @default none */
  beforeRequest?: () => void;
}

export interface VendorResponse {
  status: number;
  headers: Headers;
  body: Readable;
}

/** The vendor kept failing (5xx, 429, network) for every attempt; the run stops and resumes later. */
export class VendorUnavailableError extends CollectorError {
  readonly code = 'VENDOR_UNAVAILABLE';
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly lastProblem: string,
    options?: ErrorOptions,
  ) {
    super(`vendor unavailable after ${attempts} attempt(s) for ${url}: ${lastProblem}`, options);
    this.name = 'VendorUnavailableError';
  }
}

/** The vendor refused the request (4xx other than 429): retrying will not help. */
export class VendorRequestError extends CollectorError {
  readonly code = 'VENDOR_REQUEST_REFUSED';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly bodyExcerpt: string,
  ) {
    super(`vendor answered ${status} for ${url}: ${bodyExcerpt}`);
    this.name = 'VendorRequestError';
  }
}

/** Parses Retry-After (delta-seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * HTTP GET against the vendor with the API key header. Every request sent is spent from the call
 * budget first; 429 honours Retry-After; 5xx and network errors back off exponentially with jitter.
 */
export class VendorClient {
  constructor(private readonly options: VendorClientOptions) {}

  /** `target` is a path with query string; extra headers (e.g. Range) may be given. */
  async get(target: string, headers: Record<string, string> = {}): Promise<VendorResponse> {
    const url = new URL(target, this.options.baseUrl).toString();
    let lastProblem = '';
    // The last failure when it was a thrown error (network, timeout) rather than an HTTP answer.
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      this.options.beforeRequest?.();
      await this.options.budget.spend(this.options.runId);
      let waitMs: number;
      try {
        const response = await fetch(url, {
          headers: { ...headers, [this.options.authHeader]: this.options.apiKey, 'accept-encoding': 'identity' },
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        if (response.ok) {
          const body = response.body ? Readable.fromWeb(response.body as never) : Readable.from([]);
          return { status: response.status, headers: response.headers, body };
        }
        const text = (await response.text().catch(() => '')).slice(0, 300);
        lastProblem = `HTTP ${response.status} ${text}`;
        lastError = undefined;
        if (response.status === 429 || response.status === 503) {
          waitMs = retryAfterMs(response.headers.get('retry-after')) ?? backoffDelayMs(attempt, this.options.backoff);
          if (waitMs > (this.options.maxRetryAfterMs ?? 900_000)) throw new VendorUnavailableError(url, attempt, lastProblem);
        } else if (response.status >= 500) {
          waitMs = backoffDelayMs(attempt, this.options.backoff);
        } else {
          throw new VendorRequestError(url, response.status, text);
        }
      } catch (error) {
        if (error instanceof VendorRequestError || error instanceof VendorUnavailableError) throw error;
        lastProblem = (error as Error).message;
        lastError = error;
        waitMs = backoffDelayMs(attempt, this.options.backoff);
      }
      if (attempt < this.options.maxAttempts) await sleep(waitMs);
    }
    throw new VendorUnavailableError(url, this.options.maxAttempts, lastProblem, lastError === undefined ? undefined : { cause: lastError });
  }
}
