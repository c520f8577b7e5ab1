import { open, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { withFileMutex } from '../state/file-mutex';
import { currentProcess, isGoneFromThisHost, type ProcessIdentity } from './process-identity';
import { CollectorError } from '../collector-error';

/** The lock file's content: who holds the work folder. */
export type WorkDirLockOwner = ProcessIdentity;

/** Another live process holds the snapshot's work folder. */
export class WorkDirLockedError extends CollectorError {
  readonly code = 'WORK_DIR_LOCKED';
  constructor(
    readonly lockFile: string,
    readonly owner: WorkDirLockOwner | undefined,
    readonly waitedSeconds: number,
  ) {
    const who = owner ? `pid ${owner.pid} on host ${owner.host} (started ${owner.startedAt})` : 'a process whose lock is unreadable';
    super(
      `work folder ${path.dirname(lockFile)} is in use by ${who}: lock ${lockFile}` +
        `${waitedSeconds > 0 ? `; waited ${Math.round(waitedSeconds)} s` : ''}. Not started, no vendor call made (--wait-for-lease waits for it)`,
    );
    this.name = 'WorkDirLockedError';
  }
}

/** A lock file still empty or torn after this long was left by a writer killed while creating it. */
const UNREADABLE_LOCK_STALE_MS = 5_000;

export interface WorkDirLockOptions {
  /** How long to wait for a live holder: 0 refuses at once, Infinity waits as long as it takes. @default 0 */
  waitSeconds?: number;
  /** Called once when the lock is found held and this process starts waiting. */
  onWait?: (owner: WorkDirLockOwner | undefined) => void;
  /** @default 500 */
  pollMs?: number;
}

/**
 * One process per snapshot work folder on this machine: `collector.lock`, created with
 * O_CREAT|O_EXCL and holding the owner's host, pid, boot id and start time. A lock whose process
 * is gone (no such pid, or another boot) is taken over; the take-over itself runs under a mutex so
 * that two processes never both replace the same stale lock.
 */
export class WorkDirLock {
  private constructor(
    readonly file: string,
    private readonly content: string,
  ) {}

  static async acquire(directory: string, options: WorkDirLockOptions = {}): Promise<WorkDirLock> {
    const file = path.join(directory, 'collector.lock');
    const content = `${JSON.stringify(currentProcess())}\n`;
    const waitSeconds = options.waitSeconds ?? 0;
    const started = Date.now();
    let waiting = false;
    for (;;) {
      try {
        const handle = await open(file, 'wx');
        try {
          await handle.writeFile(content);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return new WorkDirLock(file, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = await readLock(file);
      if (held === undefined) continue; // released meanwhile
      if (isStale(held)) {
        await withFileMutex(`${file}.takeover`, async () => {
          // Still the same stale lock? Then nobody took it over meanwhile: remove it.
          if ((await readFile(file, 'utf8').catch(() => undefined)) === held.text) await unlink(file);
        });
        continue;
      }
      const waitedMs = Date.now() - started;
      if (waitedMs >= waitSeconds * 1000) throw new WorkDirLockedError(file, held.owner, waitedMs / 1000);
      if (!waiting) options.onWait?.(held.owner);
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(options.pollMs ?? 500, waitSeconds * 1000 - waitedMs))));
    }
  }

  /** Removes the lock if it is still this process's. */
  async release(): Promise<void> {
    if ((await readFile(this.file, 'utf8').catch(() => undefined)) === this.content) await unlink(this.file).catch(() => undefined);
  }
}

async function readLock(file: string): Promise<{ text: string; owner: WorkDirLockOwner | undefined; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let owner: WorkDirLockOwner | undefined;
    try {
      owner = JSON.parse(text) as WorkDirLockOwner;
    } catch {
      owner = undefined;
    }
    return { text, owner, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(held: { owner: WorkDirLockOwner | undefined; ageMs: number }): boolean {
  if (!held.owner || typeof held.owner.pid !== 'number') return held.ageMs > UNREADABLE_LOCK_STALE_MS;
  return isGoneFromThisHost(held.owner);
}
