import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  appMarket,
  DeliverySettingsError,
  deliveryStreamSettings,
  events,
  parseDeliveryInputs,
  type DeliveryInputs,
  type DeliveryStreamSettings,
} from '@ingest-lake/shared';
import { LocalRuntimeError } from './local-runtime-error';
import { REPO_PATHS } from './repo-paths';

/**
 * Where the local stack differs from what the stacks deploy, on purpose. Each field is one difference,
 * applied on top of the deployed settings (never a second copy of them); the README lists each with
 * its reason.
 */
export interface LocalOverrides {
  /**
   * Firehose waits run this many times faster than deployed: at 60, the deployed 60 s buffer
   * interval is 1 s here, and a config of 300 s is 5 s. A deployed minute per delivery would make
   * `npm start` and every suite wait a minute for each delivery.
   */
  timeScale: number;
  /** Shards per stream: on-demand streams in AWS size themselves; two keep kinesalite light and still exercise multi-shard reads. */
  shardsPerStream: number;
}

/** The overrides `npm start`, `local up` and the suites use unless told otherwise. */
export const DEFAULT_LOCAL_OVERRIDES: Readonly<LocalOverrides> = { timeScale: 60, shardsPerStream: 2 };

/** One delivery stream as the local runner runs it: the deployed settings, and what the overrides make of them. */
export interface LocalDeliveryStream {
  /** Exactly what infra deploys for this stream (the shared delivery model of the environment config). */
  settings: DeliveryStreamSettings;
  /** `settings.destination.bufferIntervalSeconds` on the local time scale. */
  bufferIntervalMs: number;
}

/** The deployment the local stack stands in for. */
export interface LocalDeployment {
  /** The config file (or other source) the settings came from, for messages. */
  source: string;
  project: string;
  environment: string;
  /** The lake bucket every delivery stream writes to. */
  bucketName: string;
  /** One per streamed dataset, named and configured as deployed. */
  streams: LocalDeliveryStream[];
  /** The stream API Gateway puts HTTP events on (the ingest API stack's stream). */
  ingestStreamName: string;
  /** The stream the collector puts vendor rows on (the collector stack's stream). */
  collectorStreamName: string;
  overrides: LocalOverrides;
}

/** Raised when an override is out of range; names the override. */
export class LocalOverrideError extends LocalRuntimeError {
  readonly code = 'LOCAL_OVERRIDE_OUT_OF_RANGE';
  constructor(name: keyof LocalOverrides, value: number) {
    super(`local override ${name}: expected a number > 0, got ${value}`);
    this.name = 'LocalOverrideError';
  }
}

/** The deployment of `inputs` (an environment config's plain values) with the local overrides on top. Pure. */
export function localDeployment(inputs: DeliveryInputs, source: string, overrides: Partial<LocalOverrides> = {}): LocalDeployment {
  const applied = { ...DEFAULT_LOCAL_OVERRIDES, ...overrides };
  for (const name of ['timeScale', 'shardsPerStream'] as const) {
    if (!(applied[name] > 0)) throw new LocalOverrideError(name, applied[name]);
  }
  if (!Number.isInteger(applied.shardsPerStream)) throw new LocalOverrideError('shardsPerStream', applied.shardsPerStream);
  const streams = deliveryStreamSettings(inputs).map((settings) => ({
    settings,
    bufferIntervalMs: Math.round((settings.destination.bufferIntervalSeconds * 1000) / applied.timeScale),
  }));
  const sourceOf = (dataset: string) => streams.find((s) => s.settings.dataset === dataset)!.settings.sourceStreamName;
  return {
    source,
    project: inputs.project,
    environment: inputs.environment,
    bucketName: streams[0]!.settings.destination.bucketName,
    streams,
    ingestStreamName: sourceOf(events.name),
    collectorStreamName: sourceOf(appMarket.dataFile.dataset.name),
    overrides: applied,
  };
}

export interface LoadLocalDeploymentOptions {
  /** Environment whose config the stacks are synthesized from: `infra/config/<environment>.json`. @default dev */
  environment?: string;
  /** A config file to read instead (same shape as `infra/config/*.json`). */
  configFile?: string;
  overrides?: Partial<LocalOverrides>;
}

/**
 * Reads the environment config the stacks are synthesized from (only `project`, `environment` and
 * `delivery`, through the shared schema; infra validates the rest) and returns the local deployment.
 */
export function loadLocalDeployment(options: LoadLocalDeploymentOptions = {}): LocalDeployment {
  const file = options.configFile ?? path.join(REPO_PATHS.infraConfigDir, `${options.environment ?? 'dev'}.json`);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DeliverySettingsError(file, [(error as Error).message], { cause: error });
  }
  return localDeployment(parseDeliveryInputs(config, file), file, options.overrides);
}

/** What a test may change to run one delivery stream on its own (another source, name or bucket, other buffers). */
export interface DeliveryStreamChanges {
  deliveryStreamName?: string;
  sourceStreamName?: string;
  bucketName?: string;
  bufferIntervalMs?: number;
  bufferSizeMb?: number;
}

/** The same delivery stream with a few changes, for suites that run a runner against their own stream and bucket. */
export function changeDeliveryStream(stream: LocalDeliveryStream, changes: DeliveryStreamChanges): LocalDeliveryStream {
  const { settings } = stream;
  return {
    settings: {
      ...settings,
      deliveryStreamName: changes.deliveryStreamName ?? settings.deliveryStreamName,
      sourceStreamName: changes.sourceStreamName ?? settings.sourceStreamName,
      destination: {
        ...settings.destination,
        bucketName: changes.bucketName ?? settings.destination.bucketName,
        bufferSizeMb: changes.bufferSizeMb ?? settings.destination.bufferSizeMb,
      },
    },
    bufferIntervalMs: changes.bufferIntervalMs ?? stream.bufferIntervalMs,
  };
}
