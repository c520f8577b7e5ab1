import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { kinesisClientFor } from '@ingest-lake/local-emulators';
import { REPO_PATHS, type DashboardSnapshot } from '@ingest-lake/local-runtime';
import { ChromiumPage } from '../support/chromium-devtools';
import { TOOLS } from '../support/ensure-test-tools';

const CLI = path.join(REPO_PATHS.root, 'local/runtime/src/cli.ts');
/** App names of Hangul only: every glyph of their table cells must come from a font that has Hangul. */
const KOREAN_APP_NAMES = ['별빛퍼즐', '한글타자연습', '바다여행'];
const HTTP_EVENTS = 12;
const SCREENSHOT = path.join(REPO_PATHS.root, 'tests/.cache/live-dashboard.png');

/** A pack of app_market_daily rows, as the collector puts them on its stream. */
function appMarketPack(): Buffer {
  const header = JSON.stringify({ $pack: 1, dataset: 'app_market_daily', origin: 'live-dashboard-test', snapshot: '2026-11-20' });
  const rows = KOREAN_APP_NAMES.map((app_name, i) =>
    JSON.stringify({
      r: {
        metric_date: '2026-11-20', app_id: String(900 + i), app_name, publisher_name: '주식회사 예시', country_code: 'KR', device: 'iphone',
        store_id: 'ios', category_id: '6005', downloads: '1520', revenue_usd: String(3000 - 1000 * i), active_users: null,
        rank_overall: '12', rating_average: '4.6', is_estimate: 'true', updated_at: '2026-11-21T03:00:00Z',
      },
    }),
  );
  return Buffer.from(`${[header, ...rows].join('\n')}\n`);
}

/** Font families fontconfig says cover Korean (what Chromium may legitimately draw Hangul with). */
function koreanFontFamilies(): Set<string> {
  const listed = execFileSync('fc-list', [':lang=ko', 'family'], { encoding: 'utf8' });
  return new Set(listed.split('\n').flatMap((line) => line.split(',')).map((family) => family.trim()).filter(Boolean));
}

