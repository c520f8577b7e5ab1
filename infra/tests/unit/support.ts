import { Testing, type App, type TerraformStack } from 'cdktf';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildEnvironment, type EnvironmentStacks } from '../../src/app';
import { loadEnvironmentConfig, parseEnvironmentConfig, type EnvironmentConfig } from '../../src/config/environment-config';
import { lambdaBundle } from '../../src/constructs/bundled-function';
import { TRANSFORM_DIST } from '../../src/stacks/delivery-stack';

const apps: App[] = [];

/** Builds one environment in a Testing app (the real transform bundle must be built: turbo runs build first). */
export function environment(name: string, override: (config: EnvironmentConfig) => EnvironmentConfig = (c) => c): EnvironmentStacks {
  const app = Testing.app();
  apps.push(app);
  const config = parseEnvironmentConfig(override(loadEnvironmentConfig(name)), `${name} (test)`);
  return buildEnvironment(app, config, { transformBundle: lambdaBundle(TRANSFORM_DIST) });
}

/** Synthesized JSON of a stack, with the policy validations run. */
export function synth(stack: TerraformStack): Record<string, Record<string, Record<string, Record<string, unknown>>>> {
  return JSON.parse(Testing.synth(stack, true)) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
}

/** All resources of a type in a synthesized stack. */
export function resources(json: ReturnType<typeof synth>, type: string): Array<Record<string, unknown>> {
  return Object.values(json.resource?.[type] ?? {});
}

/** Testing.app() leaves a folder per app in the temp dir. */
export function cleanUpApps(): void {
  for (const app of apps.splice(0)) rmSync(path.resolve(app.outdir), { recursive: true, force: true });
}
