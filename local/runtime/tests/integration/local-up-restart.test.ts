import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_PATHS } from '../../src/repo-paths';

jest.setTimeout(180_000);

const execFileAsync = promisify(execFile);
const CLI = path.join(REPO_PATHS.root, 'local/runtime/src/cli.ts');

interface RunningStack {
  process: ChildProcess;
  ingestUrl: string;
  exited: Promise<number | null>;
}

/**
 * `local up` keeps its Kinesis streams on disk under its data folder: a stack that stopped (even
 * killed) and is started again still holds the records it had not delivered, and its runners read on
 * from their shard checkpoints, so nothing delivered is delivered again.
 */
describe('local up, down and up again: the streams and the shard checkpoints outlive the stack', () => {
  let directory: string;
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'local-up-restart-'));
  });
  afterAll(async () => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
  });

  const local = (...args: string[]) =>
    execFileAsync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', directory, ...args], { cwd: REPO_PATHS.root, env: { ...process.env, NODE_NO_WARNINGS: '1' } });

  /** `local up` on free ports, in its own process; resolves once it printed its endpoints. */
  async function up(timeScale: number): Promise<RunningStack> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, '--data-dir', directory, 'up', '--kinesis-port', '0', '--s3-port', '0', '--ingest-port', '0', '--dashboard-port', '0', '--time-scale', String(timeScale)],
      { cwd: REPO_PATHS.root, env: { ...process.env, NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let waited = 0; !output.includes('is up'); waited += 100) {
      if (child.exitCode !== null || waited > 60_000) throw new Error(`local up did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const curlLine = output.split('\n').find((line) => line.trim().startsWith('curl '))!;
    return { process: child, ingestUrl: /(http:\/\/\S+\/v1)/.exec(curlLine)![1]!, exited };
  }

  async function post(stack: RunningStack, type: string): Promise<void> {
    const response = await fetch(stack.ingestUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type }) });
    expect(response.status).toBe(200);
  }

  /** Curated rows of an event type, and their distinct dedup keys, as `local query` reads the lake. */
  async function curated(type: string): Promise<{ rows: number; keys: number }> {
    const { stdout } = await local('query', '--json', `SELECT count(*) AS rows, count(DISTINCT _dedup_key) AS keys FROM events WHERE event_type = '${type}'`);
    const row = JSON.parse(stdout.trim().split('\n').pop()!) as { rows: string; keys: string };
    return { rows: Number(row.rows), keys: Number(row.keys) };
  }

  async function waitUntilCurated(type: string): Promise<{ rows: number; keys: number }> {
    let counts = { rows: 0, keys: 0 };
    for (let attempt = 0; attempt < 60 && counts.rows === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      counts = await curated(type).catch(() => ({ rows: 0, keys: 0 }));
    }
    return counts;
  }

  test('a record delivered before `down` is not delivered again; one a killed stack had not delivered is delivered after `up`, once; the lake reconciles', async () => {
    // 1. A 1 s buffer: the event is delivered and checkpointed, then the stack stops cleanly.
    const first = await up(60);
    await post(first, 'delivered before down');
    expect(await waitUntilCurated('delivered before down')).toEqual({ rows: 1, keys: 1 });
    expect((await local('down')).stdout).toContain('local stack stopped');
    expect(await first.exited).toBe(0);
    expect(existsSync(path.join(directory, 'kinesis'))).toBe(true);

    // 2. The deployed 60 s buffer: the event is on the stream, read into the runner's buffer, not
    // delivered, when the stack dies with SIGKILL; `down` then clears the dead stack's state.
    const second = await up(1);
    await post(second, 'undelivered at the crash');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    second.process.kill('SIGKILL');
    await second.exited;
    expect(await curated('undelivered at the crash')).toEqual({ rows: 0, keys: 0 });
    expect((await local('down')).stdout).toContain('local stack stopped');

    // 3. Up again: the kept stream still holds the event, the runner reads on from its checkpoint.
    const third = await up(60);
    expect(await waitUntilCurated('undelivered at the crash')).toEqual({ rows: 1, keys: 1 });
    // Give the runners a few more buffer intervals to show they re-deliver nothing.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await curated('delivered before down')).toEqual({ rows: 1, keys: 1 });
    expect(await curated('undelivered at the crash')).toEqual({ rows: 1, keys: 1 });
    expect((await local('down')).stdout).toContain('local stack stopped');
    expect(await third.exited).toBe(0);

    const reconciliation = JSON.parse((await local('reconcile')).stdout) as { reconciled: boolean; recordsIn: number; curatedRows: Record<string, number> };
    expect(reconciliation).toMatchObject({ reconciled: true, recordsIn: 2, curatedRows: { events: 2 } });
  });
});
