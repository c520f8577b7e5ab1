import { readFileSync } from 'node:fs';
import os from 'node:os';

/** This process as a lock or lease names it. */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** When the process started (ISO 8601). */
  startedAt: string;
  /** Linux boot id: a pid recorded before a reboot names nobody after it. */
  bootId: string | undefined;
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

let cached: ProcessIdentity | undefined;

export function currentProcess(): ProcessIdentity {
  cached ??= {
    host: os.hostname(),
    pid: process.pid,
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    bootId: readBootId(),
  };
  return cached;
}

/**
 * Whether a process recorded on this host is certainly gone: another boot, or no such pid. A
 * process of another host, or one that exists but belongs to another user, counts as alive.
 */
export function isGoneFromThisHost(recorded: Pick<ProcessIdentity, 'host' | 'pid' | 'bootId'>, self: ProcessIdentity = currentProcess()): boolean {
  if (recorded.host !== self.host) return false;
  if (recorded.bootId && self.bootId && recorded.bootId !== self.bootId) return true;
  if (recorded.pid === self.pid) return false;
  try {
    process.kill(recorded.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