/** `local up` serves the live dashboard; headless Chromium (offline but for loopback) draws it, Korean names included. */
describe('live dashboard of `local up` (its own process, polled JSON, bundled charts, Korean names)', () => {
  let directory: string;
  let up: ChildProcess | undefined;
  let page: ChromiumPage | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'live-dashboard-'));
  });
  afterAll(async () => {
    await page?.close();
    if (up && up.exitCode === null) {
      const exited = new Promise((resolve) => up!.once('exit', resolve));
      up.kill('SIGTERM');
      await exited;
    }
    await rm(directory, { recursive: true, force: true });
  });

  test('time series and tables update from the running stack; the page renders offline with every Hangul glyph from a Korean font', async () => {
    up = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, '--data-dir', directory, 'up', '--kinesis-port', '0', '--s3-port', '0', '--ingest-port', '0', '--dashboard-port', '0', '--dashboard-refresh', '1'],
      { cwd: REPO_PATHS.root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    up.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (let waited = 0; !output.includes('Stop with') && waited < 60_000; waited += 100) {
      if (up.exitCode !== null) throw new Error(`local up exited early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const dashboardUrl = /Live dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1]!;
    const ingestUrl = /(http:\/\/127\.0\.0\.1:\d+\/PROD\/v1)/.exec(output)![1]!;
    const kinesisUrl = /--endpoint-url (http:\/\/127\.0\.0\.1:\d+) kinesis/.exec(output)![1]!;

    // Traffic: HTTP events (one with a Korean type), the collector's kind of pack, and a record the transform refuses.
    for (let i = 0; i < HTTP_EVENTS; i++) {
      const response = await fetch(ingestUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ value: String(i), type: i % 2 ? '구매' : 'click' }) });
      expect(response.status).toBe(200);
    }
    const kinesis = kinesisClientFor(kinesisUrl);
    await kinesis.send(new PutRecordCommand({ StreamName: 'ingest-lake-dev-app-market-daily', PartitionKey: 'collector', Data: appMarketPack() }));
    await kinesis.send(new PutRecordCommand({ StreamName: 'ingest-lake-dev-events', PartitionKey: 'faulty', Data: Buffer.from('[1,2,3]') }));
    kinesis.destroy();

    // dashboard.json: the per-minute counts, the failure, freshness and shard load come from what was just sent.
    let snapshot: DashboardSnapshot | undefined;
    const latest = (chart: string, label: string) => snapshot?.charts.find((c) => c.id === chart)?.series.find((s) => s.label === label)?.values.at(-1);
    for (let waited = 0; waited < 30_000; waited += 500) {
      snapshot = (await (await fetch(`${dashboardUrl}dashboard.json`)).json()) as DashboardSnapshot;
      if (latest('records-in', 'ingest-lake-dev-events') === HTTP_EVENTS + 1 && latest('records-in', 'ingest-lake-dev-app-market-daily') === 3 && typeof latest('freshness', 'app_market_daily') === 'number') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(latest('records-in', 'ingest-lake-dev-events')).toBe(HTTP_EVENTS + 1);
    expect(latest('records-in', 'ingest-lake-dev-app-market-daily')).toBe(3);
    expect(latest('failures', 'not_an_object')).toBe(1);
    expect(latest('freshness', 'events')).toBeLessThan(60);
    const shardLoad = snapshot!.charts.find((c) => c.id === 'shard-load')!.series;
    expect(shardLoad.map((s) => s.label)).toEqual(expect.arrayContaining([expect.stringMatching(/^ingest-lake-dev-events\/shardId-\d+$/)]));
    expect(shardLoad.filter((s) => s.label.startsWith('ingest-lake-dev-events/')).reduce((sum, s) => sum + (s.values.at(-1) ?? 0), 0)).toBe(HTTP_EVENTS + 1);
    const topApps = snapshot!.tables.find((t) => t.title.startsWith('Apps with the highest'))!;
    expect(topApps.rows.map((row) => row.app_name)).toEqual(KOREAN_APP_NAMES);

    // The page in headless Chromium that can resolve nothing but loopback: the chart library is in the bundle.
    page = await ChromiumPage.launch(TOOLS.chromium, { width: 1280, height: 1400 });
    await page.navigate(dashboardUrl);
    await page.waitFor(`document.querySelectorAll('#charts canvas').length >= 4 && [...document.querySelectorAll('td')].some((td) => td.textContent === '${KOREAN_APP_NAMES[0]}')`, 15_000);
    const firstShown = await page.evaluate<string>('document.body.dataset.snapshotAt');
    await page.waitFor(`document.body.dataset.snapshotAt !== '${firstShown}'`, 10_000);
    const resources = await page.evaluate<string[]>(`performance.getEntriesByType('resource').map((entry) => entry.name)`);
    expect(resources.length).toBeGreaterThanOrEqual(3);
    for (const resource of resources) expect(resource.startsWith(dashboardUrl)).toBe(true);
    expect(await page.evaluate<string[]>(`[...document.querySelectorAll('.u-legend .u-label')].map((label) => label.textContent)`)).toEqual(
      expect.arrayContaining(['ingest-lake-dev-events', 'not_an_object', 'app_market_daily']),
    );

    // No Hangul glyph falls back to a box: Chromium drew each Korean name only with fonts that cover Korean.
    const koreanFonts = koreanFontFamilies();
    const cells = (await page.platformFonts('td')).filter((cell) => KOREAN_APP_NAMES.includes(cell.text));
    expect(cells.map((cell) => cell.text).sort()).toEqual([...KOREAN_APP_NAMES].sort());
    for (const cell of cells) {
      expect({ text: cell.text, fonts: cell.fonts.map((font) => font.familyName).filter((family) => !koreanFonts.has(family)) }).toEqual({ text: cell.text, fonts: [] });
      expect(cell.fonts.reduce((sum, font) => sum + font.glyphCount, 0)).toBe([...cell.text].length);
    }
    // Kept for a look (gitignored): tests/.cache/live-dashboard.png.
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    expect(await page.screenshot(SCREENSHOT)).toBeGreaterThan(40_000);
  });
});
