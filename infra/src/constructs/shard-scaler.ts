import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { Construct } from 'constructs';
import { BundledFunction, type LambdaBundle } from './bundled-function';
import type { KinesisDataStream } from './kinesis-data-stream';
import type { LakeKey } from './lake-key';
import { grantGetMetricData } from './metric-data-grants';

export interface ShardScalerProps {
  /** The Lambda's name (also the schedule rule's). */
  functionName: string;
  /** The shard-scaler bundle (`functions/shard-scaler`'s dist). */
  bundle: LambdaBundle;
  /** Encrypts the function's environment and log group. */
  key: LakeKey;
  /** The provisioned streams it scales. */
  streams: readonly KinesisDataStream[];
  /** Their names, as the naming rule gives them (literals: the function's environment does not wait on the streaming stack). */
  streamNames: readonly string[];
  /** The fewest shards it scales a stream down to. */
  minShards: number;
  /** @default 64 */
  maxShards?: number;
  /** @default 'rate(5 minutes)' */
  schedule?: string;
}

/**
 * The shard scaler for provisioned streams: a Lambda reading each stream's metrics on a schedule and
 * updating its shard count between the bounds. It is the bundled function itself (its id and its
 * children keep the Terraform addresses they had when the monitoring stack built them inline); the
 * schedule's three resources keep their earlier logical ids explicitly.
 */
export class ShardScaler extends BundledFunction {
  constructor(scope: Construct, id: string, props: ShardScalerProps) {
    super(scope, id, {
      functionName: props.functionName,
      bundle: props.bundle,
      key: props.key,
      memoryMb: 256,
      timeoutSeconds: 60,
      environment: {
        STREAM_NAMES: props.streamNames.join(','),
        MIN_SHARDS: String(props.minShards),
        MAX_SHARDS: String(props.maxShards ?? 64),
      },
    });
    for (const stream of props.streams) stream.grantScale(this.grantPrincipal);
    grantGetMetricData(this.grantPrincipal);
    const rule = new CloudwatchEventRule(this, 'schedule', { name: props.functionName, scheduleExpression: props.schedule ?? 'rate(5 minutes)' });
    rule.overrideLogicalId(`${id}-schedule`);
    new CloudwatchEventTarget(this, 'target', { rule: rule.name, arn: this.arn }).overrideLogicalId(`${id}-target`);
    new LambdaPermission(this, 'permission', {
      statementId: 'AllowEventBridge',
      action: 'lambda:InvokeFunction',
      functionName: this.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn,
    }).overrideLogicalId(`${id}-permission`);
  }
}
