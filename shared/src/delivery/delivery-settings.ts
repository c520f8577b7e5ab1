/**
 * The delivery path as one typed model: per streamed dataset, the Kinesis source, the transform
 * processor, the Firehose buffering, prefixes, formats and backup. Infra renders its Firehose
 * resources from it and the local runtime configures its delivery runners from it, so a setting
 * both sides have is written once (here, or in the environment config it is built from).
 */
import { z } from 'zod';
import { SharedError } from '../shared-error';
import { streamedDatasets } from '../datasets/registry';
import { events } from '../datasets/events';
import {
  FIREHOSE_BACKUP_ERROR_PREFIX,
  FIREHOSE_BACKUP_PREFIX,
  FIREHOSE_CURATED_PREFIX,
  FIREHOSE_ERROR_PREFIX,
} from '../lake/lake-layout';
import { streamName } from '../naming';

/** Builds the schema of the `delivery` section; see `deliverySettingsSchema`. */
function buildDeliverySettingsSchema() {
  return z.strictObject({
    /** Firehose S3 buffer; 60 s is the minimum with Parquet conversion / dynamic partitioning. */
    bufferIntervalSeconds: z.number().int().min(60).max(900),
    /** With format conversion Firehose needs ≥ 64 MB. */
    bufferSizeMb: z.number().int().min(64).max(128),
    /** Lambda processor buffer (Firehose allows 0.2–3 MB). */
    lambdaBufferSizeMb: z.number().min(0.2).max(3),
    lambdaBufferIntervalSeconds: z.number().int().min(0).max(900),
  });
}

let schema: ReturnType<typeof buildDeliverySettingsSchema> | undefined;

/**
 * The zod schema of the `delivery` section of an environment config (`infra/config/<env>.json`).
 * Infra's config schema uses it for that field, and the local runtime reads the same section of the
 * same file through it. Built on first use: the transform bundle imports this package, and a schema
 * built at import would put zod (≈ 470 KB) into every Lambda bundle.
 */
export function deliverySettingsSchema(): ReturnType<typeof buildDeliverySettingsSchema> {
  return (schema ??= buildDeliverySettingsSchema());
}

export type DeliverySettings = z.infer<ReturnType<typeof buildDeliverySettingsSchema>>;

/** A `delivery` section (or the names around it) that does not validate; names the source and every field at fault. */
export class DeliverySettingsError extends SharedError {
  readonly code = 'DELIVERY_SETTINGS_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`config ${source}: ${problems.join('; ')}`, options);
    this.name = 'DeliverySettingsError';
  }
}

/** Validates a `delivery` section; `source` names where it came from in the error. */
export function parseDeliverySettings(value: unknown, source: string): DeliverySettings {
  const parsed = deliverySettingsSchema().safeParse(value);
  if (!parsed.success) {
    throw new DeliverySettingsError(source, parsed.error.issues.map((issue) => `${['delivery', ...issue.path].join('.')}: ${issue.message}`));
  }
  return parsed.data;
}

/** What the delivery model is built from: plain values of an environment config. */
export interface DeliveryInputs {
  /** `project` of the environment config (first part of every name). */
  project: string;
  /** `environment` of the environment config. */
  environment: string;
  /** The `delivery` section, already validated by `deliverySettingsSchema`. */
  delivery: DeliverySettings;
}

/**
 * Picks and validates what the delivery model needs from a whole parsed environment config (the
 * other sections belong to infra, which validates them): `project`, `environment`, `delivery`.
 */
export function parseDeliveryInputs(config: unknown, source: string): DeliveryInputs {
  const { project, environment, delivery } = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof project !== 'string') problems.push('project: expected a string');
  if (typeof environment !== 'string') problems.push('environment: expected a string');
  if (problems.length > 0) throw new DeliverySettingsError(source, problems);
  return { project: project as string, environment: environment as string, delivery: parseDeliverySettings(delivery, source) };
}

/** Parquet compression codecs of Firehose's ParquetSerDe. */
export type ParquetCompression = 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
/** S3 compression formats of a Firehose destination or backup. */
export type S3CompressionFormat = 'UNCOMPRESSED' | 'GZIP' | 'ZIP' | 'Snappy' | 'HADOOP_SNAPPY';

/** The Lambda processor of a delivery stream: the transform function and Firehose's processor parameters. */
export interface TransformProcessorSettings {
  /** `<project>-<env>-transform-<dataset with dashes>`. */
  functionName: string;
  /** The function's environment: which datasets it curates and how it reports. */
  environment: Readonly<Record<string, string>>;
  /** Function timeout; an invocation that runs longer fails with Lambda.Timeout. */
  timeoutSeconds: number;
  /** Processor parameter BufferSizeInMBs: most source bytes per invocation. */
  bufferSizeMb: number;
  /** Processor parameter BufferIntervalInSeconds. */
  bufferIntervalSeconds: number;
  /** Processor parameter NumberOfRetries: a failed invocation is tried 1 + this many times. */
  numberOfRetries: number;
  /** Error output type (folder under the error prefix) of records the processor failed or returned as ProcessingFailed. */
  errorOutputType: string;
}

/** The curated destination: buffering, dynamic-partitioning prefix, error prefix, Parquet. */
export interface CuratedDestinationSettings {
  /** The lake bucket: `<project>-<env>-lake`. */
  bucketName: string;
  bufferIntervalSeconds: number;
  bufferSizeMb: number;
  /** Object prefix with the transform's partition keys (`!{partitionKeyFromLambda:…}`). */
  prefix: string;
  /** Prefix of failed records, by `!{firehose:error-output-type}`. */
  errorOutputPrefix: string;
  /** Record format conversion JSON → Parquet against the dataset's Glue table. */
  parquetCompression: ParquetCompression;
}

