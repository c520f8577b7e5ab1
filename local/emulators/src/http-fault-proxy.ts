import http from 'node:http';
import { LoopbackHttpService } from './loopback-server';

/** Which requests fail, how often, and with what answer. */
export interface HttpFault {
  /** Method and path test, e.g. PUT on keys under raw/. */
  matches: (method: string, path: string) => boolean;
  /** Matching requests to fail before letting them through. */
  times: number;
  status: number;
  body: string;
  contentType?: string;
}

/**
 * A pass-through proxy that fails chosen requests (e.g. S3 multipart part uploads) a given number
 * of times. The Host header is forwarded unchanged, so SigV4 signatures stay valid.
 */
export class HttpFaultProxy extends LoopbackHttpService {
  private readonly remaining: number[];
  readonly stats = { forwarded: 0, failed: 0 };

  constructor(
    private readonly target: string,
    private readonly faults: HttpFault[],
  ) {
    super();
    this.remaining = faults.map((f) => f.times);
  }

  /** Base URL to point a client at. */
  get endpoint(): string {
    return this.url;
  }

  protected handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const index = this.faults.findIndex((f, i) => this.remaining[i]! > 0 && f.matches(request.method ?? 'GET', request.url ?? '/'));
    if (index !== -1) {
      this.remaining[index]!--;
      this.stats.failed++;
      const fault = this.faults[index]!;
      request.resume();
      request.on('end', () => {
        response.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/xml', 'content-length': Buffer.byteLength(fault.body) });
        response.end(fault.body);
      });
      return;
    }
    this.stats.forwarded++;
    const target = new URL(this.target);
    const upstream = http.request({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
    request.pipe(upstream);
  }
}

/** The XML body S3 sends with a 500. */
export const S3_INTERNAL_ERROR = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again. (injected)</Message></Error>';
