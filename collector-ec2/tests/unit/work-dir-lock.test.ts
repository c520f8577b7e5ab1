import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { currentProcess } from '../../src/lease/process-identity';
import { WorkDirLock, WorkDirLockedError } from '../../src/lease/work-dir-lock';

/** A pid that certainly names no process any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('WorkDirLock: one process per snapshot work folder', () => {
  let directory: string;
  let lockFile: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'work-dir-lock-'));
    lockFile = path.join(directory, 'collector.lock');
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  test("the lock file names its holder; a second acquire is refused naming it; release frees the folder", async () => {
    const lock = await WorkDirLock.acquire(directory);
    const self = currentProcess();
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toEqual({ host: self.host, pid: process.pid, startedAt: self.startedAt, bootId: self.bootId });
    const refused = await WorkDirLock.acquire(directory).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WorkDirLockedError);
    expect((refused as Error).message).toContain(`pid ${process.pid} on host ${self.host}`);
    await lock.release();
    await (await WorkDirLock.acquire(directory)).release();
  });

  test('a lock whose process is gone is taken over', async () => {
    await writeFile(lockFile, JSON.stringify({ ...currentProcess(), pid: deadPid() }));
    const lock = await WorkDirLock.acquire(directory);
    expect(JSON.parse(await readFile(lockFile, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  test('a lock from before a reboot (another boot id) is taken over, whatever its pid', async () => {
    await writeFile(lockFile, JSON.stringify({ ...currentProcess(), pid: 1, bootId: 'another-boot' }));
    await (await WorkDirLock.acquire(directory)).release();
  });

  test("another host's lock is respected (its pid cannot be checked from here)", async () => {
    await writeFile(lockFile, JSON.stringify({ ...currentProcess(), host: 'ip-10-0-9-9', pid: deadPid() }));
    await expect(WorkDirLock.acquire(directory)).rejects.toThrow('on host ip-10-0-9-9');
  });

  test('an empty lock (its writer killed between create and write) is taken over once it is 5 s old', async () => {
    await writeFile(lockFile, '');
    await expect(WorkDirLock.acquire(directory)).rejects.toThrow(WorkDirLockedError);
    const old = new Date(Date.now() - 6_000);
    await utimes(lockFile, old, old);
    await (await WorkDirLock.acquire(directory)).release();
  });

  test('five acquirers racing over one stale lock: exactly one wins', async () => {
    await writeFile(lockFile, JSON.stringify({ ...currentProcess(), pid: deadPid() }));
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => WorkDirLock.acquire(directory)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof WorkDirLockedError)).toBe(true);
  });

  test('with a wait, the lock is taken as soon as its holder releases it', async () => {
    const holder = await WorkDirLock.acquire(directory);
    let waited = false;
    setTimeout(() => void holder.release(), 300);
    const lock = await WorkDirLock.acquire(directory, { waitSeconds: 10, pollMs: 50, onWait: () => (waited = true) });
    expect(waited).toBe(true);
    await lock.release();
  });

  test('release leaves a lock that is not its own', async () => {
    const lock = await WorkDirLock.acquire(directory);
    const other = JSON.stringify({ ...currentProcess(), pid: 424242 });
    await writeFile(lockFile, other);
    await lock.release();
    expect(await readFile(lockFile, 'utf8')).toBe(other);
  });
});
