import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { appMarket } from '@ingest-lake/shared';
import { SIMULATOR_API_PATH, SIMULATOR_BULK_PREFIX, VendorSimulator } from '../src';

describe('VendorSimulator', () => {
  let cacheDir: string;
  let simulator: VendorSimulator;
  const get = (route: string, headers: Record<string, string> = { 'x-api-key': 'k' }) => fetch(`${simulator.baseUrl}${route}`, { headers });
  const dataFile = `${SIMULATOR_BULK_PREFIX}app_market/${appMarket.dataFile.file}`;

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'vendor-simulator-test-'));
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: '2026-11-20', dataRows: 300, apiRecords: 250, apiKey: 'k', cacheDir, callQuota: 12, invalidRowEvery: 100 });
    await simulator.start();
  });
  afterAll(async () => {
    await simulator.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  test('refuses a call without the API key', async () => {
    expect((await get(dataFile, {})).status).toBe(401);
  });

  test('serves a bulk file whole and by range, with its SHA-256', async () => {
    const info = simulator.fileInfo(appMarket.dataFile.file)!;
    const whole = await get(dataFile);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('x-content-sha256')).toBe(info.sha256);
    const body = Buffer.from(await whole.arrayBuffer());
    expect(body).toEqual(await readFile(info.path));
    const tail = await get(dataFile, { 'x-api-key': 'k', range: 'bytes=100-' });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(body.subarray(100));
  });

  test('the JSON API pages the data file first rows, quoted names and refused values included', async () => {
    const lines = gunzipSync(await readFile(simulator.fileInfo(appMarket.dataFile.file)!.path)).toString('utf8').split('\n');
    const page = (await (await get(`${SIMULATOR_API_PATH}?limit=200&cursor=0`)).json()) as { data: Array<{ app: { name: string }; metrics: { downloads: unknown } }>; next_cursor: string | null; total: number };
    expect(page.total).toBe(250);
    expect(page.next_cursor).toBe('200');
    // Every row's app name appears in its CSV line (quoted ones with doubled quotes).
    page.data.forEach((record, i) => expect(lines[i + 1]).toContain(record.app.name.includes('"') || record.app.name.includes(',') ? `"${record.app.name.replace(/"/g, '""')}"` : record.app.name));
    expect(page.data.some((record) => record.app.name.includes('"'))).toBe(true);
    expect(page.data[99]!.metrics.downloads).toBeNull(); // row 100's "lots" is not a number
    const last = (await (await get(`${SIMULATOR_API_PATH}?limit=200&cursor=200`)).json()) as { data: unknown[]; next_cursor: string | null };
    expect(last).toMatchObject({ next_cursor: null });
    expect(last.data).toHaveLength(50);
  });

  test('injects a fault into the next matching response, then serves normally', async () => {
    simulator.injectFault({ kind: 'server-error', target: 'api' });
    expect((await get(`${SIMULATOR_API_PATH}?limit=1`)).status).toBe(503);
    expect((await get(`${SIMULATOR_API_PATH}?limit=1`)).status).toBe(200);
  });

  test('answers 429 once the call quota is spent', async () => {
    while (simulator.callsReceived < 12) await get(`${SIMULATOR_API_PATH}?limit=1`);
    const refused = await get(`${SIMULATOR_API_PATH}?limit=1`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('3600');
  });
});
