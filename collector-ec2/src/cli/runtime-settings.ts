import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import path from 'node:path';
import { collectorLeaseKey, collectorLedgerKey, DEFAULT_DIRECT_PART_ROWS } from '@ingest-lake/shared';
import { FileLedgerStore, S3LedgerStore, type LedgerStore } from '../budget/ledger-store';
import type { CollectorManifest } from '../config/manifest';
import type { LeaseRecord } from '../lease/lease-decision';
import { CloudWatchHeaderDriftPublisher, type HeaderDriftPublisher } from '../metrics/header-drift-publisher';
import { CloudWatchSnapshotCompletionPublisher, type SnapshotCompletionPublisher } from '../metrics/snapshot-completion-publisher';
import { DEFAULT_LEASE_TTL_SECONDS } from '../lease/snapshot-lease';
import { DEFAULT_CHECKPOINT_EVERY_ROWS } from '../pipeline/csv-file-ingest';
import { FileStateStore, S3StateStore, type StateStore } from '../state/state-store';
import { CollectorError } from '../collector-error';

/** Options shared by every command, from flags with environment fallbacks. */
export interface CommonFlags {
  manifest: string;
  workDir?: string;
  lakeBucket?: string;
  stream?: string;
  vendorUrl?: string;
  ledger?: string;
  apiKeyParameter?: string;
  kinesisEndpoint?: string;
  s3Endpoint?: string;
  leaseTtl?: string;
  checkpointEveryRows?: string;
  metricsEnvironment?: string;
  directPartRows?: string;
}

/** Everything a command needs, parsed once at the edge (house rule 5). */
export interface RuntimeSettings {
  manifestPath: string;
  workDir: string;
  lakeBucket: string;
  streamName: string | undefined;
  vendorUrl: string | undefined;
  /** `file:<path>` or `s3` (the lake bucket, key state/collector/<dataset>/call-ledger.json). */
  ledger: string;
  /** SSM parameter holding the vendor API key; on EC2 the user data names the one the instance role may read. */
  apiKeyParameter: string | undefined;
  kinesisEndpoint: string | undefined;
  s3Endpoint: string | undefined;
  /** How long a snapshot's lease holds without renewal (renewed every third of it). @default 300 */
  leaseTtlSeconds: number;
  /** Data rows between checkpoints: the bound on rows re-sent after a kill. @default 200_000 */
  checkpointEveryRows: number;
  /**
   * The `Environment` dimension of the collector's CloudWatch metrics (vendor header drift, decision
   * 0016; snapshots completed, decision 0022); the EC2 user data sets it. @default none: no metric is put (local runs)
   */
  metricsEnvironment: string | undefined;
  /** With `bulk.dataFileDelivery: direct`: data rows per curated part, each one checkpoint. @default DEFAULT_DIRECT_PART_ROWS */
  directPartRows: number;
}

/** A CLI flag or its environment variable that does not validate; names both (`--ledger / COLLECTOR_LEDGER`). */
export class RuntimeSettingsError extends CollectorError {
  readonly code = 'RUNTIME_SETTINGS_INVALID';
  constructor(setting: string, problem: string) {
    super(`${setting}: ${problem}`);
    this.name = 'RuntimeSettingsError';
  }
}

export function runtimeSettings(flags: CommonFlags, env: Record<string, string | undefined>): RuntimeSettings {
  const lakeBucket = flags.lakeBucket ?? env.COLLECTOR_LAKE_BUCKET;
  if (!lakeBucket) throw new RuntimeSettingsError('--lake-bucket / COLLECTOR_LAKE_BUCKET', 'required');
  const workDir = path.resolve(flags.workDir ?? env.COLLECTOR_WORK_DIR ?? '/var/lib/ingest-collector');
  const apiKeyParameter = flags.apiKeyParameter ?? env.COLLECTOR_API_KEY_PARAMETER;
  if (apiKeyParameter !== undefined && !apiKeyParameter.startsWith('/')) {
    throw new RuntimeSettingsError('--api-key-parameter / COLLECTOR_API_KEY_PARAMETER', `expected an SSM parameter name starting with "/", got "${apiKeyParameter}"`);
  }
  const metricsEnvironment = flags.metricsEnvironment ?? env.COLLECTOR_METRICS_ENVIRONMENT;
  if (metricsEnvironment !== undefined && !/^[a-z][a-z0-9-]*$/.test(metricsEnvironment)) {
    throw new RuntimeSettingsError('--metrics-environment / COLLECTOR_METRICS_ENVIRONMENT', `expected an environment name (lower-case letters, digits, dashes), got "${metricsEnvironment}"`);
  }
  return {
    manifestPath: path.resolve(flags.manifest),
    workDir,
    lakeBucket,
    streamName: flags.stream ?? env.COLLECTOR_STREAM_NAME,
    vendorUrl: flags.vendorUrl ?? env.COLLECTOR_VENDOR_URL,
    ledger: flags.ledger ?? env.COLLECTOR_LEDGER ?? 's3',
    apiKeyParameter,
    kinesisEndpoint: flags.kinesisEndpoint ?? env.COLLECTOR_KINESIS_ENDPOINT,
    s3Endpoint: flags.s3Endpoint ?? env.COLLECTOR_S3_ENDPOINT,
    leaseTtlSeconds: numberSetting('--lease-ttl / COLLECTOR_LEASE_TTL_SECONDS', flags.leaseTtl ?? env.COLLECTOR_LEASE_TTL_SECONDS, DEFAULT_LEASE_TTL_SECONDS, { min: 1 }),
    checkpointEveryRows: numberSetting('--checkpoint-every-rows / COLLECTOR_CHECKPOINT_EVERY_ROWS', flags.checkpointEveryRows ?? env.COLLECTOR_CHECKPOINT_EVERY_ROWS, DEFAULT_CHECKPOINT_EVERY_ROWS, { min: 1, integer: true }),
    metricsEnvironment,
    directPartRows: numberSetting('--direct-part-rows / COLLECTOR_DIRECT_PART_ROWS', flags.directPartRows ?? env.COLLECTOR_DIRECT_PART_ROWS, DEFAULT_DIRECT_PART_ROWS, { min: 1, integer: true }),
  };
}

