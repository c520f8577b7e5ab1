import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runDemo } from '@ingest-lake/local-runtime';
import { TOOLS } from '../support/ensure-test-tools';

const execFileAsync = promisify(execFile);
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--hide-scrollbars',
];

describe('the README demo: HTTP events + collector run from the simulator → curated, errors, dashboard', () => {
  let directory: string;
  let result: Awaited<ReturnType<typeof runDemo>>;
  const lines: string[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'demo-'));
    result = await runDemo({ dataDir: directory, vendorRows: 8_000, httpEvents: 60, log: (line) => lines.push(line) });
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  test('records in = curated + errors + drops, for HTTP, the collector (bulk + API) and a faulty producer', () => {
    expect(result.reconciled).toBe(true);
    expect(lines).toEqual(expect.arrayContaining([
      'Records in: 10064 (HTTP 61, collector 10000, faulty producer 3)',
      'Curated: events 61, app_market_daily 10000',
      'Errors: not_json 1, not_an_object 1, unknown_dataset 1',
      'Dropped: 0; unexplained: 0 → RECONCILED',
    ]));
    // All thirteen vendor tables (data file and twelve dimensions) hold rows, as does events.
    const tables = lines.find((line) => line.startsWith('Lake tables (14, '))!;
    expect(tables).toContain('app_market_daily 10000');
    expect(tables).toContain('app_market_apps 10000');
    expect(tables).not.toMatch(/ 0(,|$)/);
    // One reconciliation: the delivery manifests, the collector reports and the quarantine files agree with the lake.
    expect(lines).toContainEqual(expect.stringMatching(/^Checks \(\d+ delivery manifests, collector reports, quarantine files\): consistent; duplicates removed by the views: events 0, app_market_daily \d+$/));
  });

  test('the dashboard renders in headless Chromium, hostile strings stay text, and a screenshot is taken', async () => {
    const html = await readFile(result.dashboardPath, 'utf8');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    const url = `file://${result.dashboardPath}`;
    const profile = await mkdtemp(path.join(os.tmpdir(), 'chromium-'));
    try {
      const dom = await execFileAsync(TOOLS.chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--dump-dom', url], { maxBuffer: 16 * 1024 * 1024 });
      for (const title of [
        'Curated records per day and dataset',
        'The ten most frequent event types',
        'Failed records by reason',
        'How recent the newest curated record',
        'Revenue by category and publisher name',
        'Revenue by region and country',
        'Apps whose revenue changed most',
      ]) {
        expect(dom.stdout).toContain(title);
      }
      expect((dom.stdout.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
      const screenshot = path.join(path.dirname(result.dashboardPath), 'dashboard.png');
      await execFileAsync(TOOLS.chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--screenshot=${screenshot}`, '--window-size=900,1600', url]);
      expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  });
});
