import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { deliverySettingsSchema, streamedDatasets } from '@ingest-lake/shared';
import { InfraError } from '../infra-error';

/**
 * Interface endpoints something in the VPC uses (the collector is its only workload; audit in
 * docs/decisions/0014-prod-cost-and-the-collector-window.md). Not offered, because nothing calls them:
 * `sts` (the instance takes its credentials from IMDS and assumes no role), `secretsmanager` (the
 * vendor key is a Parameter Store SecureString), `logs` (no agent or SDK on the instance writes to
 * CloudWatch Logs; the collector logs to the journal). `ec2messages` is SSM Agent's fallback: Run
 * Command reaches agents ≥ 3.3.40 (AL2023 ships newer) through `ssmmessages` whenever it is reachable.
 */
export const INTERFACE_ENDPOINT_SERVICES = ['kinesis-streams', 'ssm', 'ssmmessages', 'ec2messages', 'monitoring'] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

/** How long a stream keeps its records: 24 h (what a shard-hour includes) up to a year. */
const retentionHoursSchema = z.number().int().min(24).max(8760);

/** The datasets that have a stream (events and each vendor data file), which a retention may name. */
const STREAMED_DATASET_NAMES = streamedDatasets.map((dataset) => dataset.name);

/**
 * Retention of every stream, and of chosen ones. A stream is replayable for its retention after a
 * Firehose outage; what else can replay its records decides how much it needs (docs/cost.md: each
 * hour beyond 24 costs a shard-hour of its own on a provisioned stream).
 */
const streamRetentionFields = {
  /** Every stream's retention, unless `retentionHoursByDataset` names its dataset. */
  retentionHours: retentionHoursSchema,
  /** Per streamed dataset (`events`, `app_market_daily`), overriding `retentionHours` for its stream. @default none */
  retentionHoursByDataset: z
    .strictObject(Object.fromEntries(STREAMED_DATASET_NAMES.map((name) => [name, retentionHoursSchema.optional()])), {
      error: (issue) =>
        issue.code === 'unrecognized_keys' ? `not a streamed dataset: ${issue.keys.map((key) => `"${key}"`).join(', ')} (expected one of ${STREAMED_DATASET_NAMES.join(', ')})` : undefined,
    })
    .optional(),
};

