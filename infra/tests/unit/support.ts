import { Testing, type App, type TerraformStack } from 'cdktf';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildEnvironment, type EnvironmentStacks } from '../../src/app';
import { loadEnvironmentConfig, parseEnvironmentConfig, type EnvironmentConfig } from '../../src/config/environment-config';
import { lambdaBundle } from '../../src/constructs/bundled-function';
import { TRANSFORM_DIST } from '../../src/stacks/delivery-stack';

const apps: App[] = [];
/** Environments built as configured, once per test file: building and synthesizing are read-only. */
const asConfigured = new Map<string, EnvironmentStacks>();
const synthesized = new WeakMap<TerraformStack, string>();

/**
 * Builds one environment in a Testing app (the real transform bundle must be built: turbo runs build
 * first). Without an override the same stacks are returned to every caller of the file.
 */
export function environment(name: string, override?: (config: EnvironmentConfig) => EnvironmentConfig): EnvironmentStacks {
  if (!override && asConfigured.has(name)) return asConfigured.get(name)!;
  const app = Testing.app();
  apps.push(app);
  const loaded = loadEnvironmentConfig(name);
  const config = parseEnvironmentConfig(override ? override(loaded) : loaded, `${name} (test)`);
  const stacks = buildEnvironment(app, config, { transformBundle: lambdaBundle(TRANSFORM_DIST) });
  if (!override) asConfigured.set(name, stacks);
  return stacks;
}

/** Synthesized JSON of a stack, with the policy validations run (each stack synthesized once; a fresh copy each call). */
export function synth(stack: TerraformStack): Record<string, Record<string, Record<string, Record<string, unknown>>>> {
  let text = synthesized.get(stack);
  if (text === undefined) {
    text = Testing.synth(stack, true);
    synthesized.set(stack, text);
  }
  return JSON.parse(text) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
}

/** All resources of a type in a synthesized stack. */
export function resources(json: ReturnType<typeof synth>, type: string): Array<Record<string, unknown>> {
  return Object.values(json.resource?.[type] ?? {});
}

/** Testing.app() leaves a folder per app in the temp dir. */
export function cleanUpApps(): void {
  for (const app of apps.splice(0)) rmSync(path.resolve(app.outdir), { recursive: true, force: true });
  asConfigured.clear();
}
