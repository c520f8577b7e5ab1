import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts an HTTP server on 127.0.0.1 (every local stand-in binds to loopback only). */
export function listenOnLoopback(server: http.Server, port = 0): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** `http://127.0.0.1:<port>` of a listening server. */
export function loopbackUrl(server: http.Server | undefined): string {
  if (!server) throw new Error('server is not running');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server and its open connections (keep-alive sockets included). */
export async function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Base of the local HTTP stand-ins (ingest endpoint, fault proxies): one server on loopback,
 * started and stopped the same way; subclasses only handle requests.
 */
export abstract class LoopbackHttpService {
  private server: http.Server | undefined;

  protected abstract handle(request: http.IncomingMessage, response: http.ServerResponse): void | Promise<void>;

  /** Starts on `port` (0 = any free port); returns the base URL. */
  async start(port = 0): Promise<string> {
    this.server = http.createServer((request, response) => void this.handle(request, response));
    await listenOnLoopback(this.server, port);
    return this.url;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return loopbackUrl(this.server);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
