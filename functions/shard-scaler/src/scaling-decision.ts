import { KINESIS_SHARD_BYTES_PER_SECOND, KINESIS_SHARD_RECORDS_PER_SECOND } from '@ingest-lake/shared';

/** Observed write load of a stream over the evaluation window. */
export interface StreamLoad {
  openShards: number;
  /** Peak per-second rates over the window (from 1-minute sums ÷ 60). */
  peakBytesPerSecond: number;
  peakRecordsPerSecond: number;
  /** Throttled writes seen in the window. */
  throttledWrites: number;
  /** UpdateShardCount calls already made in the last 24 hours. */
  updatesInLast24Hours: number;
}

export interface ScalingPolicy {
  /** Scale up at or above this utilisation of the binding limit. @default 0.75 (the project's requirement: add shards at 70–80 % of capacity) */
  scaleUpAt: number;
  /** Scale down below this utilisation, to land near the middle. @default 0.30 */
  scaleDownBelow: number;
  /** Utilisation to aim for after scaling. @default 0.5 */
  target: number;
  minShards: number;
  maxShards: number;
  /** UpdateShardCount calls allowed per rolling 24 hours (the service allows 10). @default 10 */
  maxUpdatesPer24Hours: number;
}

export const DEFAULT_SCALING_POLICY: ScalingPolicy = {
  scaleUpAt: 0.75,
  scaleDownBelow: 0.3,
  target: 0.5,
  minShards: 1,
  maxShards: 64,
  maxUpdatesPer24Hours: 10,
};

export type ScalingDecision =
  | { action: 'none'; reason: string; utilisation: number }
  | { action: 'update'; targetShards: number; reason: string; utilisation: number };

/**
 * Decides a stream's shard count from its peak write load. Utilisation is the larger of bytes
 * and records against a shard's 1 MiB/s and 1,000 records/s. UpdateShardCount can at most double
 * or halve the count per call and is limited to 10 calls per rolling 24 hours; a big jump takes
 * several runs. Throttling always counts as full utilisation.
 */
export function decideScaling(load: StreamLoad, policy: ScalingPolicy = DEFAULT_SCALING_POLICY): ScalingDecision {
  const perShardBytes = load.peakBytesPerSecond / load.openShards / KINESIS_SHARD_BYTES_PER_SECOND;
  const perShardRecords = load.peakRecordsPerSecond / load.openShards / KINESIS_SHARD_RECORDS_PER_SECOND;
  const utilisation = load.throttledWrites > 0 ? Math.max(1, perShardBytes, perShardRecords) : Math.max(perShardBytes, perShardRecords);
  const rounded = Math.round(utilisation * 1000) / 1000;
  if (load.updatesInLast24Hours >= policy.maxUpdatesPer24Hours) {
    return { action: 'none', reason: `UpdateShardCount limit reached (${policy.maxUpdatesPer24Hours} per 24 h)`, utilisation: rounded };
  }
  const needed = Math.ceil((utilisation * load.openShards) / policy.target);
  if (utilisation >= policy.scaleUpAt) {
    const targetShards = Math.min(policy.maxShards, load.openShards * 2, Math.max(needed, load.openShards + 1));
    if (targetShards <= load.openShards) return { action: 'none', reason: `at maxShards ${policy.maxShards}`, utilisation: rounded };
    return { action: 'update', targetShards, reason: `utilisation ${Math.round(utilisation * 100)} % ≥ ${policy.scaleUpAt * 100} %`, utilisation: rounded };
  }
  if (utilisation < policy.scaleDownBelow && load.openShards > policy.minShards) {
    const targetShards = Math.max(policy.minShards, Math.ceil(load.openShards / 2), needed);
    if (targetShards >= load.openShards) return { action: 'none', reason: 'already at the smallest safe count', utilisation: rounded };
    return { action: 'update', targetShards, reason: `utilisation ${Math.round(utilisation * 100)} % < ${policy.scaleDownBelow * 100} %`, utilisation: rounded };
  }
  return { action: 'none', reason: 'utilisation within band', utilisation: rounded };
}
