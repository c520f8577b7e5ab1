import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, VendorSimulator, type RunReport } from '@ingest-lake/collector';
import { reportOf, requireCliBundle, runCli, type CliRun } from '@ingest-lake/collector/tests/support/collector-cli';
import { API_KEY, SIMULATOR_CACHE, SNAPSHOT } from '@ingest-lake/collector/tests/support/collector-fixture';
import { reconcileLake, type LocalStack } from '@ingest-lake/local';
import { appMarket, collectorQuarantineKey, collectorReportKey, COLLECTOR_QUARANTINE_PREFIX } from '@ingest-lake/shared';
import { TemporaryStack } from '../support/temporary-stack';

const DATA_ROWS = 20_000;
const API_RECORDS = 2_500;
/** Every 97th data row (1-based) is refused by the schema; the API serves the data file's first rows, bad ones included. */
const INVALID_EVERY = 97;
const DATA_FILE = appMarket.dataFile.file;
const BULK_ORIGIN = `vendor-bulk:app_market/snapshot=${SNAPSHOT}/${DATA_FILE}`;
const API_ORIGIN = `vendor-api:app_market/snapshot=${SNAPSHOT}`;

/** 1-based rows 1..count split into those the schema takes and those it refuses. */
function rowsOf(count: number): { good: number[]; bad: number[] } {
  const rows = Array.from({ length: count }, (_, i) => i + 1);
  return { good: rows.filter((row) => row % INVALID_EVERY !== 0), bad: rows.filter((row) => row % INVALID_EVERY === 0) };
}
const DATA = rowsOf(DATA_ROWS);
const API = rowsOf(API_RECORDS);
/** Physical lines of data rows: the header is line 1. */
const lineOf = (row: number) => row + 1;

/**
 * Two collector CLIs started at once on one snapshot with bad rows, against the whole local stack
 * (kinesalite, s3rver, the Firehose runners with the real transform bundle): one collects, the other
 * exits 8 before any vendor call; once Firehose delivered, the real lake reconciliation passes, the
 * curated rows are the good rows once each, and errors/collector/ is the winner's quarantine.
 */
