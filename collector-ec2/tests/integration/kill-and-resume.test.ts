import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { appMarket } from '@ingest-lake/shared';
import { seededRandom } from '@ingest-lake/vendor-simulator';
import { snapshotDirectory } from '../../src/pipeline/collect-snapshot';
import { API_KEY, BUCKET, CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { readStreamRows, rowKey } from '../support/stream-contents';

jest.setTimeout(300_000);

const CLI = path.resolve(__dirname, '../../dist/collector.cjs');
const MANIFEST = path.resolve(__dirname, '../../manifests/app_market.local.json');
const DATA_ROWS = 150_000;
/** The release profile (docs/reliability.md) kills ten times instead of three. */
const KILLS = process.env.FAULT_PROFILE === 'long' ? 10 : 3;

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

describe('collector killed with SIGKILL at random points, then resumed (CLI bundle)', () => {
  const fixture = new CollectorFixture();
  let stream: string;

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`no CLI bundle at ${CLI}: run \`npm run build\` first`);
    await fixture.start({ dataRows: DATA_ROWS, apiRecords: 3_000 });
    stream = await fixture.newStream('kill-resume', 2);
  });
  afterAll(() => fixture.stop());

  function runCli(killAfterMs?: number): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'collect',
          '--manifest', MANIFEST,
          '--snapshot', SNAPSHOT,
          '--work-dir', path.join(fixture.directory, 'work'),
          '--lake-bucket', BUCKET,
          '--stream', stream,
          '--vendor-url', fixture.simulator.baseUrl,
          '--ledger', `file:${path.join(fixture.directory, 'ledger.json')}`,
          '--kinesis-endpoint', fixture.kinesis.endpoint,
          '--s3-endpoint', fixture.s3.endpoint,
          '--progress', 'json',
        ],
        { env: { PATH: process.env.PATH, VENDOR_API_KEY: API_KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let timer: NodeJS.Timeout | undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        // The kill instant counts from the run's first line: the process is up and at work (a slower
        // machine starts the bundle later, and the kill would otherwise land before any work).
        if (killAfterMs !== undefined && timer === undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, stdout });
      });
    });
  }

  const bulkFiles = [appMarket.dataFile, ...appMarket.metadataFiles].map((f) => f.file);
  /** Bytes of each bulk file a killed run left on disk: the part, or the whole file once renamed. */
  const bytesOnDisk = (): Map<string, number> => {
    const directory = snapshotDirectory(path.join(fixture.directory, 'work'), appMarket.name, SNAPSHOT);
    const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
    return new Map(bulkFiles.map((file) => [file, size(path.join(directory, `${file}.part`)) || size(path.join(directory, file))]));
  };

  test(`${KILLS} kills at seeded random instants, then a clean finish: nothing lost, finished files not fetched again`, async () => {
    const random = seededRandom(20261122);
    // The first run's data file trickles (16 KiB every 12 ms: ~5 s, longer than any kill instant), so
    // that kill lands mid-download; the later runs fetch the rest at full speed and die further on.
    fixture.simulator.injectFault({ kind: 'slow', target: appMarket.dataFile.file, delayMs: 12 });
    let kills = 0;
    /** What each later run must resume from: the bytes its predecessor left on disk, per file. */
    const resumePoints: Array<{ firstRequest: number; onDisk: Map<string, number> }> = [];
    for (let i = 0; i < KILLS; i++) {
      const run = await runCli(150 + Math.floor(random() * 1_500));
      if (run.signal === 'SIGKILL') kills++;
      else expect(run.code).toBe(0); // finished before the kill landed
      resumePoints.push({ firstRequest: fixture.simulator.fileRequests.length, onDisk: bytesOnDisk() });
    }
    expect(kills).toBeGreaterThan(0);
    const final = await runCli();
    expect(final.code).toBe(0);
    const report = JSON.parse(final.stdout.trim().split('\n').filter((line) => line.startsWith('{"report"')).pop()!).report;
    expect(report.reconciled).toBe(true);
    const data = report.files.find((f: { file: string }) => f.file === appMarket.dataFile.file);
    expect(data).toMatchObject({ rowsRead: DATA_ROWS, rowsQuarantined: 0 });

    // Every row reached Kinesis at least once; re-sent rows carry the same keys (dedup downstream).
    const rows = await readStreamRows(fixture.kinesis.client(), stream);
    const bulkKeys = new Set(rows.filter((r) => r.origin.startsWith('vendor-bulk')).map((r) => rowKey(r.record)));
    expect(bulkKeys.size).toBe(DATA_ROWS);
    expect(new Set(rows.filter((r) => r.origin.startsWith('vendor-api')).map((r) => rowKey(r.record))).size).toBe(3_000);

    // Resumed downloads fetch only missing bytes: a run's first request for a file starts at the bytes
    // the killed run before it left on disk (a finished file is not asked for again, or asked from its
    // end). Bytes the vendor had sent that were still in socket buffers at the kill are lost and fetched
    // again; that loss is the kernel's, so it is not bounded here.
    const requestsOfRun = (run: number) =>
      fixture.simulator.fileRequests.slice(resumePoints[run]!.firstRequest, resumePoints[run + 1]?.firstRequest);
    const resumes = resumePoints.flatMap(({ onDisk }, run) =>
      bulkFiles.flatMap((file) => {
        const first = requestsOfRun(run).find((request) => request.file === file);
        return first ? [{ run: run + 2, file, start: first.start, onDisk: onDisk.get(file) }] : [];
      }),
    );
    expect(resumes.filter((r) => r.start !== r.onDisk)).toEqual([]);
    expect(resumes.find((r) => r.file === appMarket.dataFile.file)?.start).toBeGreaterThan(0);
  });
});
