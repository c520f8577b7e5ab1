import { FileStateStore, S3StateStore, type StateStore } from '../state/state-store';

/** Calls spent and reserved in one contract period. */
export interface PeriodLedger {
  spent: number;
  /** Open reservations by run id, with when they lapse (a killed run's reservation does not block forever). */
  reservations: Record<string, { calls: number; expiresAt: string }>;
}

export interface LedgerState {
  version: 1;
  periods: Record<string, PeriodLedger>;
}

/** A stored ledger with optimistic concurrency: `write` fails if someone wrote since `read`. */
export type LedgerStore = StateStore<LedgerState>;

/** The ledger before any call was spent (what a missing ledger document means). */
export function emptyLedger(): LedgerState {
  return { version: 1, periods: {} };
}

/** Ledger in a local JSON file (one machine; processes on it serialise their updates). */
export class FileLedgerStore extends FileStateStore<LedgerState> {
  override describe(): string {
    return `call ledger ${super.describe()}`;
  }
}

/**
 * Ledger as an S3 object, so that a replacement EC2 instance finds the calls already spent.
 * Conditional writes (If-Match / If-None-Match) keep two writers from losing each other's calls.
 */
export class S3LedgerStore extends S3StateStore<LedgerState> {
  override describe(): string {
    return `call ledger ${super.describe()}`;
  }
}