describe('fault: two collectors at once on a snapshot with bad rows, then the lake reconciliation', () => {
  const temporary = new TemporaryStack('two-collectors-');
  let stack: LocalStack;
  let simulator: VendorSimulator;
  let s3: S3Client;

  beforeAll(async () => {
    requireCliBundle();
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: SNAPSHOT, dataRows: DATA_ROWS, apiRecords: API_RECORDS, invalidRowEvery: INVALID_EVERY, apiKey: API_KEY, cacheDir: SIMULATOR_CACHE });
    [stack] = await Promise.all([temporary.start(), simulator.start()]);
    s3 = stack.s3.client();
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    await Promise.all([simulator?.stop(), temporary.stop()]);
  });

  async function lakeText(key: string): Promise<string> {
    return (await s3.send(new GetObjectCommand({ Bucket: stack.endpoints.bucket, Key: key }))).Body!.transformToString();
  }

  test('one run collects, the other exits 8 with no vendor call; curated = the good rows once, errors/collector/ = the winner\'s quarantine, reconcileLake passes', async () => {
    const workDir = path.join(temporary.directory, 'collector');
    const run = () =>
      runCli({
        fixture: { simulator, kinesis: stack.kinesis, s3: stack.s3 },
        stream: stack.endpoints.vendorStream,
        lakeBucket: stack.endpoints.bucket,
        workDir,
        ledger: `file:${path.join(temporary.directory, 'call-ledger.json')}`,
      });

    const runs = await Promise.all([run(), run()]);

    // One collected, the other was refused before its first vendor call.
    expect(runs.map((r) => r.code).sort()).toEqual([EXIT.ok, EXIT.leaseHeld]);
    const [winner, loser] = (runs[0].code === EXIT.ok ? runs : [runs[1], runs[0]]) as [CliRun, CliRun];
    expect(loser.stderr).toContain('no vendor call made');
    expect(loser.events.filter((e) => ['plan', 'download', 'ingest', 'api-page', 'file-done'].includes(e.type as string))).toEqual([]);
    const report = reportOf(winner);
    expect(simulator.callsReceived).toBe(report.budget.spent);
    const dataReport = report.files.find((f) => f.file === DATA_FILE)!;
    expect(dataReport).toMatchObject({ rowsRead: DATA_ROWS, rowsSent: DATA.good.length, rowsQuarantined: DATA.bad.length, rowsBlank: 0 });
    expect(report.api).toMatchObject({ recordsRead: API_RECORDS, recordsSent: API.good.length, recordsQuarantined: API.bad.length });

    await stack.drain();

    await temporary.withLake(async (catalog) => {
      // The real lake reconciliation, told what the winner sent: nothing unexplained, no problem found.
      const reconciliation = await reconcileLake(s3, stack.endpoints.bucket, catalog, {
        sent: { httpRequests: 0, collectorRows: dataReport.rowsSent + report.api!.recordsSent, otherProducers: 0 },
      });
      expect(reconciliation).toMatchObject({
        reconciled: true,
        unexplained: 0,
        problems: [],
        curatedRows: { app_market_daily: DATA.good.length + API.good.length },
        collectorQuarantined: { reported: DATA.bad.length + API.bad.length, inLake: DATA.bad.length + API.bad.length },
      });

      // Curated: each good data line and each good API ordinal once, nothing else; the API repeats
      // the first data rows, so the deduplicated view holds exactly the good data rows.
      const origins = (await catalog.query('SELECT _origin AS origin FROM app_market_daily')) as Array<{ origin: string }>;
      const positionsOf = (origin: string) =>
        origins
          .filter((o) => o.origin.startsWith(`${origin}#`))
          .map((o) => Number(o.origin.slice(origin.length + 1)))
          .sort((a, b) => a - b);
      expect(positionsOf(BULK_ORIGIN)).toEqual(DATA.good.map(lineOf));
      expect(positionsOf(API_ORIGIN)).toEqual(API.good);
      expect(origins).toHaveLength(DATA.good.length + API.good.length);
      expect(await catalog.query('SELECT count(*) AS n, count(DISTINCT _dedup_key) AS keys FROM app_market_daily_deduplicated')).toEqual([
        { n: String(DATA.good.length), keys: String(DATA.good.length) },
      ]);
    });

    // errors/collector/: the data file's and the API's quarantine, each byte for byte the winner's
    // local file, each bad line once, as many lines as the winner's report quarantined; the lake's
    // report is the winner's.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.endpoints.bucket, Prefix: COLLECTOR_QUARANTINE_PREFIX }));
    const dataKey = collectorQuarantineKey('app_market', SNAPSHOT, DATA_FILE);
    const apiKey = collectorQuarantineKey('app_market', SNAPSHOT, 'api');
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([apiKey, dataKey].sort());
    const localQuarantine = path.join(workDir, 'app_market', `snapshot=${SNAPSHOT}`, 'quarantine');
    const linesOf = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { line: number; reason: string });
    for (const [key, localFile, positions, reported] of [
      [dataKey, `${DATA_FILE}.ndjson`, DATA.bad.map(lineOf), dataReport.rowsQuarantined],
      [apiKey, 'api.ndjson', API.bad, report.api!.recordsQuarantined],
    ] as const) {
      const inLake = await lakeText(key);
      expect(inLake).toBe(await readFile(path.join(localQuarantine, localFile), 'utf8'));
      expect(linesOf(inLake).map((q) => q.line)).toEqual(positions);
      expect(linesOf(inLake)).toHaveLength(reported);
    }
    expect(JSON.parse(await lakeText(collectorReportKey('app_market', SNAPSHOT))) as RunReport).toEqual(report);
  }, 180_000);
});
