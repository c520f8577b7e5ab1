import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { MotoServer } from '@ingest-lake/local-emulators';
import { EXIT } from '../../src/cli/exit-codes';
import type { LeaseRecord } from '../../src/lease/lease-decision';
import { collectorLeaseKey } from '@ingest-lake/shared';
import { CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { leaseActions, reportOf, requireCliBundle, runCli, startCli, type CliOptions, type CliRun } from '../support/collector-cli';
import { readStreamRows } from '../support/stream-contents';

jest.setTimeout(180_000);

/** One run's worth of the fixture's snapshot: 13 bulk files + 3 API pages, 20,000 + 2,500 rows. */
const CALLS_PER_RUN = 16;
const ROWS_PER_RUN = 22_500;
const DATA_FILE = 'app_market_daily.csv.gz';

function exitCodes(...runs: Array<{ code: number | null }>): Array<number | null> {
  return runs.map((run) => run.code).sort();
}

describe('one collector per snapshot (CLI bundle, two processes started at once)', () => {
  const fixture = new CollectorFixture();
  const moto = new MotoServer({ awsFidelity: true });
  let motoS3: S3Client;

  beforeAll(async () => {
    requireCliBundle();
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await Promise.all([fixture.start({ dataRows: 20_000 }), moto.start()]);
    motoS3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
  }, 60_000);
  afterAll(async () => {
    motoS3?.destroy();
    await Promise.all([fixture.stop(), moto.stop()]);
  });

  /** CLI options for one of the "machines": its own work folder, the lake and ledger in moto's S3. */
  async function onMoto(name: string, bucket: string, stream: string, extraArgs: string[] = []): Promise<CliOptions> {
    return { fixture, stream, workDir: path.join(fixture.directory, name), ledger: 's3', s3Endpoint: moto.endpoint, lakeBucket: bucket, extraArgs };
  }
  async function newLake(bucket: string): Promise<void> {
    await motoS3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  async function storedLease(bucket: string): Promise<LeaseRecord> {
    const object = await motoS3.send(new GetObjectCommand({ Bucket: bucket, Key: collectorLeaseKey('app_market', SNAPSHOT) }));
    return JSON.parse(await object.Body!.transformToString()) as LeaseRecord;
  }

  test('ONE work folder: one runs, the other exits 8 naming it; one run of vendor calls and rows; no temporary file left', async () => {
    const stream = await fixture.newStream('one-folder');
    const options: CliOptions = { fixture, stream, workDir: path.join(fixture.directory, 'one-folder'), ledger: `file:${path.join(fixture.directory, 'one-folder-ledger.json')}` };
    const callsBefore = fixture.simulator.callsReceived;

    const [first, second] = await Promise.all([runCli(options), runCli(options)]);

    expect(exitCodes(first, second)).toEqual([EXIT.ok, EXIT.leaseHeld]);
    const [winner, loser] = first.code === EXIT.ok ? [first, second] : [second, first];
    const winnerPid = (winner.events.find((e) => e.type === 'lease')!.lease as LeaseRecord).holder.pid;
    expect(loser.stderr).toMatch(new RegExp(`in use by pid ${winnerPid} on host |collected by run .* \\(pid ${winnerPid},`));
    expect(loser.stderr).toContain('no vendor call made');
    expect(reportOf(winner).reconciled).toBe(true);
    expect(fixture.simulator.callsReceived - callsBefore).toBe(CALLS_PER_RUN);
    expect(await readStreamRows(fixture.kinesis.client(), stream)).toHaveLength(ROWS_PER_RUN);
    const snapshotDir = path.join(options.workDir, 'app_market', `snapshot=${SNAPSHOT}`);
    expect((await readdir(snapshotDir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'))).toEqual([]);
  });

  test('ONE work folder, the second with --wait-for-lease: it waits, then finds the snapshot done and calls nothing', async () => {
    const stream = await fixture.newStream('one-folder-wait');
    // Its own state folder: a file ledger keeps leases beside it, and the test above completed this snapshot in the shared one.
    const options: CliOptions = { fixture, stream, workDir: path.join(fixture.directory, 'one-folder-wait'), ledger: `file:${path.join(fixture.directory, 'one-folder-wait-state', 'ledger.json')}` };
    const callsBefore = fixture.simulator.callsReceived;

    // The waiter starts once the first run holds the folder (started together, either could win it).
    let waiter: Promise<CliRun> | undefined;
    const first = await runCli({
      ...options,
      onEvent: (event) => {
        if (event.type === 'lease' && event.action === 'acquired') waiter = runCli({ ...options, extraArgs: ['--wait-for-lease=120'] });
      },
    });
    const second = await waiter!;

    expect(exitCodes(first, second)).toEqual([EXIT.ok, EXIT.ok]);
    expect(second.events.some((e) => e.type === 'work-dir-lock' || (e.type === 'lease' && e.action === 'waiting'))).toBe(true);
    expect(reportOf(second)).toMatchObject({ reconciled: true, runId: reportOf(first).runId });
    expect(fixture.simulator.callsReceived - callsBefore).toBe(CALLS_PER_RUN);
    expect(await readStreamRows(fixture.kinesis.client(), stream)).toHaveLength(ROWS_PER_RUN);
  });

  test('TWO work folders, lease in S3 (moto enforces the conditional writes): one runs, the other exits 8 naming it', async () => {
    await newLake('lake-two-folders');
    const stream = await fixture.newStream('two-folders');
    const callsBefore = fixture.simulator.callsReceived;

    const [first, second] = await Promise.all([
      runCli(await onMoto('machine-a', 'lake-two-folders', stream)),
      runCli(await onMoto('machine-b', 'lake-two-folders', stream)),
    ]);

    expect(exitCodes(first, second)).toEqual([EXIT.ok, EXIT.leaseHeld]);
    const [winner, loser] = first.code === EXIT.ok ? [first, second] : [second, first];
    const lease = await storedLease('lake-two-folders');
    expect(lease).toMatchObject({ holder: { runId: reportOf(winner).runId }, released: { outcome: 'completed' } });
    expect(loser.stderr).toContain(`snapshot app_market/${SNAPSHOT} is being collected by run ${lease.holder.runId} on host ${lease.holder.host} (pid ${lease.holder.pid}`);
    expect(loser.stderr).toContain('s3://lake-two-folders/state/collector/app_market/snapshot=2026-11-20/lease.json');
    expect(fixture.simulator.callsReceived - callsBefore).toBe(CALLS_PER_RUN);
    expect(await readStreamRows(fixture.kinesis.client(), stream)).toHaveLength(ROWS_PER_RUN);
  });

  test('TWO work folders one after the other: the second finds the snapshot completed and calls nothing; --recollect collects it again', async () => {
    await newLake('lake-sequential');
    const stream = await fixture.newStream('sequential');
    const callsBefore = fixture.simulator.callsReceived;
    const first = await runCli(await onMoto('first-host', 'lake-sequential', stream));
    expect(first.code).toBe(EXIT.ok);

    const later = await runCli(await onMoto('later-host', 'lake-sequential', stream));
    expect(later.code).toBe(EXIT.ok);
    expect(leaseActions(later)).toEqual(['completed-by-holder']);
    expect(reportOf(later)).toEqual(reportOf(first));
    expect(fixture.simulator.callsReceived - callsBefore).toBe(CALLS_PER_RUN);
    expect(await readStreamRows(fixture.kinesis.client(), stream)).toHaveLength(ROWS_PER_RUN);

    const again = await runCli(await onMoto('later-host', 'lake-sequential', stream, ['--recollect']));
    expect(again.code).toBe(EXIT.ok);
    expect(leaseActions(again)).toEqual(['acquired', 'released']);
    expect(reportOf(again).runId).not.toBe(reportOf(first).runId);
    expect(fixture.simulator.callsReceived - callsBefore).toBe(2 * CALLS_PER_RUN);
  });

  test('holder SIGKILLed: refused until its lease expires, then taken over (--wait-for-lease) and finished', async () => {
    await newLake('lake-takeover');
    const stream = await fixture.newStream('takeover');
    // Long enough that the refusal below surely happens inside it on a loaded machine (two CLI starts),
    // and that the successor's renewals (every 5 s) survive a 10 s stall: at 10 s, a load average of 13
    // once made it lose the lease it had taken over (exit 9).
    const ttl = ['--lease-ttl', '15'];
    // The holder's data file download drags on, so that it is surely killed mid-run.
    fixture.simulator.injectFault({ kind: 'slow', target: DATA_FILE, delayMs: 100 });
    let acquiredAt = 0;
    const holder = startCli({
      ...(await onMoto('killed-holder', 'lake-takeover', stream, ttl)),
      onEvent: (event, child) => {
        if (event.type === 'download' && acquiredAt === 0) {
          acquiredAt = Date.now();
          child.kill('SIGKILL');
        }
      },
    });
    expect((await holder.done).signal).toBe('SIGKILL');
    const dead = await storedLease('lake-takeover');
    expect(dead.released).toBeUndefined();

    const refused = await runCli(await onMoto('successor', 'lake-takeover', stream, ttl));
    expect(refused.code).toBe(EXIT.leaseHeld);
    expect(refused.stderr).toContain(`(pid ${dead.holder.pid}`);

    const callsBefore = fixture.simulator.callsReceived;
    const successorStartedAt = Date.now();
    const successor = await runCli(await onMoto('successor', 'lake-takeover', stream, [...ttl, '--wait-for-lease=60']));
    expect(successor.code).toBe(EXIT.ok);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(dead.expiresAt));
    // It waits only if it asked while the dead lease was still valid (it normally does; a slow machine may start it later).
    const waited = successorStartedAt < Date.parse(dead.expiresAt) - 1_000;
    expect(leaseActions(successor)).toEqual(waited ? ['waiting', 'took-over-expired', 'released'] : expect.arrayContaining(['took-over-expired', 'released']));
    expect(reportOf(successor).reconciled).toBe(true);
    expect(fixture.simulator.callsReceived - callsBefore).toBe(CALLS_PER_RUN);
    expect(await storedLease('lake-takeover')).toMatchObject({
      holder: { runId: reportOf(successor).runId },
      tookOverFrom: { runId: dead.holder.runId, pid: dead.holder.pid },
      released: { outcome: 'completed' },
    });
  });

  test('renewal keeps a long run\'s lease (10 s TTL, a run of over two TTLs); a waiter on another machine gets the holder\'s report and calls nothing', async () => {
    await newLake('lake-renewal');
    const stream = await fixture.newStream('renewal');
    // 10 s, renewed every 3.3 s; the run stops before its next vendor call once less than 3.3 s is
    // left, so a renewal may be 3.3 s late. At 5 s (1.7 s of slack) a CI run with the machine at a load
    // of 7 lost the lease (exit 9).
    const ttl = ['--lease-ttl', '10'];
    // The vendor answers the data file twice with 429 + Retry-After 10 s: a run of over 20 s (two calls more).
    fixture.simulator.injectFault({ kind: 'rate-limit', target: DATA_FILE, times: 2, retryAfterSeconds: 10 });
    const callsBefore = fixture.simulator.callsReceived;
    let acquired!: () => void;
    const leaseTaken = new Promise<void>((resolve) => (acquired = resolve));
    const holder = startCli({
      ...(await onMoto('long-holder', 'lake-renewal', stream, ttl)),
      onEvent: (event) => event.type === 'lease' && event.action === 'acquired' && acquired(),
    });
    await leaseTaken;
    const waiter = startCli(await onMoto('waiter', 'lake-renewal', stream, [...ttl, '--wait-for-lease']));
    // One and a half TTLs later the lease would have expired without renewal.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const midRun = await storedLease('lake-renewal');
    const refused = await runCli(await onMoto('late', 'lake-renewal', stream, ttl));

    const [held, waited] = await Promise.all([holder.done, waiter.done]);
    expect(refused.code).toBe(EXIT.leaseHeld);
    expect(midRun.released).toBeUndefined();
    expect(Date.parse(midRun.renewedAt) - Date.parse(midRun.acquiredAt)).toBeGreaterThan(10_000);
    expect({ code: held.code, stderr: held.code === EXIT.ok ? '' : held.stderr.slice(-2_000) }).toEqual({ code: EXIT.ok, stderr: '' });
    expect(held.elapsedMs).toBeGreaterThan(20_000);
    expect(leaseActions(held)).toEqual(['acquired', 'released']);
    expect(waited.code).toBe(EXIT.ok);
    expect(leaseActions(waited)).toEqual(['waiting', 'completed-by-holder']);
    expect(reportOf(waited)).toEqual(reportOf(held));
    expect(fixture.simulator.callsReceived - callsBefore).toBe(CALLS_PER_RUN + 2);
    expect(await readStreamRows(fixture.kinesis.client(), stream)).toHaveLength(ROWS_PER_RUN);
  });
});
