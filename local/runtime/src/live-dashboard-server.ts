import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { LoopbackHttpService } from '@ingest-lake/local-emulators';
import type { DashboardSnapshot } from './dashboard-snapshot';
import { DASHBOARD_PAGE_ASSETS, renderLiveDashboardPage } from './live-dashboard-page';
import { LocalRuntimeError } from './local-runtime-error';

export interface LiveDashboardServerOptions {
  /** The newest snapshot (the server never computes one: many open pages cost one sampler). */
  snapshot: () => DashboardSnapshot;
  /** Folder holding the bundled page script and stylesheet. */
  pageDir: string;
  title: string;
  /** How often the page polls, seconds. */
  refreshSeconds: number;
}

/** Thrown at start when the page bundle is missing (`npm run build` makes it). */
export class DashboardPageMissingError extends LocalRuntimeError {
  readonly code = 'DASHBOARD_PAGE_MISSING';
  constructor(readonly file: string, options?: ErrorOptions) {
    super(`missing ${file}: run \`npm run build\` first`, options);
    this.name = 'DashboardPageMissingError';
  }
}

const CONTENT_TYPES = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', json: 'application/json; charset=utf-8' };

/**
 * The live dashboard over HTTP on loopback: `GET /` (the page), its bundled script and stylesheet,
 * and `GET /dashboard.json` (the newest snapshot), which the page polls.
 */
export class LiveDashboardServer extends LoopbackHttpService {
  private readonly assets = new Map<string, { body: Buffer; type: string }>();

  constructor(private readonly options: LiveDashboardServerOptions) {
    super();
  }

  /** Loads the page bundle, then listens on `port` (0 = any free port); returns the base URL. */
  override async start(port = 0): Promise<string> {
    for (const [name, type] of [[DASHBOARD_PAGE_ASSETS.script, CONTENT_TYPES.js], [DASHBOARD_PAGE_ASSETS.stylesheet, CONTENT_TYPES.css]] as const) {
      const file = path.join(this.options.pageDir, name);
      const body = await readFile(file).catch((error: unknown) => {
        throw new DashboardPageMissingError(file, { cause: error });
      });
      this.assets.set(`/${name}`, { body, type });
    }
    this.assets.set('/', { body: Buffer.from(renderLiveDashboardPage(this.options)), type: CONTENT_TYPES.html });
    return super.start(port);
  }

  protected handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (pathname === '/dashboard.json') {
      response.writeHead(200, { 'Content-Type': CONTENT_TYPES.json, 'Cache-Control': 'no-store' }).end(JSON.stringify(this.options.snapshot()));
      return;
    }
    const asset = this.assets.get(pathname);
    if (!asset) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' }).end(request.method === 'HEAD' ? undefined : asset.body);
  }
}
