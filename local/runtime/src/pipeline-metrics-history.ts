import { DASHBOARD_CHARTS } from '@ingest-lake/shared';
import type { TimeSeriesChart } from './dashboard-snapshot';

/** The stack's cumulative counters and the lake's freshness at one moment. */
export interface PipelineSample {
  /** When it was taken, milliseconds since the epoch. */
  at: number;
  /** Data records the delivery streams received so far, by source stream. */
  recordsIn: Record<string, number>;
  /** Records written to the error prefix so far, by reason. */
  failedRows: Record<string, number>;
  /** Kinesis records read so far, by `stream/shard`. */
  shardRecords: Record<string, number>;
  /** Seconds since the newest curated record of each dataset was ingested; `null` while it has none. */
  freshnessSeconds: Record<string, number | null>;
}

export interface MetricsHistoryOptions {
  /** The trailing window the per-minute charts count over. @default 60_000 */
  windowMs?: number;
  /** How far back the charts reach. @default 3_600_000 (one hour) */
  retentionMs?: number;
}

type CounterField = 'recordsIn' | 'failedRows' | 'shardRecords';

/**
 * Turns samples of cumulative counters into the live dashboard's time series. Counts are "in the
 * trailing window" (records in the last minute at each sample), not rates scaled up from a few
 * seconds, so every point is a real count. Counters start at zero with the stack, so before the
 * first sample every count is 0. Pure: the sampler feeds it, the server reads it.
 */
export class MetricsHistory {
  private readonly windowMs: number;
  private readonly retentionMs: number;
  private samples: PipelineSample[] = [];

  constructor(options: MetricsHistoryOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.retentionMs = options.retentionMs ?? 3_600_000;
    if (!(this.windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${this.windowMs}`);
    if (!(this.retentionMs >= this.windowMs)) throw new RangeError(`retentionMs must be ≥ windowMs (${this.windowMs}), got ${this.retentionMs}`);
  }

  /** Adds a sample (in time order) and forgets what no chart can reach any more. */
  record(sample: PipelineSample): void {
    const last = this.samples.at(-1);
    if (last && sample.at < last.at) throw new RangeError(`samples must come in time order: ${sample.at} after ${last.at}`);
    this.samples.push(sample);
    const oldestNeeded = sample.at - this.retentionMs - this.windowMs;
    while (this.samples.length > 1 && this.samples[1]!.at <= oldestNeeded) this.samples.shift();
  }

  /** The four charts: records in by source, failures by reason, freshness by dataset, load by shard. */
  charts(): TimeSeriesChart[] {
    const newest = this.samples.at(-1)?.at ?? 0;
    const shown = this.samples.filter((sample) => sample.at >= newest - this.retentionMs);
    const timestamps = shown.map((sample) => Math.round(sample.at / 1000));
    const minutes = this.windowMs / 60_000;
    const perWindow = minutes === 1 ? 'in the last min' : `in the last ${minutes} min`;
    return [
      { ...DASHBOARD_CHARTS.recordsIn, unit: `records ${perWindow}`, timestamps, series: this.windowCounts(shown, 'recordsIn') },
      { ...DASHBOARD_CHARTS.failures, unit: `records ${perWindow}`, timestamps, series: this.windowCounts(shown, 'failedRows') },
      { ...DASHBOARD_CHARTS.freshness, unit: 'seconds', timestamps, series: freshness(shown) },
      { ...DASHBOARD_CHARTS.shardLoad, unit: `records ${perWindow}`, timestamps, series: this.windowCounts(shown, 'shardRecords') },
    ];
  }

  /** Per key: the counter at each shown sample minus the counter one window earlier. */
  private windowCounts(shown: PipelineSample[], field: CounterField): TimeSeriesChart['series'] {
    const keys = [...new Set(this.samples.flatMap((sample) => Object.keys(sample[field])))].sort();
    return keys.map((key) => ({
      label: key,
      values: shown.map((sample) => (sample[field][key] ?? 0) - (this.counterAt(sample.at - this.windowMs, field)[key] ?? 0)),
    }));
  }

  /** The counters of the newest sample taken at or before `at` (nothing before the first: counters start at 0). */
  private counterAt(at: number, field: CounterField): Record<string, number> {
    let found: Record<string, number> = {};
    for (const sample of this.samples) {
      if (sample.at > at) break;
      found = sample[field];
    }
    return found;
  }
}

function freshness(shown: PipelineSample[]): TimeSeriesChart['series'] {
  const datasets = [...new Set(shown.flatMap((sample) => Object.keys(sample.freshnessSeconds)))].sort();
  return datasets.map((dataset) => ({ label: dataset, values: shown.map((sample) => sample.freshnessSeconds[dataset] ?? null) }));
}
