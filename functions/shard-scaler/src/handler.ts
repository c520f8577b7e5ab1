import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KinesisClient, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { Logger } from '@aws-lambda-powertools/logger';
import { decideScaling, DEFAULT_SCALING_POLICY } from './scaling-decision';
import { readStreamLoad } from './stream-load-reader';

/**
 * Runs every 5 minutes (EventBridge) for the provisioned streams in STREAM_NAMES: reads each
 * stream's load, decides, and calls UpdateShardCount (uniform scaling) when the decision says so.
 * The calls made in the last 24 hours are tracked in memory per container and, as ground truth,
 * bounded by the service itself (LimitExceededException is logged, never retried in a loop).
 */
const logger = new Logger({ serviceName: 'shard-scaler' });
const kinesis = new KinesisClient({});
const cloudwatch = new CloudWatchClient({});
const streamNames = (process.env.STREAM_NAMES ?? '').split(',').filter(Boolean);
const policy = {
  ...DEFAULT_SCALING_POLICY,
  minShards: Number(process.env.MIN_SHARDS ?? DEFAULT_SCALING_POLICY.minShards),
  maxShards: Number(process.env.MAX_SHARDS ?? DEFAULT_SCALING_POLICY.maxShards),
};
const updates = new Map<string, number[]>();

export const handler = async (): Promise<Array<{ stream: string; decision: ReturnType<typeof decideScaling> }>> => {
  const results = [];
  for (const stream of streamNames) {
    const recent = (updates.get(stream) ?? []).filter((at) => at > Date.now() - 86_400_000);
    const decision = decideScaling(await readStreamLoad(kinesis, cloudwatch, stream, recent.length), policy);
    if (decision.action === 'update') {
      try {
        await kinesis.send(new UpdateShardCountCommand({ StreamName: stream, TargetShardCount: decision.targetShards, ScalingType: 'UNIFORM_SCALING' }));
        updates.set(stream, [...recent, Date.now()]);
      } catch (error) {
        logger.error('UpdateShardCount refused', { stream, targetShards: decision.targetShards, error: (error as Error).message });
      }
    }
    logger.info('scaling decision', { stream, ...decision });
    results.push({ stream, decision });
  }
  return results;
};