/** Dynamic partitioning: the keys the transform returns and what becomes of a record without them. */
export interface DynamicPartitioningSettings {
  /** Keys the curated prefix reads from the transform's `metadata.partitionKeys`. */
  partitionKeys: readonly string[];
  /** How long Firehose retries an S3 delivery before the records go to the error prefix. */
  retryDurationSeconds: number;
  /**
   * Error output type of an `Ok` record whose partition keys do not fill the prefix: Firehose writes it
   * under the error prefix as an error record (it never invents a partition).
   */
  missingKeysErrorOutputType: string;
}

/** Source backup: every Kinesis record as it arrived. */
export interface SourceBackupSettings {
  prefix: string;
  errorOutputPrefix: string;
  bufferIntervalSeconds: number;
  bufferSizeMb: number;
  compression: S3CompressionFormat;
}

/** One delivery stream (decision 0005: one per streamed dataset), as deployed. */
export interface DeliveryStreamSettings {
  /** The streamed dataset it curates. */
  dataset: string;
  /** Firehose delivery stream name: `<project>-<env>-<dataset with dashes>`. */
  deliveryStreamName: string;
  /** Kinesis stream it reads (`streamName`). */
  sourceStreamName: string;
  processor: TransformProcessorSettings;
  destination: CuratedDestinationSettings;
  dynamicPartitioning: DynamicPartitioningSettings;
  backup: SourceBackupSettings;
}

/** Settings of the deployment that no environment config changes (each a decision, not a default by accident). */
export const DELIVERY_CONSTANTS = {
  /** Firehose's default (the developer guide: "retries the invocation three times by default"). */
  processorRetries: 3,
  /** The transform's timeout: Firehose allows 5 minutes; 1 minute bounds retries. */
  transformTimeoutSeconds: 60,
  /** Firehose's own default for dynamic partitioning's S3 retry. */
  partitioningRetryDurationSeconds: 300,
  /** The smallest backup buffer: raw-data/ objects stay small and arrive quickly. */
  backupBufferSizeMb: 5,
  parquetCompression: 'SNAPPY',
  backupCompression: 'GZIP',
  /** The folder Firehose writes records to when the Lambda processor fails them. */
  processingFailedErrorOutputType: 'processing-failed',
  /** The folder Firehose writes records to when their partition keys are missing (aws-cdk's dynamic-partitioning integration test asserts it). */
  missingKeysErrorOutputType: 'partitioning-failed',
  metricsNamespace: 'IngestLake',
} as const;

/** The keys `FIREHOSE_CURATED_PREFIX` reads from the transform, in order. */
function prefixPartitionKeys(prefix: string): string[] {
  return [...prefix.matchAll(/!\{partitionKeyFromLambda:([^}]+)\}/g)].map((match) => match[1]!);
}

/**
 * The delivery streams of an environment, one per streamed dataset, built from its config's plain
 * values. Infra synthesizes exactly these; the local runtime runs exactly these, with only the
 * differences its README lists applied on top.
 */
export function deliveryStreamSettings(inputs: DeliveryInputs): DeliveryStreamSettings[] {
  const delivery = parseDeliverySettings(inputs.delivery, `${inputs.project}/${inputs.environment}`);
  return streamedDatasets.map((dataset) => {
    const sourceStreamName = streamName(inputs.project, inputs.environment, dataset.name);
    const suffix = dataset.name.replace(/_/g, '-');
    return {
      dataset: dataset.name,
      deliveryStreamName: `${inputs.project}-${inputs.environment}-${suffix}`,
      sourceStreamName,
      processor: {
        functionName: `${inputs.project}-${inputs.environment}-transform-${suffix}`,
        environment: {
          DATASETS: dataset.name,
          // An HTTP event carries no pack header: it belongs to the events dataset.
          DEFAULT_DATASET: events.name,
          POWERTOOLS_SERVICE_NAME: `transform-${suffix}`,
          POWERTOOLS_METRICS_NAMESPACE: DELIVERY_CONSTANTS.metricsNamespace,
        },
        timeoutSeconds: DELIVERY_CONSTANTS.transformTimeoutSeconds,
        bufferSizeMb: delivery.lambdaBufferSizeMb,
        bufferIntervalSeconds: delivery.lambdaBufferIntervalSeconds,
        numberOfRetries: DELIVERY_CONSTANTS.processorRetries,
        errorOutputType: DELIVERY_CONSTANTS.processingFailedErrorOutputType,
      },
      destination: {
        bucketName: `${inputs.project}-${inputs.environment}-lake`,
        bufferIntervalSeconds: delivery.bufferIntervalSeconds,
        bufferSizeMb: delivery.bufferSizeMb,
        prefix: FIREHOSE_CURATED_PREFIX,
        errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
        parquetCompression: DELIVERY_CONSTANTS.parquetCompression,
      },
      dynamicPartitioning: {
        partitionKeys: prefixPartitionKeys(FIREHOSE_CURATED_PREFIX),
        retryDurationSeconds: DELIVERY_CONSTANTS.partitioningRetryDurationSeconds,
        missingKeysErrorOutputType: DELIVERY_CONSTANTS.missingKeysErrorOutputType,
      },
      backup: {
        prefix: FIREHOSE_BACKUP_PREFIX,
        errorOutputPrefix: FIREHOSE_BACKUP_ERROR_PREFIX,
        bufferIntervalSeconds: delivery.bufferIntervalSeconds,
        bufferSizeMb: DELIVERY_CONSTANTS.backupBufferSizeMb,
        compression: DELIVERY_CONSTANTS.backupCompression,
      },
    };
  });
}