/** Per-environment settings of the deployment, validated at load (errors name the file and field). */
export const environmentConfigSchema = z.strictObject({
  project: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/),
  environment: z.string().regex(/^[a-z][a-z0-9]{1,9}$/),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
  owner: z.string().min(1),
  costCentre: z.string().min(1),
  /**
   * Terraform state belongs to the platform team: an S3 backend they own, one key per stack. Every
   * environment the pipeline deploys uses it (a build container keeps no files); `local` (state beside
   * `cdktf.out/`) is for a personal sandbox deployed from one machine.
   */
  backend: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('local') }),
    z.strictObject({
      type: z.literal('s3'),
      bucket: z.string().min(3),
      keyPrefix: z.string().min(1),
      region: z.string(),
      /** S3-native state locking (Terraform ≥ 1.10); set false only with a DynamoDB table. */
      useLockfile: z.boolean().default(true),
      dynamodbTable: z.string().optional(),
    }),
  ]),
  network: z.strictObject({
    cidr: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/(1[6-9]|2[0-4])$/),
    azCount: z.number().int().min(2).max(4),
    /** NAT for non-AWS egress (the vendor API): one shared, or one per AZ; `none` is refused while the collector is deployed. */
    natGateways: z.enum(['none', 'single', 'per-az']),
    /**
     * Interface endpoints, in the private subnets of the AZs with a NAT gateway (where the collector
     * runs). A service without one is reached through the NAT: TLS and SigV4 either way, at $0.059/GB
     * instead of $0.013 per endpoint-AZ-hour + $0.01/GB.
     */
    interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINT_SERVICES)).refine((list) => new Set(list).size === list.length, 'each service once'),
  }),
  lake: z.strictObject({
    rawToGlacierDays: z.number().int().min(1),
    rawDataToGlacierDays: z.number().int().min(1),
    errorsExpireDays: z.number().int().min(1),
    noncurrentVersionsExpireDays: z.number().int().min(1),
  }),
  streaming: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('on-demand'), ...streamRetentionFields }),
    /** `shardCount` is the initial count: the shard scaler changes it later, and Terraform ignores that difference. */
    z.strictObject({ mode: z.literal('provisioned'), shardCount: z.number().int().min(1), ...streamRetentionFields }),
  ]),
  delivery: deliverySettingsSchema(),
  ingestApi: z.strictObject({
    throttleRatePerSecond: z.number().positive(),
    throttleBurst: z.number().int().positive(),
    monthlyQuota: z.number().int().positive(),
  }),
  analytics: z.strictObject({ bytesScannedCutoffPerQuery: z.number().int().min(10_485_760) }),
  collector: z.strictObject({
    instanceType: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/),
    largestBulkFileGb: z.number().positive(),
    /** Lake-bucket prefix of the collector releases, `<prefix>releases/<sha256>/` (published by apply.sh before the collector stack; decision 0009). */
    artifactPrefix: z.string().regex(/^([a-z0-9-]+\/)+$/),
    /**
     * The instance runs only around its timers (the manifests' `schedule.onCalendar`): scheduled
     * actions start it `leadMinutes` before a timer fires (boot, Node.js, release sync, timer enabled)
     * and stop it `runWindowMinutes` after. The window must hold the longest run (docs/cost.md).
     */
    instanceWindow: z.strictObject({ leadMinutes: z.number().int().min(10).max(120), runWindowMinutes: z.number().int().min(30).max(1200) }),
  }),
  monitoring: z.strictObject({ alarmEmail: z.email().optional() }),
  pipeline: z.strictObject({ connectionArn: z.string().startsWith('arn:'), repository: z.string().includes('/'), branch: z.string().min(1) }),
  bi: z.strictObject({
    enabled: z.boolean(),
    /** The QuickSight user or group the datasets, analysis and dashboard are shared with. */
    quicksightPrincipalArn: z.string().startsWith('arn:').optional(),
    /**
     * Path and name of the IAM role QuickSight uses for Athena and S3 in this account: the lake's
     * bucket and key policies let it read curated/ and the error output, and read and write Athena's
     * results (provider 5.100 cannot give an Athena data source a role of its own). @default QuickSight's own service role
     */
    quicksightServiceRole: z
      .string()
      .regex(/^([\w+=,.@-]+\/)*[\w+=,.@-]+$/)
      .default('service-role/aws-quicksight-service-role-v0'),
  }),
});

export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;

export class ConfigError extends InfraError {
  readonly code = 'CONFIG_INVALID';
  constructor(source: string, problems: string[], options?: ErrorOptions) {
    super(`config ${source}: ${problems.join('; ')}`, options);
    this.name = 'ConfigError';
  }
}

/** Validates a parsed config object. */
export function parseEnvironmentConfig(value: unknown, source: string): EnvironmentConfig {
  const parsed = environmentConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(source, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  if (parsed.data.bi.enabled && !parsed.data.bi.quicksightPrincipalArn) {
    throw new ConfigError(source, ['bi.quicksightPrincipalArn: required when bi.enabled']);
  }
  // The collector is always deployed, and its only route to the vendor API is a NAT gateway.
  if (parsed.data.network.natGateways === 'none') {
    throw new ConfigError(source, ['network.natGateways: "none" leaves the collector no route to the vendor API; use "single" or "per-az"']);
  }
  return parsed.data;
}

export const CONFIG_DIR = path.resolve(__dirname, '../../config');

/** Loads `infra/config/<environment>.json`. */
export function loadEnvironmentConfig(environment: string): EnvironmentConfig {
  const file = path.join(CONFIG_DIR, `${environment}.json`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(file, [(error as Error).message], { cause: error });
  }
  return parseEnvironmentConfig(value, file);
}

/** How long the stream of a streamed dataset keeps its records: its `retentionHoursByDataset` entry, else `retentionHours`. */
export function streamRetentionHours(config: EnvironmentConfig, dataset: string): number {
  return config.streaming.retentionHoursByDataset?.[dataset] ?? config.streaming.retentionHours;
}

/** `<project>-<environment>-<name>`: every resource name. */
export function resourceName(config: EnvironmentConfig, name: string): string {
  return `${config.project}-${config.environment}-${name}`;
}
