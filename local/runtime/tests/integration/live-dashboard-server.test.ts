import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DashboardSnapshot } from '../../src/dashboard-snapshot';
import { DashboardPageMissingError, LiveDashboardServer } from '../../src/live-dashboard-server';
import { REPO_PATHS } from '../../src/repo-paths';

const snapshot: DashboardSnapshot = {
  title: 'T',
  generatedAt: '2026-12-02T00:00:00.000Z',
  refreshSeconds: 5,
  charts: [{ id: 'records-in', title: 'Records in', unit: 'records', timestamps: [1], series: [{ label: '<b>s</b>', values: [3] }] }],
  tables: [{ title: 'Apps', rows: [{ app_name: '별빛퍼즐' }] }],
};

/** The server over real HTTP, with the bundle `npm run build` makes. */
describe('LiveDashboardServer', () => {
  let server: LiveDashboardServer;
  let url: string;

  beforeAll(async () => {
    server = new LiveDashboardServer({ snapshot: () => snapshot, pageDir: REPO_PATHS.dashboardPageDir, title: 'ingest <lake>', refreshSeconds: 5 });
    url = await server.start();
  });
  afterAll(() => server.stop());

  test('the page: a strict CSP that allows only its own script, stylesheet and JSON; the title escaped', async () => {
    const response = await fetch(`${url}/`);
    const html = await response.text();
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain(`default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'`);
    expect(html).toContain('<title>ingest &lt;lake&gt;</title>');
    expect(html).toContain('<script defer src="dashboard-page.js"></script>');
    expect(html).toContain('data-refresh-seconds="5"');
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('the bundle holds uPlot (no CDN) and its stylesheet', async () => {
    const script = await fetch(`${url}/dashboard-page.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const body = await script.text();
    expect(body).toContain('uplot');
    expect(body).not.toMatch(/\bimport\s*\(|\brequire\(/);
    expect(await (await fetch(`${url}/dashboard-page.css`)).text()).toContain('.u-legend');
  });

  test('dashboard.json is the newest snapshot, never cached', async () => {
    const response = await fetch(`${url}/dashboard.json`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual(snapshot);
  });

  test.each([
    ['GET', '/nope', 404],
    ['POST', '/dashboard.json', 405],
    ['GET', '/../package.json', 404],
  ])('%s %s → %i', async (method, pathname, status) => {
    expect((await fetch(`${url}${pathname}`, { method })).status).toBe(status);
  });

  test('refuses to start without the page bundle, naming the file', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'no-bundle-'));
    try {
      const missing = new LiveDashboardServer({ snapshot: () => snapshot, pageDir: empty, title: 'T', refreshSeconds: 5 });
      await expect(missing.start()).rejects.toThrow(DashboardPageMissingError);
      await expect(missing.start()).rejects.toThrow(path.join(empty, 'dashboard-page.js'));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
