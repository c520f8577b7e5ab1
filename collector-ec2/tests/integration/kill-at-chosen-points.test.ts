import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { appMarket, datasetRuntime } from '@ingest-lake/shared';
import type { RunCheckpoint } from '../../src/checkpoint/run-checkpoint';
import { EXIT } from '../../src/cli/exit-codes';
import { collectorQuarantineKey, collectorReportKey } from '@ingest-lake/shared';
import type { RunReport } from '../../src/pipeline/run-report';
import { BUCKET, CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { reportOf, requireCliBundle, runCli, type CliOptions } from '../support/collector-cli';
import { KILL_AT_CHOSEN_POINT } from '@ingest-lake/vendor-simulator/testing';
import { readStreamRows } from '../support/stream-contents';

jest.setTimeout(180_000);

const DATA_ROWS = 20_000;
const INVALID_EVERY = 97;
const CHECKPOINT_EVERY_ROWS = 2_000;
/**
 * Commits of a fresh run: 1 plan, 2 data file downloaded, 3 archived, then one per checkpoint of
 * its rows. The 6th is the data file's third row checkpoint: mid-file, with rows sent and
 * quarantine lines written since the 5th.
 */
const KILL_AT_COMMIT = 6;
const DATA_FILE = appMarket.dataFile.file;
/** The re-send bound of docs/reliability.md: the setting plus the rows of one 256 KiB decompressed chunk (≥ 150 bytes a row here). */
const RESEND_BOUND = CHECKPOINT_EVERY_ROWS + Math.ceil(262_144 / 150);

describe('collector killed at chosen points (SIGKILL at a checkpoint commit, during an upload), then resumed (CLI bundle)', () => {
  const fixture = new CollectorFixture();
  const runtime = datasetRuntime(appMarket.dataFile.dataset.name)!;
  const dedupKey = (record: Record<string, unknown>) => {
    const result = runtime.validate(record);
    if (!result.ok) throw new Error(`a sent row does not validate: ${JSON.stringify(record)}`);
    return runtime.dedupKeyOf(result.value);
  };

  beforeAll(async () => {
    requireCliBundle();
    await fixture.start({ dataRows: DATA_ROWS, invalidRowEvery: INVALID_EVERY });
  });
  afterAll(() => fixture.stop());

  async function options(name: string): Promise<CliOptions> {
    return {
      fixture,
      stream: await fixture.newStream(name),
      workDir: path.join(fixture.directory, name),
      // A state folder per case: leases live beside a file ledger.
      ledger: `file:${path.join(fixture.directory, `${name}-state`, 'ledger.json')}`,
      extraArgs: ['--checkpoint-every-rows', String(CHECKPOINT_EVERY_ROWS)],
    };
  }

  /** Runs until the chosen commit kills it; returns the checkpoint it left and what the data file's quarantine held. */
  async function killAtChosenCommit(run: CliOptions): Promise<{ checkpoint: RunCheckpoint; quarantineBytesOnDisk: number }> {
    const killed = await runCli({ ...run, preload: KILL_AT_CHOSEN_POINT, env: { KILL_AT: `rename:checkpoint.json:${KILL_AT_COMMIT}` } });
    expect(killed.signal).toBe('SIGKILL');
    const snapshotDir = path.join(run.workDir, 'app_market', `snapshot=${SNAPSHOT}`);
    const checkpoint = JSON.parse(await readFile(path.join(snapshotDir, 'checkpoint.json'), 'utf8')) as RunCheckpoint;
    return { checkpoint, quarantineBytesOnDisk: (await stat(path.join(snapshotDir, 'quarantine', `${DATA_FILE}.ndjson`))).size };
  }

  async function lakeText(key: string): Promise<string> {
    const s3 = fixture.s3.client();
    try {
      return await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
    } finally {
      s3.destroy();
    }
  }

  async function lakeQuarantineLines(): Promise<number> {
    const s3 = fixture.s3.client();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `errors/collector/app_market/snapshot=${SNAPSHOT}/` }));
    s3.destroy();
    let lines = 0;
    for (const object of listed.Contents ?? []) lines += (await lakeText(object.Key!)).split('\n').filter(Boolean).length;
    return lines;
  }

  const reportedQuarantine = (report: RunReport) => report.files.reduce((sum, f) => sum + f.rowsQuarantined, 0) + (report.api?.recordsQuarantined ?? 0);

  test('killed between a quarantine write and its checkpoint: the lake\'s errors/collector/ equals the final report, line for line', async () => {
    const run = await options('quarantine-kill');
    const { checkpoint, quarantineBytesOnDisk } = await killAtChosenCommit(run);
    const committed = checkpoint.files[DATA_FILE]!.progress!;
    // The kill landed where it should: quarantine lines on disk that no checkpoint covers.
    expect(quarantineBytesOnDisk).toBeGreaterThan(committed.quarantineBytes);
    expect(committed.rowsQuarantined).toBeGreaterThan(0);

    const resumed = await runCli(run);
    expect(resumed.code).toBe(EXIT.ok);
    const report = reportOf(resumed);
    expect(report.reconciled).toBe(true);
    const data = report.files.find((f) => f.file === DATA_FILE)!;
    const expectedLines = Array.from({ length: Math.floor(DATA_ROWS / INVALID_EVERY) }, (_, i) => (i + 1) * INVALID_EVERY + 1);
    expect(data).toMatchObject({ rowsRead: DATA_ROWS, rowsQuarantined: expectedLines.length, rowsSent: DATA_ROWS - expectedLines.length });

    const inLake = (await lakeText(collectorQuarantineKey('app_market', SNAPSHOT, DATA_FILE))).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: number; reason: string; field: string });
    expect(inLake.map((q) => q.line)).toEqual(expectedLines);
    expect(inLake.every((q) => q.reason === 'invalid_value' && q.field === 'downloads')).toBe(true);
    expect(await lakeQuarantineLines()).toBe(reportedQuarantine(report));

    // Repeated in the same folder: nothing called, nothing added.
    const callsBefore = fixture.simulator.callsReceived;
    const repeated = await runCli(run);
    expect(repeated.code).toBe(EXIT.ok);
    expect(fixture.simulator.callsReceived).toBe(callsBefore);
    expect(await lakeQuarantineLines()).toBe(reportedQuarantine(reportOf(repeated)));
    expect(reportedQuarantine(reportOf(repeated))).toBe(reportedQuarantine(report));
  });

  test('killed between PutRecords answers and their checkpoint: the re-sent rows are exactly the uncommitted ones, same dedup keys, within the bound', async () => {
    const run = await options('resend-kill');
    const { checkpoint } = await killAtChosenCommit(run);
    const frontier = checkpoint.files[DATA_FILE]!.progress!.frontierLine;
    const beforeResume = (await readStreamRows(fixture.kinesis.client(), run.stream)).filter((r) => r.origin.startsWith('vendor-bulk'));
    const uncommitted = new Map(beforeResume.filter((r) => r.line! > frontier).map((r) => [r.line!, r.record]));
    expect(uncommitted.size).toBeGreaterThan(0);

    const resumed = await runCli(run);
    expect(resumed.code).toBe(EXIT.ok);
    expect(reportOf(resumed).reconciled).toBe(true);

    const rows = (await readStreamRows(fixture.kinesis.client(), run.stream)).filter((r) => r.origin.startsWith('vendor-bulk'));
    const byLine = new Map<number, Array<Record<string, unknown>>>();
    for (const row of rows) byLine.set(row.line!, [...(byLine.get(row.line!) ?? []), row.record]);
    const resent = [...byLine].filter(([, copies]) => copies.length > 1);
    expect(resent.every(([, copies]) => copies.length === 2)).toBe(true);
    expect(resent.map(([line]) => line).sort((a, b) => a - b)).toEqual([...uncommitted.keys()].sort((a, b) => a - b));
    for (const [line, [original, again]] of resent) {
      expect(again).toEqual(uncommitted.get(line));
      expect(dedupKey(again!)).toBe(dedupKey(original!));
    }
    expect(resent.length).toBeLessThanOrEqual(RESEND_BOUND);
    expect(byLine.size).toBe(DATA_ROWS - Math.floor(DATA_ROWS / INVALID_EVERY));
    expect(new Set(rows.map((r) => dedupKey(r.record))).size).toBe(byLine.size);
  });

  // Both uploads put a whole object by key, so the cut one is simply put again; rows sent since the
  // last checkpoint (the data file's tail, for the quarantine upload) are re-sent within the bound.
  test.each([
    ["during the data file's quarantine upload", 'put-sent:errors/collector/:1', 'quarantine-upload-kill', RESEND_BOUND],
    ["during the final report's upload", 'put-sent:/report.json:1', 'report-kill', 0],
  ])('killed %s, then resumed: each row once plus re-sends within the bound, the lake holds the report and its quarantine line for line', async (_point, killAt, name, resendBound) => {
    const run = await options(name);
    const killed = await runCli({ ...run, preload: KILL_AT_CHOSEN_POINT, env: { KILL_AT: killAt } });
    expect(killed.signal).toBe('SIGKILL');
    const sentBeforeResume = (await readStreamRows(fixture.kinesis.client(), run.stream)).filter((r) => r.origin.startsWith('vendor-bulk')).length;

    const resumed = await runCli(run);
    expect(resumed.code).toBe(EXIT.ok);
    const report = reportOf(resumed);
    expect(report.reconciled).toBe(true);
    expect(JSON.parse(await lakeText(collectorReportKey('app_market', SNAPSHOT)))).toEqual(report);
    const expectedLines = Array.from({ length: Math.floor(DATA_ROWS / INVALID_EVERY) }, (_, i) => (i + 1) * INVALID_EVERY + 1);
    const inLake = (await lakeText(collectorQuarantineKey('app_market', SNAPSHOT, DATA_FILE))).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { line: number }).line);
    expect(inLake).toEqual(expectedLines);
    expect(await lakeQuarantineLines()).toBe(reportedQuarantine(report));

    const rows = (await readStreamRows(fixture.kinesis.client(), run.stream)).filter((r) => r.origin.startsWith('vendor-bulk'));
    const distinctLines = new Set(rows.map((r) => r.line!));
    expect(distinctLines.size).toBe(DATA_ROWS - expectedLines.length);
    expect(new Set(rows.map((r) => dedupKey(r.record))).size).toBe(distinctLines.size);
    expect(rows.length - distinctLines.size).toBeLessThanOrEqual(resendBound);
    // The killed run had sent every row already: whatever the resume sent is a re-send.
    expect(sentBeforeResume).toBeGreaterThanOrEqual(distinctLines.size);
  });
});
