import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { appMarket } from '@ingest-lake/shared';
import { seededRandom } from '@ingest-lake/vendor-simulator';
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
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      child.on('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, stdout });
      });
    });
  }

  test(`${KILLS} kills at seeded random instants, then a clean finish: nothing lost, finished files not fetched again`, async () => {
    const random = seededRandom(20261122);
    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      const run = await runCli(150 + Math.floor(random() * 1_500));
      if (run.signal === 'SIGKILL') kills++;
      else expect(run.code).toBe(0); // finished before the kill landed
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

    // Resumed downloads fetch only missing bytes: no file was served much more than once.
    for (const file of [appMarket.dataFile, ...appMarket.metadataFiles]) {
      const size = fixture.simulator.fileInfo(file.file)!.bytes;
      expect(fixture.simulator.bytesServed.get(file.file) ?? 0).toBeLessThan(size * 1.5 + 256 * 1024);
    }
  });
});
