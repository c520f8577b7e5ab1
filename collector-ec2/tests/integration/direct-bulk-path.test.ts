import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MotoServer } from '@ingest-lake/local-emulators';
import { KILL_AT_CHOSEN_POINT } from '@ingest-lake/vendor-simulator/testing';
import { appMarket, collectorQuarantineKey, collectorReportKey, curatedLocation, directBulkPartKey } from '@ingest-lake/shared';
import { loadManifest } from '../../src/config/manifest';
import { replayReconciles, replaySnapshot, type ReplayResult } from '../../src/pipeline/replay-snapshot';
import type { RunReport } from '../../src/pipeline/run-report';
import { KinesisProducer } from '../../src/produce/kinesis-producer';
import { CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { LOCAL_MANIFEST, reportOf, requireCliBundle, runCli, type CliOptions } from '../support/collector-cli';
import { readStreamRows } from '../support/stream-contents';

jest.setTimeout(300_000);

const DATA_ROWS = 20_000;
/** Every 97th data row (1-based) is refused by the schema (`downloads` = `lots`). */
const INVALID_EVERY = 97;
const PART_ROWS = 3_000;
const DATA_FILE = appMarket.dataFile.file;
const TABLE = appMarket.dataFile.dataset.name;
const BULK_ORIGIN = `vendor-bulk:app_market/snapshot=${SNAPSHOT}/${DATA_FILE}`;

/** Physical lines (header = line 1) of the good and the refused data rows. */
const BAD_LINES = Array.from({ length: Math.floor(DATA_ROWS / INVALID_EVERY) }, (_, i) => (i + 1) * INVALID_EVERY + 1);
const GOOD_ROWS = DATA_ROWS - BAD_LINES.length;

describe('the direct bulk path against moto (CLI bundle): a run, a kill and resume, a re-run and a replay each leave the good rows once in curated/ and the quarantine equal to the report', () => {
  const fixture = new CollectorFixture();
  const moto = new MotoServer({ awsFidelity: true });
  let s3: S3Client;
  let duckdb: DuckDBInstance;
  let manifest: string;
  let runs = 0;
  /** How many parts a run of the file cuts at PART_ROWS. */
  let partsOfARun: number | undefined;

  beforeAll(async () => {
    requireCliBundle();
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await Promise.all([fixture.start({ dataRows: DATA_ROWS, apiRecords: 500, invalidRowEvery: INVALID_EVERY }), moto.start()]);
    s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
    duckdb = await DuckDBInstance.create(':memory:');
    // The local manifest with the direct path chosen, as the production manifest chooses it.
    const local = JSON.parse(await readFile(LOCAL_MANIFEST, 'utf8')) as { bulk: Record<string, unknown> };
    manifest = path.join(fixture.directory, 'app_market.direct.json');
    await writeFile(manifest, JSON.stringify({ ...local, bulk: { ...local.bulk, dataFileDelivery: 'direct' } }));
  }, 180_000);
  afterAll(async () => {
    s3?.destroy();
    duckdb?.closeSync();
    await Promise.all([fixture.stop(), moto.stop()]);
  });

  /** A new bucket in moto, a stream and a CLI setup for it (one work folder per "machine"). */
  async function lake(): Promise<{ bucket: string; run: (workDir: string) => CliOptions; stream: string }> {
    runs++;
    const bucket = `direct-lake-${runs}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const stream = await fixture.newStream(`direct-${runs}`, 1);
    const run = (workDir: string): CliOptions => ({
      fixture,
      manifest,
      stream,
      workDir: path.join(fixture.directory, `work-${runs}-${workDir}`),
      // A state folder per lake: leases live beside a file ledger.
      ledger: `file:${path.join(fixture.directory, `state-${runs}`, 'ledger.json')}`,
      s3Endpoint: moto.endpoint,
      lakeBucket: bucket,
      extraArgs: ['--direct-part-rows', String(PART_ROWS)],
    });
    return { bucket, run, stream };
  }

  async function text(bucket: string, key: string): Promise<string> {
    return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  }

  /** Every object under the data file's curated prefix, downloaded, and what DuckDB reads from them. */
  async function curated(bucket: string) {
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: curatedLocation(TABLE) }))).Contents ?? []).map((o) => o.Key!).sort();
    const folder = path.join(fixture.directory, `${bucket}-read-${Math.random().toString(36).slice(2)}`);
    await mkdir(folder);
    const files: string[] = [];
    for (const [index, key] of keys.entries()) {
      const file = path.join(folder, `${index}.parquet`);
      await writeFile(file, await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
      files.push(file);
    }
    const connection = await duckdb.connect();
    try {
      const [counts] = (
        await connection.runAndReadAll(
          `SELECT count(*)::INTEGER AS rows, count(DISTINCT _dedup_key)::INTEGER AS keys, min(metric_date)::VARCHAR AS first_day, max(metric_date)::VARCHAR AS last_day FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`,
        )
      ).getRowObjectsJson();
      const lines = (await connection.runAndReadAll(`SELECT CAST(split_part(_origin, '#', 2) AS INTEGER) AS line FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) ORDER BY line`))
        .getRowObjectsJson()
        .map((row) => Number(row.line));
      return { keys, counts: counts as { rows: number; keys: number; first_day: string; last_day: string }, lines };
    } finally {
      connection.closeSync();
    }
  }

  /** What every case must leave: the good rows once in curated/, none on the stream, the quarantine equal to the report, the report reconciled. */
  async function expectOutcome(bucket: string, stream: string, report: RunReport, apiRuns = 1): Promise<void> {
    expect(report.reconciled).toBe(true);
    const data = report.files.find((f) => f.file === DATA_FILE)!;
    expect(data).toMatchObject({ rowsRead: DATA_ROWS, rowsSent: GOOD_ROWS, rowsQuarantined: BAD_LINES.length, rowsBlank: 0, reconciles: true });
    // A part closes at the first decompressed chunk's end past PART_ROWS rows: fewer parts than DATA_ROWS / PART_ROWS, numbered from 1.
    const parts = data.direct!.keys.length;
    expect(parts).toBeGreaterThanOrEqual(3);
    // Every case cuts the parts the first complete run cut: kills, resumes and re-runs change none.
    partsOfARun ??= parts;
    expect(parts).toBe(partsOfARun);
    expect(data.direct).toEqual({ keys: Array.from({ length: parts }, (_, i) => directBulkPartKey(TABLE, SNAPSHOT, SNAPSHOT, i + 1)), rows: GOOD_ROWS, partRows: PART_ROWS });
    const lake = await curated(bucket);
    expect(lake.keys).toEqual(data.direct!.keys);
    expect(lake.counts).toEqual({ rows: GOOD_ROWS, keys: GOOD_ROWS, first_day: SNAPSHOT, last_day: SNAPSHOT });
    const badLines = new Set(BAD_LINES);
    expect(lake.lines).toEqual(Array.from({ length: DATA_ROWS }, (_, i) => i + 2).filter((line) => !badLines.has(line)));
    const quarantine = (await text(bucket, collectorQuarantineKey('app_market', SNAPSHOT, DATA_FILE))).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { line: number; field: string });
    expect(quarantine.map((q) => q.line)).toEqual(BAD_LINES);
    expect(new Set(quarantine.map((q) => q.field))).toEqual(new Set(['downloads']));
    expect(JSON.parse(await text(bucket, collectorReportKey('app_market', SNAPSHOT))) as RunReport).toEqual(report);
    // Only the JSON API's records took the stream (once per run that paged it: the views deduplicate those).
    const onStream = await readStreamRows(fixture.kinesis.client(), stream);
    expect(onStream.filter((row) => row.origin === BULK_ORIGIN)).toEqual([]);
    expect(onStream.length).toBe(report.api!.recordsSent * apiRuns);
  }

  it('a run writes one part per checkpoint and nothing of the data file to the stream', async () => {
    const { bucket, run, stream } = await lake();
    const finished = await runCli(run('a'));
    expect(finished.code).toBe(0);
    await expectOutcome(bucket, stream, reportOf(finished));
  });

  it.each([
    ['after a part is uploaded, before its checkpoint', `put-sent:${TABLE}-${SNAPSHOT}-part-00003:1`],
    ['at a checkpoint commit inside the data file', 'rename:checkpoint.json:7'],
  ])('a run killed %s resumes and replaces what it wrote instead of adding to it', async (_when, killAt) => {
    const { bucket, run, stream } = await lake();
    const killed = await runCli({ ...run('a'), preload: KILL_AT_CHOSEN_POINT, env: { KILL_AT: killAt } });
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await runCli(run('a'));
    expect(resumed.code).toBe(0);
    await expectOutcome(bucket, stream, reportOf(resumed));
  });

  it('a resume keeps the part size the file started with, whatever its own setting', async () => {
    const { bucket, run, stream } = await lake();
    const killed = await runCli({ ...run('a'), preload: KILL_AT_CHOSEN_POINT, env: { KILL_AT: `put-sent:${TABLE}-${SNAPSHOT}-part-00002:1` } });
    expect(killed.signal).toBe('SIGKILL');
    const resumed = await runCli({ ...run('a'), extraArgs: ['--direct-part-rows', String(PART_ROWS * 3)] });
    expect(resumed.code).toBe(0);
    await expectOutcome(bucket, stream, reportOf(resumed));
  });

  it('a re-run from another work folder (--recollect) writes the same keys again: still each good row once', async () => {
    const { bucket, run, stream } = await lake();
    const first = await runCli(run('a'));
    expect(first.code).toBe(0);
    // Without --recollect, the second folder would find the snapshot completed and call nothing.
    const again = await runCli({ ...run('b'), extraArgs: [...run('b').extraArgs!, '--recollect'] });
    expect(again.code).toBe(0);
    expect(reportOf(again).runId).not.toBe(reportOf(first).runId);
    await expectOutcome(bucket, stream, reportOf(again), 2);
  });

  /** Replays the snapshot in-process onto the lake's stream, as the CLI's `replay` does. */
  async function replay(bucket: string, stream: string, workDir: string, directPartRows?: number): Promise<ReplayResult> {
    const kinesis = fixture.kinesis.client();
    try {
      return await replaySnapshot({
        manifest: await loadManifest(manifest),
        snapshot: SNAPSHOT,
        s3,
        lakeBucket: bucket,
        producer: new KinesisProducer(kinesis, { streamName: stream }),
        workDir: path.join(fixture.directory, `replay-${runs}-${workDir}`),
        ...(directPartRows === undefined ? {} : { directPartRows }),
      });
    } finally {
      kinesis.destroy();
    }
  }

  it('a replay of a direct snapshot writes the parts of the run again at the same keys, with the part size of the run: still each good row once, nothing on the stream', async () => {
    const { bucket, run, stream } = await lake();
    const finished = await runCli(run('a'));
    expect(finished.code).toBe(0);
    const report = reportOf(finished);
    await expectOutcome(bucket, stream, report);
    const before = await curated(bucket);
    // The setting given to the replay is ignored: the run report records the run's part size.
    const result = await replay(bucket, stream, 'a', PART_ROWS * 3);
    expect(result).toMatchObject({ rowsRead: DATA_ROWS, rowsSent: GOOD_ROWS, rowsQuarantined: BAD_LINES.length, rowsBlank: 0, packsSent: 0 });
    const data = report.files.find((f) => f.file === DATA_FILE)!;
    expect(result.direct).toEqual({ keys: data.direct!.keys, rows: GOOD_ROWS, partRows: PART_ROWS, partRowsFrom: 'run-report', emptied: [] });
    expect(replayReconciles(result)).toBe(true);
    // expectOutcome again: same objects, the good rows once, no data file row on the stream.
    await expectOutcome(bucket, stream, report);
    expect((await curated(bucket)).keys).toEqual(before.keys);
  });

  it('a replay without the part size of the run (a report from before it was recorded) replaces the parts of the run it cuts no rows for with empty files', async () => {
    const { bucket, run, stream } = await lake();
    const finished = await runCli(run('a'));
    expect(finished.code).toBe(0);
    const report = reportOf(finished);
    const runKeys = report.files.find((f) => f.file === DATA_FILE)!.direct!.keys;
    // The report as a collector before this change wrote it: no partRows.
    const old = { ...report, files: report.files.map((f) => (f.direct ? { ...f, direct: { keys: f.direct.keys, rows: f.direct.rows } } : f)) };
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: collectorReportKey('app_market', SNAPSHOT), Body: JSON.stringify(old) }));
    // Three times the run's part size: fewer parts, so the run's last parts would keep their rows.
    const result = await replay(bucket, stream, 'a', PART_ROWS * 3);
    expect(replayReconciles(result)).toBe(true);
    const direct = result.direct!;
    expect(direct).toMatchObject({ rows: GOOD_ROWS, partRows: PART_ROWS * 3, partRowsFrom: 'default' });
    expect(direct.keys.length).toBeLessThan(runKeys.length);
    expect(direct.keys).toEqual(runKeys.slice(0, direct.keys.length));
    expect(direct.emptied).toEqual(runKeys.slice(direct.keys.length));
    const after = await curated(bucket);
    expect(after.keys).toEqual(runKeys);
    expect(after.counts).toEqual({ rows: GOOD_ROWS, keys: GOOD_ROWS, first_day: SNAPSHOT, last_day: SNAPSHOT });
    expect((await readStreamRows(fixture.kinesis.client(), stream)).filter((row) => row.origin === BULK_ORIGIN)).toEqual([]);
  });
});
