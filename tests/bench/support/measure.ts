/** Small helpers shared by the benchmarks: timing, medians and a fixed-width report. */

export function timeMillis(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `run` `warmups` times unmeasured, then `iterations` times; returns the median in ms. */
export function warmMedianMillis(run: () => void, iterations = 15, warmups = 5): number {
  for (let i = 0; i < warmups; i++) run();
  return median(Array.from({ length: iterations }, () => timeMillis(run)));
}

export function printTable(title: string, rows: Array<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  console.table(rows);
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
