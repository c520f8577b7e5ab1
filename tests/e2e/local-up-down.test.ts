import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_PATHS } from '@ingest-lake/local-runtime';

const execFileAsync = promisify(execFile);
const CLI = path.join(REPO_PATHS.root, 'local/runtime/src/cli.ts');

/** `local up`, the commands it prints, `local query`, `local down`: the README's long-running stack, as a user drives it. */
describe('local up / query / down (the CLI, its own process, free ports, a private data folder)', () => {
  let directory: string;
  let up: ChildProcess | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'local-up-'));
  });
  afterAll(async () => {
    if (up && up.exitCode === null) up.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
  });

  const local = (...args: string[]) =>
    execFileAsync(process.execPath, ['--import', 'tsx', CLI, '--data-dir', directory, ...args], {
      cwd: REPO_PATHS.root,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });

  test('up prints working endpoints, a posted event becomes queryable, down stops the stack and clears its state', async () => {
    up = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, '--data-dir', directory, 'up', '--kinesis-port', '0', '--s3-port', '0', '--ingest-port', '0', '--dashboard-port', '0'],
      // Warnings stay on: the SDK's Node-version warning must be off by the CLI's own doing.
      { cwd: REPO_PATHS.root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    up.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    up.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => up!.on('exit', (code) => resolve(code)));
    for (let waited = 0; !output.includes('is up') && waited < 60_000; waited += 100) {
      if (up.exitCode !== null) throw new Error(`local up exited early:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain('ingest-lake local stack is up, configured from infra/config/dev.json');
    expect(output).toContain('Firehose buffer 60 s deployed → 1 s here (time scale 60');
    // Both AWS CLI generations get a command they accept.
    expect(output).toMatch(/put-record .*--cli-binary-format raw-in-base64-out +# AWS CLI v2/);
    expect(output).toMatch(/put-record (?:(?!--cli-binary-format).)*# AWS CLI v1/);
    // The SDK's Node-version warning is switched off with the switch the SDK documents.
    expect(output).not.toContain('NodeVersionSupportWarning');
    expect(existsSync(path.join(directory, 'stack.json'))).toBe(true);

    // The curl line `up` prints, run as printed.
    const curlLine = output.split('\n').find((line) => line.trim().startsWith('curl '))!;
    const ingestUrl = /(http:\/\/\S+\/v1)/.exec(curlLine)![1]!;
    const { stdout } = await execFileAsync('curl', ['-s', '-d', '{"value":"30","type":"Tip 3"}', '-H', 'Content-Type: application/json', '-X', 'POST', ingestUrl]);
    expect(JSON.parse(stdout)).toMatchObject({ SequenceNumber: expect.stringMatching(/^\d+$/) });

    // `local query` reads the same data folder while the stack runs.
    let count = 0;
    for (let attempt = 0; attempt < 30 && count === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const result = await local('query', '--json', `SELECT count(*) AS n FROM events WHERE event_type = 'Tip 3'`).catch(() => ({ stdout: '{"n":0}' }));
      count = Number((JSON.parse(result.stdout.trim().split('\n').pop()!) as { n: number | string }).n);
    }
    expect(count).toBe(1);

    // A client's own event id and time: sent twice (a retry), it counts once, under its own dt.
    const eventId = `client-retry-${process.pid}-${Date.now()}`;
    const eventTime = new Date(Date.now() - 2 * 86_400_000);
    const eventBody = JSON.stringify({ event_id: eventId, event_time: eventTime.toISOString(), type: 'client retry' });
    for (let attempt = 0; attempt < 2; attempt++) {
      const sent = await execFileAsync('curl', ['-s', '-d', eventBody, '-H', 'Content-Type: application/json', '-X', 'POST', ingestUrl]);
      expect(JSON.parse(sent.stdout)).toMatchObject({ SequenceNumber: expect.stringMatching(/^\d+$/) });
    }
    const byDt = `SELECT CAST(dt AS VARCHAR) AS dt, count(*) AS copies, count(DISTINCT _dedup_key) AS events FROM events WHERE event_id = '${eventId}' GROUP BY dt`;
    let copies: Array<{ dt: string; copies: string; events: string }> = [];
    for (let attempt = 0; attempt < 30 && Number(copies[0]?.copies ?? 0) < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const result = await local('query', '--json', byDt).catch(() => ({ stdout: '' }));
      copies = result.stdout.trim().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { dt: string; copies: string; events: string });
    }
    expect(copies).toEqual([{ dt: eventTime.toISOString().slice(0, 10), copies: '2', events: '1' }]);
    const deduplicated = await local('query', '--json', `SELECT CAST(dt AS VARCHAR) AS dt, count(*) AS n FROM events_deduplicated WHERE event_id = '${eventId}' GROUP BY dt`);
    expect(JSON.parse(deduplicated.stdout.trim().split('\n').pop()!)).toEqual({ dt: eventTime.toISOString().slice(0, 10), n: '1' });

    // A second `up` on the same folder is refused while the first runs.
    await expect(local('up', '--kinesis-port', '0', '--s3-port', '0', '--ingest-port', '0', '--dashboard-port', '0')).rejects.toMatchObject({
      stderr: expect.stringContaining('a stack seems to be running'),
    });

    const down = await local('down');
    expect(down.stdout).toContain('local stack stopped');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(directory, 'stack.json'))).toBe(false);
    expect((await local('down')).stdout).toContain('no local stack is running');
  });
});
