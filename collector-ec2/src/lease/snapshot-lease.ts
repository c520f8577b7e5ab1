import { StateConflictError, type StateStore } from '../state/state-store';
import { decideLease, sameHolder, type LeaseHolder, type LeaseRecord } from './lease-decision';
import { CollectorError } from '../collector-error';

/** What the lease did, for the progress log. */
export type LeaseEvent =
  | { type: 'lease'; action: 'acquired' | 'took-over-expired' | 'resumed-own' | 'released' | 'completed-by-holder'; store: string; lease: LeaseRecord }
  | { type: 'lease'; action: 'waiting'; store: string; lease: LeaseRecord; waitSeconds: number }
  | { type: 'lease'; action: 'lost'; store: string; reason: string };

/** Another live run holds the snapshot; this run made no vendor call. */
export class LeaseHeldError extends CollectorError {
  readonly code = 'LEASE_HELD';
  constructor(
    readonly store: string,
    readonly lease: LeaseRecord,
    readonly waitedSeconds: number,
  ) {
    const h = lease.holder;
    super(
      `snapshot ${lease.dataset}/${lease.snapshot} is being collected by run ${h.runId} on host ${h.host} (pid ${h.pid}, ` +
        `started ${h.startedAt}, work folder ${h.workDir}); its lease ${store} expires ${lease.expiresAt} unless renewed` +
        `${waitedSeconds > 0 ? `; waited ${Math.round(waitedSeconds)} s` : ''}. Not started, no vendor call made (--wait-for-lease waits for it)`,
    );
    this.name = 'LeaseHeldError';
  }
}

/** This run could not keep its lease (renewal failed, or another run took it); it stops before its next vendor call. */
export class LeaseLostError extends CollectorError {
  readonly code = 'LEASE_LOST';
  constructor(
    readonly store: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`lease ${store} lost: ${reason}. Stopped before the next vendor call; the next run resumes from the checkpoint`, options);
    this.name = 'LeaseLostError';
  }
}

export interface SnapshotLeaseOptions {
  store: StateStore<LeaseRecord>;
  dataset: string;
  snapshot: string;
  holder: LeaseHolder;
  /** How long the lease holds without renewal; renewed every third of it. @default 300 */
  ttlSeconds?: number;
  /** How long to wait for another holder to release or expire: 0 refuses at once, Infinity waits as long as it takes. @default 0 */
  waitSeconds?: number;
  /**
   * Take the lease even when another run already completed the snapshot (that run's calls are spent
   * again). Without it, such a run gets `completed-by-other-run` and makes no vendor call. @default false
   */
  recollect?: boolean;
  onEvent?: (event: LeaseEvent) => void;
}

export type LeaseAcquisition =
  | { kind: 'acquired'; lease: SnapshotLease }
  /**
   * Another run (another work folder or host) completed the snapshot, before this run asked or while
   * it waited: nothing is left to do.
   */
  | { kind: 'completed-by-other-run'; record: LeaseRecord };

/** @default lease TTL in seconds: the longest a killed run's snapshot stays blocked for other hosts. */
export const DEFAULT_LEASE_TTL_SECONDS = 300;

/**
 * One collector per dataset snapshot, across processes and machines: a lease document in a
 * StateStore (S3 with conditional writes in AWS), taken before the first vendor call, renewed
 * every third of its TTL while the run lives, released at the end, and taken over by another run
 * only after it expired. A run that cannot renew is told so by `assertHeld`.
 */
export class SnapshotLease {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private lostReason: string | undefined;
  /** The failed write that lost the lease, when one did. */
  private lostCause: unknown;
  private stopped = false;

  private constructor(
    private readonly options: SnapshotLeaseOptions,
    private record: LeaseRecord,
    private revision: string,
  ) {}

