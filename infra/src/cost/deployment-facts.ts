import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { curatedLocation, streamName, vendorDatasets, type BulkDelivery } from '@ingest-lake/shared';
import { minuteOfDailyCron } from '../config/collector-schedule';
import { InfraError } from '../infra-error';

/** What the cost model needs to know about a deployment, read from its synthesized stacks. */
export interface DeploymentFacts {
  environment: string;
  streams: Array<{ name: string; mode: 'ON_DEMAND' | 'PROVISIONED'; shards: number; retentionHours: number }>;
  deliveryStreams: DeliveryStreamFacts[];
  /**
   * How each vendor data file reaches `curated/` (decision 0018): `direct` when the collector's role may
   * write the data file's curated prefix, which infra grants only for a manifest that says `direct`.
   */
  bulkDataFiles: Array<{
    dataset: string;
    stream: string;
    delivery: BulkDelivery;
    /** The delivery was set by a configuration (`applyConfiguration`), not read from the role. */
    configured?: boolean;
  }>;
  lambdas: Array<{ name: string; memoryMb: number; arm: boolean }>;
  natGateways: number;
  /** An S3 gateway endpoint routes the collector's S3 traffic (raw archive, curated parts) past the NAT, free of charge. */
  s3GatewayEndpoint: boolean;
  /** Interface endpoints by service (`kinesis-streams`, `ssm`, …) and the AZs (subnets) each is in. */
  interfaceEndpoints: Array<{ service: string; azs: number }>;
  /** Launch templates; `hoursPerDay` from the group's scheduled actions (24 without any, 0 for a group of none). */
  instances: Array<{ type: string; volumeGb: number; hoursPerDay: number }>;
  alarms: number;
  dashboards: number;
  kmsKeys: number;
  crawlers: number;
  glueJobCapacityDpu: number;
  lifecycle: { rawToGlacierDays: number; rawDataToGlacierDays: number; errorsExpireDays: number };
  restApis: number;
  /** Set by `applyConfiguration`: the priced configuration is not the one synthesized. */
  configuration?: { name: string; description: string };
}

/** One Firehose delivery stream; `compaction` is never synthesized, only priced (`applyConfiguration`). */
export interface DeliveryStreamFacts {
  name: string;
  dynamicPartitioning: boolean;
  formatConversion: boolean;
  backup: boolean;
  bufferSeconds: number;
  /** A scheduled job that turns the delivered NDJSON into curated Parquet (a configuration without Firehose's conversion). */
  compaction?: { runsPerDay: number; stagingDays: number };
}

type PolicyStatement = { effect?: string; actions?: string[]; resources?: string[] };
type Json = { resource?: Record<string, Record<string, Record<string, unknown>>>; data?: { aws_iam_policy_document?: Record<string, { statement?: PolicyStatement[] }> } };

/** Raised when the synthesized stacks are missing: run `npm run synth` first. */
export class MissingSynthError extends InfraError {
  readonly code = 'SYNTHESIZED_STACKS_MISSING';
  constructor(directory: string, environment: string) {
    super(`no synthesized stacks for "${environment}" in ${directory}: run \`npm run synth\` first`);
    this.name = 'MissingSynthError';
  }
}

