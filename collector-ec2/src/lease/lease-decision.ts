/** Who runs (or ran) a snapshot's collection. */
export interface LeaseHolder {
  /** The run's id (the snapshot checkpoint's; the same across resumes in one work folder). */
  runId: string;
  host: string;
  pid: number;
  /** The holder's snapshot work folder. */
  workDir: string;
  /** When the holding process started. */
  startedAt: string;
}

/**
 * The lease document of one (dataset, snapshot): `state/collector/<dataset>/snapshot=<date>/lease.json`.
 * Held while `released` is absent and `expiresAt` is in the future; the holder renews `expiresAt`.
 */
export interface LeaseRecord {
  version: 1;
  dataset: string;
  snapshot: string;
  holder: LeaseHolder;
  acquiredAt: string;
  renewedAt: string;
  expiresAt: string;
  ttlSeconds: number;
  /** Set when the holder let go; the snapshot is then free. */
  released?: { at: string; outcome: 'completed' | 'failed' };
  /** The holder this lease replaced after it expired (or the same run's killed attempt). */
  tookOverFrom?: LeaseHolder & { expiresAt: string };
}

export type LeaseDecision =
  /** Nobody holds it: never leased, or released. */
  | { kind: 'free' }
  /** Its holder stopped renewing and the lease expired. */
  | { kind: 'expired' }
  /** The same run, host and work folder: an earlier attempt of this run that died (the caller holds the folder's lock). */
  | { kind: 'own-earlier-attempt' }
  /** Another live run holds it. */
  | { kind: 'held'; expiresInMs: number };

/**
 * Whether `claimant` may take the lease as it stands at `now`. Only a released or expired lease
 * changes hands; the one exception is the claimant's own run resumed in the same work folder,
 * which the caller proves by holding that folder's lock (whose earlier holder is therefore dead).
 */
export function decideLease(current: LeaseRecord | undefined, claimant: LeaseHolder, now: Date): LeaseDecision {
  if (!current || current.released) return { kind: 'free' };
  const expiresInMs = Date.parse(current.expiresAt) - now.getTime();
  if (!(expiresInMs > 0)) return { kind: 'expired' };
  const holder = current.holder;
  if (holder.runId === claimant.runId && holder.host === claimant.host && holder.workDir === claimant.workDir && holder.pid !== claimant.pid) {
    return { kind: 'own-earlier-attempt' };
  }
  return { kind: 'held', expiresInMs };
}

/** The same holding process (a renewal whose answer was lost looks like someone else's write). */
export function sameHolder(a: LeaseHolder, b: LeaseHolder): boolean {
  return a.runId === b.runId && a.host === b.host && a.pid === b.pid && a.workDir === b.workDir && a.startedAt === b.startedAt;
}
