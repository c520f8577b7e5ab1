import type { MotoServer } from '@ingest-lake/local-emulators';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { forEachStackInOrder, readStacks, type SynthesizedStack } from '../../src/terraform/stack-manifest';
import { runTerraform } from '../../src/terraform/terraform-cli';
import { createStateBuckets, motoForTerraform, motoTerraformEnv, pointAtMoto } from './moto-environment';
import { destroyEnvironment, resourcesNamed } from './destroy-environment';
import { addressesToCreate, MOTO_CANNOT_DEPLOY, motoTargets, undeployableOnMoto } from './moto-gaps';
import { describeReadBack } from './read-back';
import { startSharedProviders, type SharedProviders } from './shared-provider';
import { synthesizeInto, terraformEnvironment } from './support';

/**
 * The deploy test: dev's synthesized stacks applied by Terraform to moto, in dependency order, with
 * state passed between stacks through the S3 backends exactly as in a deployment (the backend and every
 * terraform_remote_state keep bucket, key and locking, but talk to a state bucket in moto, in this
 * harness only). Then what exists is read back through the AWS SDK, a second plan of every stack must
 * show no changes (no perpetual diffs), and dev is destroyed leaving nothing. What moto cannot deploy
 * is named in moto-gaps.ts and docs/deploy.md, and still validated and planned.
 *
 * prod goes the way a commit goes, through the pipeline's own scripts (bootstrap.sh, plan.sh,
 * apply.sh, a second plan.sh), then is read back the same way: pipeline-scripts.test.ts. The two
 * suites run at once, each on its own moto (jest runs this package's suites on several workers).
 */

const ENV = 'dev';
const PREFIX = `ingest-lake-${ENV}-`;
/** Stacks applied at once (and so provider processes started). */
const CONCURRENCY = 3;

let moto: MotoServer;
let provider: SharedProviders | undefined;
let env: NodeJS.ProcessEnv;
let stacks: SynthesizedStack[] = [];
let cleanUp = () => undefined as void;
const applied: string[] = [];
const secondPlans = new Map<string, { exitCode: number; changes: string }>();
const plannedOnly = new Map<string, string>();

/** The resource lines of a plan that has changes (for the failure message). */
const changedResources = (planOutput: string) =>
  planOutput
    .split('\n')
    .filter((line) => /^\s+# .* (will be|must be)/.test(line) || /^\s+[~+-] /.test(line))
    .slice(0, 60)
    .join('\n');

beforeAll(async () => {
  env = terraformEnvironment();
  moto = motoForTerraform();
  const endpoint = await moto.start();
  env = motoTerraformEnv(env, endpoint);
  const synthesized = synthesizeInto([ENV]);
  cleanUp = synthesized.cleanUp;
  stacks = readStacks(synthesized.outdir, PREFIX);
  // The providers read their credentials and endpoints from their own environment: started with moto's.
  provider = await startSharedProviders(env, stacks.map((stack) => stack.dir), CONCURRENCY);
  env = { ...env, ...provider.env };
  for (const stack of stacks) pointAtMoto(stack, endpoint);
  await createStateBuckets(stacks, endpoint);
  await forEachStackInOrder(
    stacks,
    async (stack) => {
      await runTerraform(stack.dir, ['init', '-input=false'], env);
      const targets = motoTargets(stack);
      if (targets !== 'plan-only') {
        await runTerraform(stack.dir, ['apply', '-auto-approve', '-input=false', ...targets], env);
        applied.push(stack.name);
        const plan = await runTerraform(stack.dir, ['plan', '-detailed-exitcode', '-input=false', ...targets], env);
        secondPlans.set(stack.name, { exitCode: plan.exitCode, changes: changedResources(plan.stdout) });
      }
      if (targets === 'plan-only' || targets.length > 0)
        plannedOnly.set(stack.name, (await runTerraform(stack.dir, ['plan', '-input=false'], env)).stdout);
    },
    { concurrency: CONCURRENCY },
  );
}, 1_200_000);

afterAll(async () => {
  await provider?.stop();
  await moto?.stop();
  cleanUp();
});

describe('dev: apply in dependency order', () => {
  test('every stack applied (dev has no QuickSight stack: bi is off)', () => {
    expect([...applied].sort()).toEqual(stacks.map((s) => s.name).sort());
    expect(applied).toHaveLength(10);
  });

  test('every file a stack names (the Lambda zips) exists relative to its own stack folder, where a managed provider resolves it', () => {
    // The suite's shared providers run elsewhere (shared-provider.ts): this is what CodeBuild's Terraform would open.
    const named = stacks.flatMap((stack) =>
      [...readFileSync(path.join(stack.dir, 'cdk.tf.json'), 'utf8').matchAll(/"(?:filename|source)": "(assets\/[^"]+)"/g)].map((m) => ({ stack: stack.name, file: m[1]!, exists: existsSync(path.join(stack.dir, m[1]!)) })),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((file) => !file.exists)).toEqual([]);
  });

  test('a second plan of every stack shows no changes (no perpetual diffs)', () => {
    const drifting = [...secondPlans]
      .filter(([, plan]) => plan.exitCode !== 0)
      .map(([name, plan]) => `${name}:\n${plan.changes}`);
    expect(drifting).toEqual([]);
    expect(secondPlans.size).toBe(applied.length);
  });

  test('what moto cannot deploy is still planned: exactly those resources remain to create', () => {
    for (const [name, planOutput] of plannedOnly) {
      const stack = stacks.find((s) => s.name === name)!;
      const toCreate = addressesToCreate(planOutput);
      expect({ name, toCreate }).toEqual({ name, toCreate: undeployableOnMoto(stack).sort() });
    }
    // The pipeline stack is dev's only one with such resources (prod's bi: pipeline-scripts.test.ts).
    expect([...plannedOnly.keys()]).toEqual([`${PREFIX}pipeline`]);
    expect(Object.keys(MOTO_CANNOT_DEPLOY).length).toBeGreaterThan(0);
  });
});

describeReadBack(ENV, () => moto.endpoint);

describe('destroy', () => {
  test('dev destroys in reverse dependency order and leaves nothing behind', async () => {
    await destroyEnvironment(stacks, env, moto.endpoint, {
      lakeStack: `${PREFIX}lake`,
      buckets: [`${PREFIX}lake`, `${PREFIX}access-logs`],
    });
    expect(await resourcesNamed(moto.endpoint, PREFIX)).toEqual({ buckets: [], streams: [], roles: [] });
  }, 900_000);
});
