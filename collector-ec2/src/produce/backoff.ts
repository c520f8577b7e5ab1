/** Exponential backoff with full jitter (delay drawn from [0, min(cap, base·2^attempt)]). */
export interface BackoffOptions {
  /** First retry's upper bound. @default 100 */
  baseDelayMs?: number;
  /** Upper bound of any delay. @default 20_000 */
  maxDelayMs?: number;
}

export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 20_000;
  return Math.floor(random() * Math.min(cap, base * 2 ** Math.min(attempt, 30)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
