import { datasets } from '@ingest-lake/shared';
import { FirehoseTransformError } from './firehose-transform-error';
import { DEFAULT_EVENT_TIME_WINDOW } from './http-event-envelope';
import type { TransformSettings } from './transform-record';

/** Raised at cold start when the function's environment is wrong; names the variable. */
export class TransformEnvironmentError extends FirehoseTransformError {
  readonly code = 'TRANSFORM_ENVIRONMENT_INVALID';
  constructor(variable: string, problem: string) {
    super(`environment variable ${variable}: ${problem}`);
    this.name = 'TransformEnvironmentError';
  }
}

/**
 * Reads the transform's settings from its environment, once, at cold start.
 * - `DATASETS`: comma-separated datasets this delivery stream curates, or `*` (default `*`).
 * - `DEFAULT_DATASET`: dataset of plain JSON bodies (default `events`).
 * - `EVENT_MAX_AGE_HOURS`, `EVENT_MAX_LEAD_SECONDS`: how far a client's own `event_time` may lie
 *   before / after the record's arrival (default 168 h and 300 s); outside, the event fails with
 *   `event_time_out_of_range`.
 */
export function settingsFromEnvironment(env: Record<string, string | undefined>): TransformSettings {
  const defaultDataset = env.DEFAULT_DATASET?.trim() || 'events';
  if (!datasets.has(defaultDataset)) throw new TransformEnvironmentError('DEFAULT_DATASET', `unknown dataset "${defaultDataset}"`);
  const eventTimeWindow = {
    maxAgeMillis: positiveNumber(env, 'EVENT_MAX_AGE_HOURS', DEFAULT_EVENT_TIME_WINDOW.maxAgeMillis / 3_600_000) * 3_600_000,
    maxLeadMillis: positiveNumber(env, 'EVENT_MAX_LEAD_SECONDS', DEFAULT_EVENT_TIME_WINDOW.maxLeadMillis / 1000) * 1000,
  };
  const list = (env.DATASETS ?? '*').trim();
  if (list === '*' || list === '') return { defaultDataset, acceptedDatasets: 'all', eventTimeWindow };
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!datasets.has(name)) throw new TransformEnvironmentError('DATASETS', `unknown dataset "${name}"`);
  }
  return { defaultDataset, acceptedDatasets: new Set(names), eventTimeWindow };
}

function positiveNumber(env: Record<string, string | undefined>, variable: string, fallback: number): number {
  const text = env[variable]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new TransformEnvironmentError(variable, `expected a positive number, got "${text}"`);
  return value;
}