function numberSetting(setting: string, value: string | undefined, fallback: number, rule: { min: number; integer?: boolean }): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < rule.min || (rule.integer && !Number.isInteger(parsed))) {
    throw new RuntimeSettingsError(setting, `expected ${rule.integer ? 'an integer' : 'a number'} ≥ ${rule.min}, got "${value}"`);
  }
  return parsed;
}

/** `--wait-for-lease` as given: absent → 0 (refuse at once), bare → Infinity (as long as it takes), `=<seconds>` → that. */
export function waitForLeaseSeconds(value: boolean | string | undefined): number {
  if (value === undefined || value === false) return 0;
  if (value === true) return Number.POSITIVE_INFINITY;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new RuntimeSettingsError('--wait-for-lease', `expected seconds ≥ 0, got "${value}"`);
  return seconds;
}

/**
 * The manifest as this run uses it: the settings' vendor URL, stream and API key parameter replace
 * the manifest's defaults (the key then comes from SSM, whatever source the manifest named).
 */
export function withRuntimeOverrides(manifest: CollectorManifest, settings: RuntimeSettings): CollectorManifest {
  const auth = settings.apiKeyParameter ? { ...manifest.vendor.auth, source: { type: 'ssm' as const, parameter: settings.apiKeyParameter } } : manifest.vendor.auth;
  return {
    ...manifest,
    vendor: { ...manifest.vendor, baseUrl: settings.vendorUrl ?? manifest.vendor.baseUrl, auth },
    kinesis: { streamName: settings.streamName ?? manifest.kinesis.streamName },
  };
}

/** Custom endpoints (the local emulators) get HTTP/1.1 and path-style addressing; AWS gets defaults. */
export function createClients(settings: RuntimeSettings): { s3: S3Client; kinesis: KinesisClient } {
  const local = { requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 120_000 }) };
  const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const s3 = settings.s3Endpoint
    ? new S3Client({
        ...local,
        endpoint: settings.s3Endpoint,
        region: 'us-east-1',
        credentials: localCredentials,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      })
    : new S3Client({});
  const kinesis = settings.kinesisEndpoint
    ? new KinesisClient({ ...local, endpoint: settings.kinesisEndpoint, region: 'us-east-1', credentials: localCredentials })
    : new KinesisClient({});
  return { s3, kinesis };
}

/** Where `collect` reports header drift and a finished snapshot: named as `collectSnapshot`'s options take them. */
export interface MetricPublishers {
  headerDrift?: HeaderDriftPublisher;
  snapshotCompletion?: SnapshotCompletionPublisher;
}

/**
 * CloudWatch, through one client, when the settings name an environment (the EC2 user data does);
 * none otherwise (local runs: the events only).
 */
export function metricPublishers(settings: RuntimeSettings): MetricPublishers {
  if (settings.metricsEnvironment === undefined) return {};
  const client = new CloudWatchClient({});
  return {
    headerDrift: new CloudWatchHeaderDriftPublisher(client, settings.metricsEnvironment),
    snapshotCompletion: new CloudWatchSnapshotCompletionPublisher(client, settings.metricsEnvironment),
  };
}

export function ledgerStore(settings: RuntimeSettings, dataset: string, s3: S3Client): LedgerStore {
  if (settings.ledger.startsWith('file:')) return new FileLedgerStore(path.resolve(settings.ledger.slice('file:'.length)));
  if (settings.ledger === 's3') return new S3LedgerStore(s3, settings.lakeBucket, collectorLedgerKey(dataset));
  throw new RuntimeSettingsError('--ledger / COLLECTOR_LEDGER', `expected "s3" or "file:<path>", got "${settings.ledger}"`);
}

/**
 * A snapshot's lease lives where the call ledger does: `s3` → the lake's
 * `state/collector/<dataset>/snapshot=<date>/lease.json`; `file:<path>` → `leases/<dataset>/snapshot=<date>.json`
 * beside the ledger file (one machine only).
 */
export function leaseStore(settings: RuntimeSettings, dataset: string, snapshot: string, s3: S3Client): StateStore<LeaseRecord> {
  if (settings.ledger.startsWith('file:')) {
    const ledgerFile = path.resolve(settings.ledger.slice('file:'.length));
    return new FileStateStore<LeaseRecord>(path.join(path.dirname(ledgerFile), 'leases', dataset, `snapshot=${snapshot}.json`));
  }
  if (settings.ledger === 's3') return new S3StateStore<LeaseRecord>(s3, settings.lakeBucket, collectorLeaseKey(dataset, snapshot));
  throw new RuntimeSettingsError('--ledger / COLLECTOR_LEDGER', `expected "s3" or "file:<path>", got "${settings.ledger}"`);
}