  /** Takes the lease, waiting up to `waitSeconds` for another holder; throws LeaseHeldError if it stays held. */
  static async acquire(options: SnapshotLeaseOptions): Promise<LeaseAcquisition> {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    if (!(ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be positive, got ${ttlSeconds}`);
    const waitSeconds = options.waitSeconds ?? 0;
    const store = options.store.describe();
    const startedWaiting = Date.now();
    const pollMs = Math.min(Math.max((ttlSeconds * 1000) / 10, 200), 5_000);
    let waitedOn: LeaseRecord | undefined;
    for (;;) {
      const { state, revision } = await options.store.read();
      const now = new Date();
      const decision = decideLease(state, options.holder, now);
      if (decision.kind === 'held') {
        const waitedMs = now.getTime() - startedWaiting;
        if (waitedMs >= waitSeconds * 1000) throw new LeaseHeldError(store, state!, waitedMs / 1000);
        if (!waitedOn) options.onEvent?.({ type: 'lease', action: 'waiting', store, lease: state!, waitSeconds });
        waitedOn = state;
        await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(pollMs, waitSeconds * 1000 - waitedMs, decision.expiresInMs + 10))));
        continue;
      }
      // The same run id is this work folder's own run: its checkpoint knows what is left, so it goes on.
      if (state?.released?.outcome === 'completed' && state.holder.runId !== options.holder.runId && !options.recollect) {
        return { kind: 'completed-by-other-run', record: state };
      }
      const at = now.toISOString();
      const record: LeaseRecord = {
        version: 1,
        dataset: options.dataset,
        snapshot: options.snapshot,
        holder: options.holder,
        acquiredAt: at,
        renewedAt: at,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
        ttlSeconds,
        ...(decision.kind === 'free' ? {} : { tookOverFrom: { ...state!.holder, expiresAt: state!.expiresAt } }),
      };
      let written: string;
      try {
        written = await options.store.write(record, revision);
      } catch (error) {
        // Another run moved first: look again.
        if (error instanceof StateConflictError) continue;
        throw error;
      }
      const action = decision.kind === 'free' ? 'acquired' : decision.kind === 'expired' ? 'took-over-expired' : 'resumed-own';
      options.onEvent?.({ type: 'lease', action, store, lease: record });
      const lease = new SnapshotLease({ ...options, ttlSeconds }, record, written);
      lease.schedule(lease.renewEveryMs);
      return { kind: 'acquired', lease };
    }
  }

  /** The lease as last written by this run. */
  get current(): LeaseRecord {
    return this.record;
  }

  private get ttlMs(): number {
    return this.record.ttlSeconds * 1000;
  }

  private get renewEveryMs(): number {
    return this.ttlMs / 3;
  }

  /** Throws LeaseLostError unless the lease is still this run's with at least a third of its TTL left. */
  assertHeld(): void {
    if (this.lostReason === undefined && Date.parse(this.record.expiresAt) - Date.now() < this.ttlMs / 3) {
      this.markLost(`not renewed since ${this.record.renewedAt} (expires ${this.record.expiresAt})`);
    }
    if (this.lostReason !== undefined) throw new LeaseLostError(this.options.store.describe(), this.lostReason, this.lostCause === undefined ? undefined : { cause: this.lostCause });
  }

  /** Lets go of the lease if it is still this run's (a conditional write), so the next run need not wait. */
  async release(outcome: 'completed' | 'failed'): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.renewing;
    if (this.lostReason !== undefined) return;
    const record: LeaseRecord = { ...this.record, released: { at: new Date().toISOString(), outcome } };
    try {
      this.revision = await this.options.store.write(record, this.revision);
      this.record = record;
      this.options.onEvent?.({ type: 'lease', action: 'released', store: this.options.store.describe(), lease: record });
    } catch (error) {
      // Not ours any more, or S3 unreachable: it then expires on its own.
      this.markLost(`release failed: ${(error as Error).message}`, error);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.renewing = this.renew();
    }, delayMs);
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    if (this.stopped || this.lostReason !== undefined) return;
    const now = Date.now();
    const renewed: LeaseRecord = { ...this.record, renewedAt: new Date(now).toISOString(), expiresAt: new Date(now + this.ttlMs).toISOString() };
    try {
      this.revision = await this.options.store.write(renewed, this.revision);
      this.record = renewed;
      this.schedule(this.renewEveryMs);
    } catch (error) {
      if (error instanceof StateConflictError) {
        // Either a retried renewal whose first answer was lost (still ours), or another run's write.
        const stored = await this.options.store.read().catch(() => undefined);
        if (stored?.state && !stored.state.released && stored.revision && sameHolder(stored.state.holder, this.record.holder)) {
          this.record = stored.state;
          this.revision = stored.revision;
          this.schedule(this.renewEveryMs);
          return;
        }
        const other = stored?.state?.holder;
        this.markLost(other && !sameHolder(other, this.record.holder) ? `taken over by run ${other.runId} on host ${other.host} (pid ${other.pid})` : 'changed by another writer', error);
        return;
      }
      // A transient failure: retry soon while a third of the TTL is left; after that the run stops.
      if (Date.parse(this.record.expiresAt) - Date.now() > this.ttlMs / 3) this.schedule(Math.max(100, this.ttlMs / 30));
      else this.markLost(`renewal failed: ${(error as Error).message}`, error);
    }
  }

  private markLost(reason: string, cause?: unknown): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.lostCause = cause;
    this.stopped = true;
    clearTimeout(this.timer);
    this.options.onEvent?.({ type: 'lease', action: 'lost', store: this.options.store.describe(), reason });
  }
}
