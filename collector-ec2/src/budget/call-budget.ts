import { StateConflictError } from '../state/state-store';
import { emptyLedger, type LedgerState, type LedgerStore, type PeriodLedger } from './ledger-store';
import { CollectorError } from '../collector-error';

/** The contract's cap: calls per day or per calendar month (UTC). */
export interface Quota {
  callsPerPeriod: number;
  period: 'day' | 'month';
}

export interface BudgetStatus {
  period: string;
  cap: number;
  spent: number;
  reserved: number;
  remaining: number;
}

/** Raised when a run would spend more calls than the contract leaves; nothing was called. */
export class BudgetExhaustedError extends CollectorError {
  readonly code = 'BUDGET_EXHAUSTED';
  constructor(
    readonly status: BudgetStatus,
    readonly requested: number,
  ) {
    super(
      `call budget for ${status.period} cannot cover ${requested} call(s): ${status.spent} spent, ` +
        `${status.reserved} reserved by other runs, ${status.remaining} of ${status.cap} left`,
    );
    this.name = 'BudgetExhaustedError';
  }
}

/** How long a reservation holds if its run dies without releasing it. */
const RESERVATION_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_CONFLICT_RETRIES = 10;

/** Period key of an instant: `YYYY-MM-DD` or `YYYY-MM` (UTC). */
export function periodKey(period: Quota['period'], at: Date): string {
  const iso = at.toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/**
 * The vendor call budget: a durable ledger of calls spent per contract period. A run reserves
 * the calls it plans before it starts (and is refused if they do not fit), then spends them one
 * by one; every request sent counts, retries and 429s included.
 */
export class CallBudget {
  constructor(
    private readonly store: LedgerStore,
    private readonly quota: Quota,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async update<T>(change: (ledger: PeriodLedger, period: string) => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { state = emptyLedger(), revision } = await this.store.read();
      const period = periodKey(this.quota.period, this.now());
      const ledger = (state.periods[period] ??= { spent: 0, reservations: {} });
      this.dropExpired(ledger);
      const result = change(ledger, period);
      try {
        await this.store.write(state, revision);
        return result;
      } catch (error) {
        if (!(error instanceof StateConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        // Another writer won: back off with jitter so that racing instances spread out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  private dropExpired(ledger: PeriodLedger): void {
    const now = this.now().getTime();
    for (const [runId, reservation] of Object.entries(ledger.reservations)) {
      if (Date.parse(reservation.expiresAt) <= now) delete ledger.reservations[runId];
    }
  }

  private statusOf(ledger: PeriodLedger, period: string, excludingRun?: string): BudgetStatus {
    const reserved = Object.entries(ledger.reservations)
      .filter(([runId]) => runId !== excludingRun)
      .reduce((sum, [, r]) => sum + r.calls, 0);
    const cap = this.quota.callsPerPeriod;
    return { period, cap, spent: ledger.spent, reserved, remaining: Math.max(0, cap - ledger.spent - reserved) };
  }

  /** Reserves `calls` for a run (replacing its earlier reservation), or throws BudgetExhaustedError. */
  async reserve(runId: string, calls: number): Promise<BudgetStatus> {
    return this.update((ledger, period) => {
      const status = this.statusOf(ledger, period, runId);
      if (calls > status.remaining) throw new BudgetExhaustedError(status, calls);
      ledger.reservations[runId] = { calls, expiresAt: new Date(this.now().getTime() + RESERVATION_TTL_MS).toISOString() };
      return this.statusOf(ledger, period);
    });
  }

  /** Records one call about to be sent. Beyond the run's reservation it may only use what is left unreserved. */
  async spend(runId: string): Promise<void> {
    await this.update((ledger, period) => {
      const reservation = ledger.reservations[runId];
      if (reservation && reservation.calls > 0) reservation.calls--;
      else {
        const status = this.statusOf(ledger, period);
        if (status.remaining < 1) throw new BudgetExhaustedError(status, 1);
      }
      ledger.spent++;
    });
  }

  /** Returns a run's unused reservation to the pool. */
  async release(runId: string): Promise<void> {
    await this.update((ledger) => {
      delete ledger.reservations[runId];
    });
  }

  async status(): Promise<BudgetStatus> {
    const { state = emptyLedger() } = await this.store.read();
    const period = periodKey(this.quota.period, this.now());
    const ledger = state.periods[period] ?? { spent: 0, reservations: {} };
    this.dropExpired(ledger);
    return this.statusOf(ledger, period);
  }
}

export type { LedgerState };