/** Reads `cdktf.out/stacks/<project>-<environment>-*` into facts. */
export function readDeploymentFacts(cdktfOut: string, environment: string): DeploymentFacts {
  const stacksDir = path.join(cdktfOut, 'stacks');
  const names = existsSync(stacksDir) ? readdirSync(stacksDir).filter((name) => name.includes(`-${environment}-`)) : [];
  if (names.length === 0) throw new MissingSynthError(stacksDir, environment);
  const stacks = names.map((name) => JSON.parse(readFileSync(path.join(stacksDir, name, 'cdk.tf.json'), 'utf8')) as Json);
  const all = (type: string) => stacks.flatMap((s) => Object.values(s.resource?.[type] ?? {}));
  const lifecycleRules = all('aws_s3_bucket_lifecycle_configuration').flatMap((l) => (l.rule as Array<Record<string, unknown>>) ?? []);
  const ruleDays = (id: string, field: 'transition' | 'expiration') => {
    const rule = lifecycleRules.find((r) => r.id === id);
    return Number((rule?.[field] as Array<{ days: number }> | undefined)?.[0]?.days ?? 0);
  };
  return {
    environment,
    streams: all('aws_kinesis_stream').map((s) => {
      const mode = (s.stream_mode_details as { stream_mode: 'ON_DEMAND' | 'PROVISIONED' }).stream_mode;
      return { name: String(s.name), mode, shards: Number(s.shard_count ?? 0), retentionHours: Number(s.retention_period ?? 24) };
    }),
    deliveryStreams: all('aws_kinesis_firehose_delivery_stream').map((d) => {
      const s3 = d.extended_s3_configuration as Record<string, unknown>;
      return {
        name: String(d.name),
        dynamicPartitioning: JSON.stringify(s3.dynamic_partitioning_configuration ?? {}).includes('"enabled":true'),
        formatConversion: JSON.stringify(s3.data_format_conversion_configuration ?? {}).includes('"enabled":true'),
        backup: s3.s3_backup_mode === 'Enabled',
        bufferSeconds: Number(s3.buffering_interval ?? 300),
      };
    }),
    lambdas: all('aws_lambda_function').map((f) => ({ name: String(f.function_name), memoryMb: Number(f.memory_size ?? 128), arm: JSON.stringify(f.architectures ?? []).includes('arm64') })),
    bulkDataFiles: bulkDataFileDeliveries(names, environment, collectorStatements(stacks.filter((_, index) => names[index]!.endsWith('-collector')))),
    natGateways: all('aws_nat_gateway').length,
    s3GatewayEndpoint: all('aws_vpc_endpoint').some((e) => e.vpc_endpoint_type === 'Gateway' && String(e.service_name).endsWith('.s3')),
    interfaceEndpoints: all('aws_vpc_endpoint')
      .filter((e) => e.vpc_endpoint_type === 'Interface')
      .map((e) => ({ service: String(e.service_name).split('.').pop()!, azs: ((e.subnet_ids as unknown[] | undefined) ?? []).length })),
    instances: all('aws_launch_template').map((t) => ({
      type: String(t.instance_type),
      volumeGb: Number((t.block_device_mappings as Array<{ ebs: { volume_size: number } }>)[0]?.ebs.volume_size ?? 0),
      hoursPerDay: instanceHoursPerDay(all('aws_autoscaling_group'), all('aws_autoscaling_schedule')),
    })),
    alarms: all('aws_cloudwatch_metric_alarm').length,
    dashboards: all('aws_cloudwatch_dashboard').length,
    kmsKeys: all('aws_kms_key').length,
    crawlers: all('aws_glue_crawler').length,
    glueJobCapacityDpu: all('aws_glue_job').reduce((sum, job) => sum + Number(job.max_capacity ?? 0), 0),
    lifecycle: {
      rawToGlacierDays: ruleDays('raw-to-glacier', 'transition'),
      rawDataToGlacierDays: ruleDays('raw-data-to-glacier', 'transition'),
      errorsExpireDays: ruleDays('errors-expire', 'expiration'),
    },
    restApis: all('aws_api_gateway_rest_api').length,
  };
}

/** The statements of the collector stack's IAM policy documents (the role's permissions). */
function collectorStatements(collectorStacks: Json[]): PolicyStatement[] {
  return collectorStacks.flatMap((stack) =>
    Object.values(stack.data?.aws_iam_policy_document ?? {}).flatMap((document) => document.statement ?? []),
  );
}

/**
 * The delivery of each vendor data file, from what the synthesized collector role may do: infra grants
 * `s3:PutObject` on a data file's curated prefix only when its manifest says `direct` (decision 0018),
 * so the grant is the setting as deployed, not the manifest as it is now.
 */
function bulkDataFileDeliveries(stackNames: string[], environment: string, statements: PolicyStatement[]): DeploymentFacts['bulkDataFiles'] {
  const project = stackNames[0]!.slice(0, stackNames[0]!.indexOf(`-${environment}-`));
  const writable = statements.filter((s) => s.effect !== 'Deny' && (s.actions ?? []).includes('s3:PutObject')).flatMap((s) => s.resources ?? []);
  return vendorDatasets.map(({ dataFile: { dataset } }) => {
    const delivery: BulkDelivery = writable.some((resource) => resource.endsWith(`/${curatedLocation(dataset.name)}*`)) ? 'direct' : 'stream';
    return { dataset: dataset.name, stream: streamName(project, environment, dataset.name), delivery };
  });
}

/**
 * Hours a day the (single) Auto Scaling group runs an instance: from each scheduled action that sets a
 * capacity ≥ 1 to the next one that sets 0, over a day. Without scheduled actions, its minimum size
 * decides: always on, or never.
 * @throws Error on a recurrence that is not daily (`M H * * *`): the model would misprice it
 */
export function instanceHoursPerDay(groups: Array<Record<string, unknown>>, schedules: Array<Record<string, unknown>>): number {
  if (schedules.length === 0) return groups.some((g) => Number(g.min_size ?? 0) >= 1 || Number(g.desired_capacity ?? 0) >= 1) ? 24 : 0;
  const actions = schedules
    .map((a) => {
      const minute = minuteOfDailyCron(String(a.recurrence ?? ''));
      if (minute === undefined) throw new Error(`scheduled action ${String(a.scheduled_action_name)}: recurrence "${String(a.recurrence)}" is not daily (M H * * *)`);
      return { minute, running: Number(a.desired_capacity ?? 0) >= 1 };
    })
    .sort((a, b) => a.minute - b.minute);
  let minutes = 0;
  actions.forEach((action, index) => {
    if (!action.running) return;
    const stop = [...actions.slice(index + 1), ...actions.slice(0, index)].find((a) => !a.running);
    minutes += stop ? (stop.minute - action.minute + 1440) % 1440 || 1440 : 1440;
  });
  return Math.min(24, minutes / 60);
}
