import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type RunReport } from '@ingest-lake/collector-ec2';
import { VendorSimulator } from '@ingest-lake/vendor-simulator';
import { API_KEY, reportOf, requireCliBundle, runCli, SIMULATOR_CACHE, SNAPSHOT, type CliOptions, type CliRun } from '@ingest-lake/vendor-simulator/testing';
import { MotoServer } from '@ingest-lake/local-emulators';
import { changeDeliveryStream, DuckDbSession, FirehoseRunner, reconcileLake, REPO_PATHS, TransformInvoker, type LocalStack } from '@ingest-lake/local-runtime';
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

/** Where a case's lake is: the bucket, on the stack's s3rver or on moto. */
interface Lake {
  s3: S3Client;
  bucket: string;
}

/**
 * Two collector CLIs started at once on one snapshot with bad rows, then Firehose delivery with the
 * runner and the real transform bundle: one collects, the other exits 8 before any vendor call; the
 * real lake reconciliation passes, the curated rows are the good rows once each, and
 * errors/collector/ is the winner's quarantine.
 */
describe('fault: two collectors at once on a snapshot with bad rows, then the lake reconciliation', () => {
  const temporary = new TemporaryStack('two-collectors-');
  const moto = new MotoServer({ awsFidelity: true });
  let stack: LocalStack;
  let simulator: VendorSimulator;
  let motoS3: S3Client;

  beforeAll(async () => {
    requireCliBundle();
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: the two-folder case needs moto in server mode (pip install "moto[server]")');
    simulator = new VendorSimulator({ dataset: appMarket, snapshot: SNAPSHOT, dataRows: DATA_ROWS, apiRecords: API_RECORDS, invalidRowEvery: INVALID_EVERY, apiKey: API_KEY, cacheDir: SIMULATOR_CACHE });
    [stack] = await Promise.all([temporary.start(), simulator.start(), moto.start()]);
    motoS3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
  }, 120_000);
  afterAll(async () => {
    motoS3?.destroy();
    await Promise.all([simulator?.stop(), moto.stop(), temporary.stop()]);
  });

  /** Both CLIs at once; `options` gives each its work folder and where its lease and lake are. */
  function collectTwiceAtOnce(options: [CliOptions, CliOptions]): Promise<[CliRun, CliRun]> {
    return Promise.all(options.map((one) => runCli(one))) as Promise<[CliRun, CliRun]>;
  }

  /**
   * The outcome both cases must have: one run collected, the other was refused before any vendor
   * call; after delivery the lake reconciles and holds the good rows once and the winner's quarantine.
   */
  async function expectOneRunReconciled(runs: [CliRun, CliRun], where: { lake: Lake; workDirOf: (run: CliRun) => string; callsBefore: number; deliver: () => Promise<void> }): Promise<void> {
    const { lake } = where;
    expect(runs.map((r) => r.code).sort()).toEqual([EXIT.ok, EXIT.leaseHeld]);
    const [winner, loser] = runs[0].code === EXIT.ok ? runs : [runs[1], runs[0]];
    expect(loser.stderr).toContain('no vendor call made');
    expect(loser.events.filter((e) => ['plan', 'download', 'ingest', 'api-page', 'file-done'].includes(e.type as string))).toEqual([]);
    const report = reportOf<RunReport>(winner);
    expect(simulator.callsReceived - where.callsBefore).toBe(report.budget.spent);
    const dataReport = report.files.find((f) => f.file === DATA_FILE)!;
    expect(dataReport).toMatchObject({ rowsRead: DATA_ROWS, rowsSent: DATA.good.length, rowsQuarantined: DATA.bad.length, rowsBlank: 0 });
    expect(report.api).toMatchObject({ recordsRead: API_RECORDS, recordsSent: API.good.length, recordsQuarantined: API.bad.length });

    await where.deliver();

    await temporary.withLake(async (catalog) => {
      // The real lake reconciliation, told what the winner sent: nothing unexplained, no problem found.
      const reconciliation = await reconcileLake(lake.s3, lake.bucket, catalog, {
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
    }, lake);

    // errors/collector/: the data file's and the API's quarantine, each byte for byte the winner's
    // local file, each bad line once, as many lines as the winner's report quarantined; the lake's
    // report is the winner's.
    const lakeText = async (key: string) => (await lake.s3.send(new GetObjectCommand({ Bucket: lake.bucket, Key: key }))).Body!.transformToString();
    const listed = await lake.s3.send(new ListObjectsV2Command({ Bucket: lake.bucket, Prefix: COLLECTOR_QUARANTINE_PREFIX }));
    const dataKey = collectorQuarantineKey('app_market', SNAPSHOT, DATA_FILE);
    const apiKey = collectorQuarantineKey('app_market', SNAPSHOT, 'api');
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([apiKey, dataKey].sort());
    const localQuarantine = path.join(where.workDirOf(winner), 'app_market', `snapshot=${SNAPSHOT}`, 'quarantine');
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
  }

  test('ONE work folder, the whole local stack: one run collects, the other exits 8 with no vendor call; curated = the good rows once, errors/collector/ = the winner\'s quarantine, reconcileLake passes', async () => {
    const workDir = path.join(temporary.directory, 'one-folder');
    const onThisMachine: CliOptions = {
      fixture: { simulator, kinesis: stack.kinesis, s3: stack.s3 },
      stream: stack.endpoints.vendorStream,
      lakeBucket: stack.endpoints.bucket,
      workDir,
      ledger: `file:${path.join(temporary.directory, 'one-folder-ledger.json')}`,
    };
    const s3 = stack.s3.client();
    try {
      const callsBefore = simulator.callsReceived;
      const runs = await collectTwiceAtOnce([onThisMachine, onThisMachine]);
      await expectOneRunReconciled(runs, { lake: { s3, bucket: stack.endpoints.bucket }, workDirOf: () => workDir, callsBefore, deliver: () => stack.drain() });
    } finally {
      s3.destroy();
    }
  }, 180_000);

  test('TWO work folders, the lease and the lake in moto\'s S3 (conditional writes enforced): one run collects, the other exits 8; delivered by a runner into moto, the lake reconciles the same way', async () => {
    const lake: Lake = { s3: motoS3, bucket: 'lake-two-folders' };
    await motoS3.send(new CreateBucketCommand({ Bucket: lake.bucket }));
    const stream = 'two-folders';
    await stack.kinesis.createStream(stream, 2);
    const machines = ['machine-a', 'machine-b'].map((name) => path.join(temporary.directory, name));
    const onMachine = (workDir: string): CliOptions => ({ fixture: { simulator, kinesis: stack.kinesis, s3: stack.s3 }, stream, lakeBucket: lake.bucket, workDir, ledger: 's3', s3Endpoint: moto.endpoint });
    // The deployed app_market_daily delivery stream, reading this stream and writing into moto.
    const deliverIntoMoto = async () => {
      const deployed = stack.deployment.streams.find((s) => s.settings.dataset === appMarket.dataFile.dataset.name)!;
      const delivery = changeDeliveryStream(deployed, { sourceStreamName: stream, bucketName: lake.bucket });
      const invoker = TransformInvoker.forProcessor(REPO_PATHS.transformBundle, delivery.settings.processor);
      const duckdb = await DuckDbSession.open();
      const runner = new FirehoseRunner({ delivery, kinesis: stack.kinesis.client(), s3: motoS3, duckdb, invoker, checkpointFile: path.join(temporary.directory, 'two-folders-firehose', 'checkpoint.json') });
      try {
        await runner.start();
        await runner.drainNow();
      } finally {
        await runner.stop();
        await invoker.stop();
        duckdb.close();
      }
    };

    const callsBefore = simulator.callsReceived;
    const runs = await collectTwiceAtOnce([onMachine(machines[0]!), onMachine(machines[1]!)]);
    await expectOneRunReconciled(runs, { lake, workDirOf: (run) => machines[runs.indexOf(run)]!, callsBefore, deliver: deliverIntoMoto });
  }, 180_000);
});
