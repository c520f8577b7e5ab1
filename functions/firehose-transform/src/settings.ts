import { datasets } from '@ingest-lake/shared';
import type { TransformSettings } from './transform-record';

/** Raised at cold start when the function's environment is wrong; names the variable. */
export class SettingsError extends Error {
  constructor(variable: string, problem: string) {
    super(`environment variable ${variable}: ${problem}`);
    this.name = 'SettingsError';
  }
}

/**
 * Reads the transform's settings from its environment, once, at cold start.
 * - `DATASETS`: comma-separated datasets this delivery stream curates, or `*` (default `*`).
 * - `DEFAULT_DATASET`: dataset of plain JSON bodies (default `events`).
 */
export function settingsFromEnvironment(env: Record<string, string | undefined>): TransformSettings {
  const defaultDataset = env.DEFAULT_DATASET?.trim() || 'events';
  if (!datasets.has(defaultDataset)) throw new SettingsError('DEFAULT_DATASET', `unknown dataset "${defaultDataset}"`);
  const list = (env.DATASETS ?? '*').trim();
  if (list === '*' || list === '') return { defaultDataset, acceptedDatasets: 'all' };
  const names = list.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) {
    if (!datasets.has(name)) throw new SettingsError('DATASETS', `unknown dataset "${name}"`);
  }
  return { defaultDataset, acceptedDatasets: new Set(names) };
}
