import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MotoServer } from '@ingest-lake/local-emulators';
import { appMarket, collectorQuarantineKey, collectorReportKey, COLLECTOR_QUARANTINE_PREFIX, datasetRuntime } from '@ingest-lake/shared';
import { EXIT } from '../../src/cli/exit-codes';
import type { RunReport } from '../../src/pipeline/run-report';
import { BUCKET, CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { reportOf, requireCliBundle, runCli, type CliOptions, type CliRun } from '../support/collector-cli';
import { readStreamRows } from '../support/stream-contents';

jest.setTimeout(120_000);

const DATA_ROWS = 20_000;
const API_RECORDS = 2_500;
/** Every 97th data row (1-based) is refused by the schema (`downloads` = `lots`). */
const INVALID_EVERY = 97;
const DATA_FILE = appMarket.dataFile.file;
const API_ORIGIN = `vendor-api:app_market/snapshot=${SNAPSHOT}`;
const BULK_ORIGIN = `vendor-bulk:app_market/snapshot=${SNAPSHOT}/${DATA_FILE}`;

/** 1-based rows of the fixture's data file that the schema refuses. */
function badRows(rows: number): number[] {
  return Array.from({ length: Math.floor(rows / INVALID_EVERY) }, (_, i) => (i + 1) * INVALID_EVERY);
}

/**
 * What one run of the fixture's snapshot must produce, derived from its parameters: the data file's
 * bad rows are quarantined at their physical lines (the header is line 1); the API serves the data
 * file's first rows, so its records at the same ordinals carry no valid `downloads` and are quarantined too.
 */
const EXPECTED = {
  dataQuarantineLines: badRows(DATA_ROWS).map((row) => row + 1),
  dataSentLines: Array.from({ length: DATA_ROWS }, (_, i) => i + 2).filter((line) => (line - 1) % INVALID_EVERY !== 0),
  apiQuarantineOrdinals: badRows(API_RECORDS),
  apiSentOrdinals: Array.from({ length: API_RECORDS }, (_, i) => i + 1).filter((ordinal) => ordinal % INVALID_EVERY !== 0),
};

describe('two collectors started at once on a snapshot with bad rows: one run\'s rows, its quarantine once, reconciled (CLI bundle)', () => {
  const fixture = new CollectorFixture();
  const moto = new MotoServer({ awsFidelity: true });
  let motoS3: S3Client;
  const runtime = datasetRuntime(appMarket.dataFile.dataset.name)!;
  const dedupKey = (record: Record<string, unknown>) => {
    const result = runtime.validate(record);
    if (!result.ok) throw new Error(`a sent row does not validate: ${JSON.stringify(record)}`);
    return runtime.dedupKeyOf(result.value);
  };
  /** One run's vendor calls: every bulk file once, and the API's pages. */
  let callsPerRun: number;

  beforeAll(async () => {
    requireCliBundle();
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await Promise.all([fixture.start({ dataRows: DATA_ROWS, apiRecords: API_RECORDS, invalidRowEvery: INVALID_EVERY }), moto.start()]);
    motoS3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
    callsPerRun = 1 + appMarket.metadataFiles.length + Math.ceil(API_RECORDS / fixture.manifest.api!.pageSize);
  }, 60_000);
  afterAll(async () => {
    motoS3?.destroy();
    await Promise.all([fixture.stop(), moto.stop()]);
  });

  async function lakeText(s3: S3Client, bucket: string, key: string): Promise<string> {
    return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  }

  /** Every quarantine object of the snapshot in the lake's errors/collector/, by key. */
  async function lakeQuarantine(s3: S3Client, bucket: string): Promise<Map<string, string>> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: COLLECTOR_QUARANTINE_PREFIX }));
    const objects = new Map<string, string>();
    for (const object of listed.Contents ?? []) objects.set(object.Key!, await lakeText(s3, bucket, object.Key!));
    return objects;
  }

  /**
   * The outcome both cases must have: exactly one run collected (the other exited 8 before any vendor
   * call), the stream holds each good row once, the lake's quarantine holds each bad line once and
   * equals the winner's files and report, and the winner's report (also in the lake) reconciles.
   */
  async function expectOneRunWithItsQuarantine(runs: [CliRun, CliRun], where: { stream: string; s3: S3Client; bucket: string; workDirOf: (run: CliRun) => string; callsBefore: number }): Promise<void> {
    expect(runs.map((run) => run.code).sort()).toEqual([EXIT.ok, EXIT.leaseHeld]);
    const [winner, loser] = runs[0].code === EXIT.ok ? runs : [runs[1], runs[0]];

    // The loser: refused before any vendor call, no plan, no download, no row.
    expect(loser.stderr).toContain('no vendor call made');
    expect(loser.events.filter((e) => ['plan', 'download', 'ingest', 'api-page', 'file-done'].includes(e.type as string))).toEqual([]);
    const report = reportOf(winner);
    expect(report.reconciled).toBe(true);
    expect(fixture.simulator.callsReceived - where.callsBefore).toBe(callsPerRun);
    expect(report.budget.spent).toBe(callsPerRun);

    // The winner's counts are the fixture's.
    const data = report.files.find((f) => f.file === DATA_FILE)!;
    expect(data).toMatchObject({ rowsRead: DATA_ROWS, rowsSent: EXPECTED.dataSentLines.length, rowsQuarantined: EXPECTED.dataQuarantineLines.length, rowsBlank: 0 });
    expect(report.api).toMatchObject({ done: true, recordsRead: API_RECORDS, recordsSent: EXPECTED.apiSentOrdinals.length, recordsQuarantined: EXPECTED.apiQuarantineOrdinals.length });

    // The stream: each good row exactly once (by source line and by dedup key), no bad one, nothing else.
    const rows = await readStreamRows(fixture.kinesis.client(), where.stream);
    const linesOf = (origin: string) => rows.filter((r) => r.origin === origin).map((r) => r.line!).sort((a, b) => a - b);
    expect(linesOf(BULK_ORIGIN)).toEqual(EXPECTED.dataSentLines);
    expect(linesOf(API_ORIGIN)).toEqual(EXPECTED.apiSentOrdinals);
    expect(rows.filter((r) => r.origin !== BULK_ORIGIN && r.origin !== API_ORIGIN)).toEqual([]);
    const bulkRows = rows.filter((r) => r.origin === BULK_ORIGIN);
    expect(new Set(bulkRows.map((r) => dedupKey(r.record))).size).toBe(EXPECTED.dataSentLines.length);

    // The lake's quarantine: the data file's and the API's objects only, each bad line once, byte for
    // byte the winner's local quarantine files, line for line the report's counts.
    const quarantine = await lakeQuarantine(where.s3, where.bucket);
    const dataKey = collectorQuarantineKey('app_market', SNAPSHOT, DATA_FILE);
    const apiKey = collectorQuarantineKey('app_market', SNAPSHOT, 'api');
    expect([...quarantine.keys()].sort()).toEqual([apiKey, dataKey].sort());
    const linesIn = (text: string) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { file: string; line: number; reason: string });
    expect(linesIn(quarantine.get(dataKey)!).map((q) => q.line)).toEqual(EXPECTED.dataQuarantineLines);
    expect(linesIn(quarantine.get(dataKey)!).every((q) => q.file === DATA_FILE && q.reason === 'invalid_value')).toBe(true);
    expect(linesIn(quarantine.get(apiKey)!).map((q) => q.line)).toEqual(EXPECTED.apiQuarantineOrdinals);
    const localQuarantine = path.join(where.workDirOf(winner), 'app_market', `snapshot=${SNAPSHOT}`, 'quarantine');
    expect(quarantine.get(dataKey)).toBe(await readFile(path.join(localQuarantine, `${DATA_FILE}.ndjson`), 'utf8'));
    expect(quarantine.get(apiKey)).toBe(await readFile(path.join(localQuarantine, 'api.ndjson'), 'utf8'));
    expect(linesIn(quarantine.get(dataKey)!)).toHaveLength(data.rowsQuarantined);
    expect(linesIn(quarantine.get(apiKey)!)).toHaveLength(report.api!.recordsQuarantined);

    // Reconciliation from the lake alone (the collector part of reconcileLake): the report there is
    // the winner's, every file's rows are sent + quarantined + blank, and errors/collector/ holds
    // exactly the rows the report quarantined.
    const inLake = JSON.parse(await lakeText(where.s3, where.bucket, collectorReportKey('app_market', SNAPSHOT))) as RunReport;
    expect(inLake).toEqual(report);
    for (const file of inLake.files) expect(file.rowsRead).toBe(file.rowsSent + file.rowsQuarantined + file.rowsBlank);
    expect(inLake.api!.recordsRead).toBe(inLake.api!.recordsSent + inLake.api!.recordsQuarantined);
    const reportedQuarantined = inLake.files.reduce((sum, f) => sum + f.rowsQuarantined, 0) + inLake.api!.recordsQuarantined;
    expect([...quarantine.values()].reduce((sum, text) => sum + linesIn(text).length, 0)).toBe(reportedQuarantined);
  }

  test('ONE work folder: one run sends the good rows once, the other exits 8; the lake\'s quarantine is the winner\'s, once; reconciled', async () => {
    const stream = await fixture.newStream('one-folder');
    const workDir = path.join(fixture.directory, 'one-folder');
    const options: CliOptions = { fixture, stream, workDir, ledger: `file:${path.join(fixture.directory, 'one-folder-ledger.json')}` };
    const callsBefore = fixture.simulator.callsReceived;

    const runs = await Promise.all([runCli(options), runCli(options)]);

    const s3 = fixture.s3.client();
    try {
      await expectOneRunWithItsQuarantine(runs, { stream, s3, bucket: BUCKET, workDirOf: () => workDir, callsBefore });
    } finally {
      s3.destroy();
    }
  });

  test('TWO work folders, lease and lake in moto\'s S3: one run sends the good rows once, the other exits 8; the lake\'s quarantine is the winner\'s, once; reconciled', async () => {
    const bucket = 'lake-two-folders-bad-rows';
    await motoS3.send(new CreateBucketCommand({ Bucket: bucket }));
    const stream = await fixture.newStream('two-folders');
    const machines = ['machine-a', 'machine-b'].map((name) => path.join(fixture.directory, name));
    const onMachine = (workDir: string): CliOptions => ({ fixture, stream, workDir, ledger: 's3', s3Endpoint: moto.endpoint, lakeBucket: bucket });
    const callsBefore = fixture.simulator.callsReceived;

    const runs = await Promise.all(machines.map((workDir) => runCli(onMachine(workDir)))) as [CliRun, CliRun];

    const workDirOf = (run: CliRun) => machines[runs.indexOf(run)]!;
    await expectOneRunWithItsQuarantine(runs, { stream, s3: motoS3, bucket, workDirOf, callsBefore });
  });
});
