import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CallBudget, collectSnapshot, FileLedgerStore, KinesisProducer, parseManifest, type RunReport } from '@ingest-lake/collector-ec2';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { LakeCatalog, LocalStack, reconcileLake, REPO_PATHS } from '@ingest-lake/local-runtime';
import { appMarket, appMarketMetadata, asOfSnapshotSql, currentViewName, curatedDatasets, dimensionDatasets, sqlQueries } from '@ingest-lake/shared';
import { appMarketLocalManifest } from '@ingest-lake/collector-ec2/manifests';

const SNAPSHOTS = ['2026-11-20', '2026-11-21'];
const DATA_ROWS = 3_000;

/**
 * Two snapshots collected into the local stack: every metadata file curated per snapshot, all
 * thirteen tables and the current views in the DuckDB catalog, the shared join queries answering
 * with real rows, and the lake reconciling the dimensions too.
 */
describe('dimensions: curated per snapshot, current views, join queries (local stack, DuckDB)', () => {
  let directory: string;
  let stack: LocalStack;
  let catalog: LakeCatalog;
  const reports: RunReport[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'dimensions-'));
    stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle });
    await stack.start();
    for (const [index, snapshot] of SNAPSHOTS.entries()) {
      const simulator = new VendorSimulator({ dataset: appMarket, snapshot, dataRows: DATA_ROWS, seed: index + 1, apiRecords: 10, apiKey: 'k', cacheDir: path.join(os.tmpdir(), 'ingest-lake-vendor-cache') });
      await simulator.start();
      try {
        const manifest = parseManifest({ ...appMarketLocalManifest, vendor: { ...appMarketLocalManifest.vendor, baseUrl: simulator.baseUrl } }, 'test');
        reports.push(
          await collectSnapshot({
            manifest,
            snapshot,
            s3: stack.s3.client(),
            lakeBucket: stack.endpoints.bucket,
            workDir: path.join(directory, 'work'),
            budget: new CallBudget(new FileLedgerStore(path.join(directory, 'ledger.json')), manifest.quota),
            apiKey: 'k',
            includeApi: false,
            producer: new KinesisProducer(stack.kinesis.client(), { streamName: stack.endpoints.vendorStream }),
          }),
        );
      } finally {
        await simulator.stop();
      }
    }
    await stack.drain();
    catalog = await LakeCatalog.open(path.join(directory, 'cache'));
    await catalog.sync(stack.s3.client(), stack.endpoints.bucket);
    await catalog.refresh();
  }, 120_000);
  afterAll(async () => {
    catalog?.close();
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  });

  test('all thirteen vendor tables (and events) are in the catalog; each dimension holds one partition per snapshot', async () => {
    const tables = (await catalog.query('SELECT table_name FROM information_schema.tables')).map((row) => row.table_name);
    expect(curatedDatasets).toHaveLength(14);
    expect(tables).toEqual(expect.arrayContaining([...curatedDatasets.map((d) => d.name), ...dimensionDatasets.map(currentViewName)]));
    for (const dataset of dimensionDatasets) {
      const partitions = await catalog.query(`SELECT CAST(dt AS VARCHAR) AS dt, count(*) AS n FROM ${dataset.name} GROUP BY dt ORDER BY dt`);
      const curated = reports.map((report) => report.files.find((f) => f.curated?.key.includes(`dataset=${dataset.name}/`))!);
      expect(partitions).toEqual(SNAPSHOTS.map((dt, i) => ({ dt, n: String(curated[i]!.curated!.rows) })));
      expect(curated.every((f) => f.rowsSent > 0 && f.curated!.rows === f.rowsSent)).toBe(true);
    }
  });

  test('the current view holds the newest snapshot; "as of" answers with the snapshot of that day', async () => {
    const rates = appMarketMetadata.exchangeRates;
    const current = await catalog.query(`SELECT DISTINCT CAST(dt AS VARCHAR) AS dt, CAST(rate_date AS VARCHAR) AS rate_date FROM ${currentViewName(rates)}`);
    expect(current).toEqual([{ dt: SNAPSHOTS[1], rate_date: SNAPSHOTS[1] }]);
    const asOfFirst = await catalog.query(`SELECT DISTINCT CAST(dt AS VARCHAR) AS dt FROM (${asOfSnapshotSql(rates, SNAPSHOTS[0]!).replace(/;\s*$/, '')}) s`);
    expect(asOfFirst).toEqual([{ dt: SNAPSHOTS[0] }]);
    const asOfLater = await catalog.query(`SELECT DISTINCT CAST(dt AS VARCHAR) AS dt FROM (${asOfSnapshotSql(rates, '2027-01-01').replace(/;\s*$/, '')}) s`);
    expect(asOfLater).toEqual([{ dt: SNAPSHOTS[1] }]);
  });

  const query = (name: string) => catalog.query(sqlQueries().find((q) => q.name === name)!.sql);

  test('revenue by category and publisher name: every fact finds its app, publisher and category', async () => {
    const rows = await query('revenue_by_category_and_publisher');
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      expect(row.category_name).toMatch(/^Category \d+$/);
      expect(row.publisher_name).toMatch(/^Studio \d+ Interactive/);
      expect(Number(row.revenue_usd)).toBeGreaterThan(0);
    }
    const [unlisted] = await catalog.query(
      'SELECT count(*) AS n FROM app_market_daily_deduplicated d LEFT JOIN app_market_apps_current a ON a.app_id = d.app_id WHERE a.app_id IS NULL',
    );
    expect(unlisted).toEqual({ n: '0' });
  });

  test('revenue by region in local currency: converted with the same day\'s rate', async () => {
    const rows = await query('revenue_by_region_local_currency');
    expect(new Set(rows.map((r) => r.country_code)).size).toBe(12);
    const us = rows.find((r) => r.country_code === 'US')!;
    expect(us.currency_code).toBe('USD');
    expect(Number(us.revenue_local_currency)).toBeCloseTo(Number(us.revenue_usd), 1);
    const kr = rows.find((r) => r.country_code === 'KR')!;
    expect(kr.currency_code).toBe('KRW');
    // KRW is worth well under a cent: local revenue is > 1,000× the USD figure.
    expect(Number(kr.revenue_local_currency)).toBeGreaterThan(1_000 * Number(kr.revenue_usd));
    expect(rows.every((r) => String(r.region_name).startsWith('Region '))).toBe(true);
  });

  test('top movers between the two snapshots: newest minus previous revenue, with current names', async () => {
    const rows = await query('top_movers_between_snapshots');
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      expect(row).toMatchObject({ previous_day: SNAPSHOTS[0], newest_day: SNAPSHOTS[1], app_name: expect.stringMatching(/^App \d+, the game$/) });
      expect(Number(row.revenue_change_usd)).toBeCloseTo(Number(row.newest_revenue_usd) - Number(row.previous_revenue_usd), 2);
    }
    const changes = rows.map((r) => Math.abs(Number(r.revenue_change_usd)));
    expect(changes).toEqual([...changes].sort((a, b) => b - a));
  });

  test('the lake reconciles, dimension rows included', async () => {
    const result = await reconcileLake(stack.s3.client(), stack.endpoints.bucket, catalog);
    expect(result.problems).toEqual([]);
    expect(result.collectorRuns.filter((run) => run.file !== appMarket.dataFile.file)).toHaveLength(2 * 12);
  });
});
