import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LeaseHolder, LeaseRecord } from '../../src/lease/lease-decision';
import { LeaseHeldError, LeaseLostError, SnapshotLease, type LeaseEvent, type SnapshotLeaseOptions } from '../../src/lease/snapshot-lease';
import { FileStateStore, type StateStore } from '../../src/state/state-store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function holder(runId: string, overrides: Partial<LeaseHolder> = {}): LeaseHolder {
  return { runId, host: 'test-host', pid: 1000 + runId.length, workDir: `/work/${runId}`, startedAt: '2026-11-21T02:30:00.000Z', ...overrides };
}

describe('SnapshotLease (against the file store)', () => {
  let directory: string;
  let store: FileStateStore<LeaseRecord>;
  const leases: SnapshotLease[] = [];
  const options = (runId: string, extra: Partial<SnapshotLeaseOptions> = {}): SnapshotLeaseOptions => ({
    store,
    dataset: 'app_market',
    snapshot: '2026-11-20',
    holder: holder(runId),
    ttlSeconds: 0.6,
    ...extra,
  });
  async function take(runId: string, extra: Partial<SnapshotLeaseOptions> = {}): Promise<SnapshotLease> {
    const acquisition = await SnapshotLease.acquire(options(runId, extra));
    if (acquisition.kind !== 'acquired') throw new Error(`expected to acquire, got ${acquisition.kind}`);
    leases.push(acquisition.lease);
    return acquisition.lease;
  }

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'snapshot-lease-'));
    store = new FileStateStore<LeaseRecord>(path.join(directory, 'lease.json'));
  });
  afterEach(async () => {
    // Stop renewal timers of leases a test left held.
    await Promise.all(leases.splice(0).map((lease) => lease.release('failed').catch(() => undefined)));
    await rm(directory, { recursive: true, force: true });
  });

  test('the lease names its holder; a second run is refused with an error naming it', async () => {
    const events: LeaseEvent[] = [];
    const lease = await take('run-a', { onEvent: (event) => events.push(event) });
    expect(lease.current).toMatchObject({ version: 1, dataset: 'app_market', snapshot: '2026-11-20', holder: holder('run-a'), ttlSeconds: 0.6 });
    expect(events.map((e) => e.action)).toEqual(['acquired']);
    const refused = await SnapshotLease.acquire(options('run-b')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    expect((refused as Error).message).toMatch(/snapshot app_market\/2026-11-20 is being collected by run run-a on host test-host \(pid 1005/);
  });

  test('renewal keeps the lease for a run lasting many TTLs', async () => {
    const lease = await take('run-a');
    const firstExpiry = lease.current.expiresAt;
    await sleep(2_000); // more than three TTLs
    expect(() => lease.assertHeld()).not.toThrow();
    expect(Date.parse(lease.current.expiresAt)).toBeGreaterThan(Date.parse(firstExpiry) + 1_000);
    expect((await store.read()).state!.expiresAt).toBe(lease.current.expiresAt);
    await expect(SnapshotLease.acquire(options('run-b'))).rejects.toThrow(LeaseHeldError);
  });

  test('released after a failure: the next run takes it at once; the record says how the last run ended', async () => {
    const lease = await take('run-a');
    await lease.release('failed');
    expect((await store.read()).state!.released).toMatchObject({ outcome: 'failed' });
    const next = await take('run-b');
    expect(next.current.holder.runId).toBe('run-b');
    expect(next.current.tookOverFrom).toBeUndefined();
  });

  test('released after completing: another run has nothing to do unless it recollects; the same run goes on', async () => {
    const lease = await take('run-a');
    await lease.release('completed');
    expect(await SnapshotLease.acquire(options('run-b'))).toMatchObject({
      kind: 'completed-by-other-run',
      record: { holder: { runId: 'run-a' }, released: { outcome: 'completed' } },
    });
    expect((await store.read()).state!.holder.runId).toBe('run-a');
    const again = await take('run-a', { holder: holder('run-a', { pid: 4343 }) });
    expect(again.current.holder).toMatchObject({ runId: 'run-a', pid: 4343 });
    await again.release('completed');
    const recollect = await take('run-b', { recollect: true });
    expect(recollect.current.holder.runId).toBe('run-b');
  });

  test('a holder that stops renewing (killed) is taken over only after its lease expired', async () => {
    const at = Date.now();
    const dead: LeaseRecord = {
      version: 1, dataset: 'app_market', snapshot: '2026-11-20', holder: holder('run-dead'),
      acquiredAt: new Date(at).toISOString(), renewedAt: new Date(at).toISOString(), expiresAt: new Date(at + 800).toISOString(), ttlSeconds: 0.8,
    };
    await store.write(dead, undefined);
    await expect(SnapshotLease.acquire(options('run-b'))).rejects.toThrow(LeaseHeldError);
    const events: LeaseEvent[] = [];
    const lease = await take('run-b', { waitSeconds: 5, onEvent: (event) => events.push(event) });
    expect(Date.now()).toBeGreaterThanOrEqual(at + 800);
    expect(events.map((e) => e.action)).toEqual(['waiting', 'took-over-expired']);
    expect(lease.current.tookOverFrom).toEqual({ ...holder('run-dead'), expiresAt: dead.expiresAt });
  });

  test('a bounded wait gives up with the holder named', async () => {
    await take('run-a');
    const started = Date.now();
    await expect(SnapshotLease.acquire(options('run-b', { waitSeconds: 0.5 }))).rejects.toThrow(/by run run-a .*; waited \d s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  test('a waiter whose holder completed the snapshot gets nothing to do; one whose holder failed takes over', async () => {
    const first = await take('run-a');
    setTimeout(() => void first.release('completed'), 200);
    const afterCompleted = await SnapshotLease.acquire(options('run-b', { waitSeconds: 5 }));
    expect(afterCompleted).toMatchObject({ kind: 'completed-by-other-run', record: { holder: { runId: 'run-a' }, released: { outcome: 'completed' } } });

    const second = await take('run-c', { recollect: true }); // the snapshot is complete: collected again on purpose
    setTimeout(() => void second.release('failed'), 200);
    const afterFailed = await SnapshotLease.acquire(options('run-d', { waitSeconds: 5 }));
    expect(afterFailed.kind).toBe('acquired');
    if (afterFailed.kind === 'acquired') leases.push(afterFailed.lease);
  });

  test("the same run resumed in the same folder (its earlier process killed) takes its own lease back at once", async () => {
    await take('run-a');
    const resumed = await take('run-a', { holder: holder('run-a', { pid: 4242, startedAt: '2026-11-21T02:40:00.000Z' }) });
    expect(resumed.current.tookOverFrom).toMatchObject({ runId: 'run-a', pid: 1005 });
  });

  test('another writer taking the lease: the holder learns it at its next renewal and stops', async () => {
    const events: LeaseEvent[] = [];
    const lease = await take('run-a', { onEvent: (event) => events.push(event) });
    const { state, revision } = await store.read();
    await store.write({ ...state!, holder: holder('run-intruder') }, revision);
    await sleep(400);
    expect(() => lease.assertHeld()).toThrow(LeaseLostError);
    expect(() => lease.assertHeld()).toThrow(/taken over by run run-intruder on host test-host/);
    expect(events.map((e) => e.action)).toEqual(['acquired', 'lost']);
    await lease.release('failed');
    expect((await store.read()).state!.holder.runId).toBe('run-intruder');
  });

  test('renewals failing (state store unreachable): the run is told to stop before a third of the TTL is left', async () => {
    let failing = false;
    const flaky: StateStore<LeaseRecord> = {
      read: () => store.read(),
      write: (state, expected) => (failing ? Promise.reject(new Error('connect ECONNREFUSED')) : store.write(state, expected)),
      describe: () => 'flaky store',
    };
    const lease = await take('run-a', { store: flaky });
    failing = true;
    await sleep(600);
    expect(() => lease.assertHeld()).toThrow(/^lease flaky store lost: (renewal failed: connect ECONNREFUSED|not renewed since)/);
  });
});
