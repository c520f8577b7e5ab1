import { open, stat, unlink } from 'node:fs/promises';
import { CollectorError } from '../collector-error';

/** A mutex file could not be taken in time (another process keeps it). */
export class FileMutexTimeoutError extends CollectorError {
  readonly code = 'FILE_MUTEX_TIMEOUT';
  constructor(
    readonly path: string,
    readonly waitedMs: number,
  ) {
    super(`mutex ${path} still held after ${waitedMs} ms`);
    this.name = 'FileMutexTimeoutError';
  }
}

export interface FileMutexOptions {
  /** A mutex file older than this was left by a crashed holder and is removed. @default 10_000 */
  staleAfterMs?: number;
  /** Give up after this long. @default 15_000 */
  timeoutMs?: number;
}

/**
 * Runs `critical` while holding `path`, created with O_CREAT|O_EXCL: one process at a time on this
 * machine. For short critical sections only (a read-compare-replace), which is why a mutex older
 * than `staleAfterMs` can only be a crashed holder's and is broken.
 */
export async function withFileMutex<T>(path: string, critical: () => Promise<T>, options: FileMutexOptions = {}): Promise<T> {
  const staleAfterMs = options.staleAfterMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > staleAfterMs) await unlink(path).catch(() => undefined);
    else if (Date.now() - started > timeoutMs) throw new FileMutexTimeoutError(path, Date.now() - started);
    else await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 5 * Math.min(attempt + 1, 10)));
  }
  try {
    return await critical();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
