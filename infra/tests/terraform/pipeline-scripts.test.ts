import { GetJobRunsCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MotoServer } from '@ingest-lake/local-emulators';
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectorRelease } from '../../src/stacks/collector-stack';
import type { PlanSummary } from '../../src/terraform/plan-summary';
import type { PlanManifest } from '../../src/terraform/pipeline-cli';
import { readStacks, type SynthesizedStack } from '../../src/terraform/stack-manifest';
import { runTerraform } from '../../src/terraform/terraform-cli';
import { createStateBuckets, motoForTerraform, motoTerraformEnv, pointAtMoto } from './moto-environment';
import { addressesToCreate, motoTargets, undeployableOnMoto } from './moto-gaps';
import { describeReadBack, MOTO_REGION, motoClientConfig } from './read-back';
import { startSharedProviders, type SharedProviders } from './shared-provider';
import { synthesizeInto, terraformEnvironment } from './support';

/**
 * The delivery pipeline's own scripts, run as CodeBuild runs them, against moto, on prod (the
 * environment behind the approval gate): the one-time bootstrap.sh (a first deploy cannot be planned
 * ahead), then plan.sh (two stacks new, one role policy changed by hand), apply.sh of exactly those
 * saved plans, and a second plan.sh that must report no changes (no perpetual diffs); then what the
 * pipeline deployed is read back through the AWS SDK. dev is applied, read back, re-planned and
 * destroyed with Terraform directly by deploy-moto.test.ts; the two suites run at once, each on its
 * own moto.
 * The scripts know nothing of moto: two generic hooks carry it — INGEST_TF_OVERRIDE_DIR (the
 * `moto_override.tf.json` the deploy harness writes, copied beside each stack) and
 * INGEST_TF_TARGETS_DIR (the resources moto can create, moto-gaps.ts). Then the refusals: the same
 * saved plans applied twice ("Saved plan is stale"), and a downstream plan whose upstream outputs
 * changed under it (real Terraform, builtin resources only).
 */

const REPO = path.resolve(__dirname, '../../..');
const SCRIPTS = path.join(REPO, 'infra', 'pipeline');
// prod: the environment behind the approval gate (dev's deploy test is deploy-moto.test.ts).
const ENV = 'prod';
const PREFIX = `ingest-lake-${ENV}-`;
const ACCOUNT = '123456789012'; // moto's
// Three at once: a bootstrap wave holds up to three stacks, and much of an apply waits on provider waiters.
const CONCURRENCY = 3;

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs one pipeline script with bash, as the buildspecs do. */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(SCRIPTS, script), ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({ code, stdout, stderr, seconds: Math.round((Date.now() - started) / 1000) }),
    );
  });
}

const tail = (text: string) => text.split('\n').slice(-40).join('\n');

describe('bootstrap, then plan.sh → apply.sh → plan.sh on the prod environment, against moto', () => {
  let moto: MotoServer;
  let provider: SharedProviders | undefined;
  let work: string;
  let scriptEnv: NodeJS.ProcessEnv;
  let stacks: SynthesizedStack[] = [];
  let cleanUpSynth = () => undefined as void;
  const aws = () => motoClientConfig(moto.endpoint);

  beforeAll(async () => {
    const terraformEnv = terraformEnvironment();
    moto = motoForTerraform();
    const endpoint = await moto.start();
    work = mkdtempSync(path.join(os.tmpdir(), 'ingest-pipeline-scripts-'));
    // The override and target files are made from the same synth plan.sh makes (same app, same config).
    const synthesized = synthesizeInto([ENV]);
    cleanUpSynth = synthesized.cleanUp;
    stacks = readStacks(synthesized.outdir, PREFIX);
    for (const stack of stacks) {
      pointAtMoto(stack, endpoint);
      mkdirSync(path.join(work, 'overrides', stack.name), { recursive: true });
      copyFileSync(
        path.join(stack.dir, 'moto_override.tf.json'),
        path.join(work, 'overrides', stack.name, 'moto_override.tf.json'),
      );
      const targets = motoTargets(stack);
      mkdirSync(path.join(work, 'targets'), { recursive: true });
      if (targets === 'plan-only') writeFileSync(path.join(work, 'targets', `${stack.name}.targets`), '');
      else if (targets.length > 0)
        writeFileSync(
          path.join(work, 'targets', `${stack.name}.targets`),
          targets.map((t) => t.replace(/^-target=/, '')).join('\n'),
        );
    }
    await createStateBuckets(stacks, endpoint);
    // The AWS CLI (apply.sh publishes the collector release with it) addresses moto path-style.
    writeFileSync(
      path.join(work, 'aws-config'),
      `[default]\nregion = ${MOTO_REGION}\ns3 =\n    addressing_style = path\n`,
    );
    scriptEnv = {
      ...motoTerraformEnv(terraformEnv, endpoint),
      AWS_DEFAULT_REGION: MOTO_REGION,
      AWS_CONFIG_FILE: path.join(work, 'aws-config'),
      INGEST_PIPELINE_PREBUILT: '1',
      INGEST_PIPELINE_CONCURRENCY: String(CONCURRENCY),
      INGEST_TF_OVERRIDE_DIR: path.join(work, 'overrides'),
      INGEST_TF_TARGETS_DIR: path.join(work, 'targets'),
    };
    // Every Terraform command the scripts run reattaches a provider it holds alone (shared-provider.ts);
    // the scripts synthesize the same app, so this synth's assets are theirs (folders named by content hash).
    provider = await startSharedProviders(scriptEnv, stacks.map((stack) => stack.dir), CONCURRENCY);
    scriptEnv = { ...scriptEnv, ...provider.env };
  }, 120_000);

  afterAll(async () => {
    await provider?.stop();
    await moto?.stop();
    cleanUpSynth();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
  const plan1 = () => path.join(work, 'plan-1');
  const lakeObject = async (key: string) => {
    const s3 = new S3Client({ ...aws(), forcePathStyle: true });
    try {
      return await (
        await s3.send(new GetObjectCommand({ Bucket: `${PREFIX}lake`, Key: key }))
      ).Body!.transformToString();
    } finally {
      s3.destroy();
    }
  };

  /** Stacks moto can deploy something of (prod's bi is QuickSight only: its targets file skips it everywhere). */
  const deployable = () => stacks.filter((s) => motoTargets(s) !== 'plan-only').map((s) => s.name);
  /** Deployable stacks no other stack reads or waits for: collector, monitoring (bi reads analytics). */
  const leaves = () => deployable().filter((name) => !stacks.some((other) => other.dependencies.includes(name)));

  test('bootstrap.sh prod: the first deploy, a dependency wave at a time; lake first, the boundary before any role', async () => {
    // The first plan.sh of a new environment cannot plan a stack whose upstream state does not exist
    // yet (shown on streaming alone: the targets hook skips the others).
    const onlyStreaming = path.join(work, 'targets-premature');
    mkdirSync(onlyStreaming);
    for (const stack of stacks.filter((s) => s.name !== `${PREFIX}streaming`))
      writeFileSync(path.join(onlyStreaming, `${stack.name}.targets`), '');
    const premature = await runScript('plan.sh', [ENV, path.join(work, 'premature')], {
      ...scriptEnv,
      INGEST_TF_TARGETS_DIR: onlyStreaming,
    });
    expect(premature.code).not.toBe(0);
    expect(premature.stderr).toContain(
      'reads the state of a stack that was never applied: a first deploy cannot be planned ahead. Run infra/pipeline/bootstrap.sh prod once',
    );

    // The stacks nothing reads are left to plan.sh → apply.sh below (a commit adding a stack), through
    // the targets hook: an empty <stack>.targets skips a stack.
    expect(leaves().sort()).toEqual([`${PREFIX}collector`, `${PREFIX}monitoring`]);
    const bootstrapTargets = path.join(work, 'targets-bootstrap');
    cpSync(path.join(work, 'targets'), bootstrapTargets, { recursive: true });
    for (const leaf of leaves()) writeFileSync(path.join(bootstrapTargets, `${leaf}.targets`), '');
    const result = await runScript('bootstrap.sh', [ENV, path.join(work, 'bootstrap'), '--yes'], {
      ...scriptEnv,
      INGEST_TF_TARGETS_DIR: bootstrapTargets,
    });
    expect({ code: result.code, stderr: result.code === 0 ? '' : tail(result.stderr) }).toEqual({
      code: 0,
      stderr: '',
    });
    // Completion order: lake first; the pipeline stack (the boundary) before every stack with a role.
    const applied = [...result.stderr.matchAll(/\] [\d:]+ applied (ingest-\S+)$/gm)].map((m) => m[1]!);
    expect([...applied].sort()).toEqual(
      deployable()
        .filter((name) => !leaves().includes(name))
        .sort(),
    );
    expect(applied[0]).toBe(`${PREFIX}lake`);
    for (const stack of stacks.filter(
      (s) => applied.includes(s.name) && s.dependencies.includes(`${PREFIX}pipeline`),
    )) {
      expect({ stack: stack.name, after: applied.indexOf(stack.name) > applied.indexOf(`${PREFIX}pipeline`) }).toEqual({
        stack: stack.name,
        after: true,
      });
    }
    const iam = new IAMClient(aws());
    try {
      for (const role of [`${PREFIX}deploy`, `${PREFIX}flow-logs`, `${PREFIX}events`]) {
        const { Role } = await iam.send(new GetRoleCommand({ RoleName: role }));
        expect({ role, boundary: Role!.PermissionsBoundary?.PermissionsBoundaryArn }).toEqual({
          role,
          boundary: `arn:aws:iam::${ACCOUNT}:policy/${PREFIX}boundary`,
        });
      }
    } finally {
      iam.destroy();
    }
    // The catalog stack was applied: apply.sh started the job that creates the Athena views.
    expect(result.stderr).toContain(`started ${PREFIX}versioned-sql (the Athena views from shared/sql)`);
    const glue = new GlueClient(aws());
    try {
      expect((await glue.send(new GetJobRunsCommand({ JobName: `${PREFIX}versioned-sql` }))).JobRuns).toHaveLength(1);
    } finally {
      glue.destroy();
    }
    console.log(`bootstrap.sh: ${result.seconds} s`);
  }, 900_000);

  test('plan.sh prod: one saved plan per stack in dependency order; every IAM and security-group change called out by address', async () => {
    // Someone widened the flow-logs role's inline policy by hand.
    const iam = new IAMClient(aws());
    try {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: `${PREFIX}flow-logs`,
          PolicyName: `${PREFIX}flow-logs-permissions`,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
          }),
        }),
      );
    } finally {
      iam.destroy();
    }
    const result = await runScript('plan.sh', [ENV, plan1()], scriptEnv);
    expect({ code: result.code, stderr: result.code === 0 ? '' : tail(result.stderr) }).toEqual({
      code: 0,
      stderr: '',
    });
    const manifest = readJson<PlanManifest>(path.join(plan1(), 'plan.json'));
    const order = manifest.stacks.map((s) => s.name);
    expect([...order].sort()).toEqual(deployable().sort());
    expect(order.slice(0, 2)).toEqual([`${PREFIX}lake`, `${PREFIX}pipeline`]);
    for (const stack of manifest.stacks) {
      expect(existsSync(path.join(plan1(), stack.plan))).toBe(true);
      for (const upstream of stack.dependencies)
        expect(order.indexOf(upstream)).toBeLessThan(order.indexOf(stack.name));
    }
    expect(
      manifest.stacks
        .filter((s) => s.hasChanges)
        .map((s) => s.name)
        .sort(),
    ).toEqual([...leaves(), `${PREFIX}network`].sort());
    const summary = readJson<PlanSummary>(path.join(plan1(), 'summary.json'));
    const network = summary.stacks.find((s) => s.stack === `${PREFIX}network`)!;
    expect(network.changes.map((c) => `${c.action} ${c.type} ${c.attributes.join()}`)).toEqual([
      'update aws_iam_role_policy policy',
    ]);
    const sensitive = summary.sensitive.map((c) => `${c.stack} ${c.action} ${c.address}`);
    expect(sensitive).toEqual(
      expect.arrayContaining([
        `${PREFIX}collector create aws_security_group.sg`,
        `${PREFIX}collector create aws_iam_instance_profile.profile`,
      ]),
    );
    expect(sensitive.filter((c) => c.startsWith(`${PREFIX}network`))).toEqual([
      expect.stringMatching(new RegExp(`^${PREFIX}network update aws_iam_role_policy\\.flow-logs-role_policy_\\w+$`)),
    ]);
    expect(summary.sensitive.every((c) => /^aws_(iam_|security_group|vpc_security_group_)/.test(c.type))).toBe(true);
    expect(result.stdout).toContain(`## IAM and security-group changes (${summary.sensitive.length})`);
    // The plan artifact carries no provider binaries (.terraform lives outside the plan directory).
    expect(existsSync(path.join(plan1(), 'cdktf.out', 'stacks', `${PREFIX}lake`, '.terraform'))).toBe(false);
    console.log(`plan.sh: ${result.seconds} s`);
  }, 600_000);

  test('apply.sh prod applies exactly those saved plans; the collector release is published by content hash before the collector stack', async () => {
    const result = await runScript('apply.sh', [ENV, plan1()], scriptEnv);
    expect({ code: result.code, stderr: result.code === 0 ? '' : tail(result.stderr) }).toEqual({
      code: 0,
      stderr: '',
    });
    // The catalog stack had no changes: the views job is not started again.
    expect(result.stderr).not.toContain(`started ${PREFIX}versioned-sql`);
    expect([...result.stderr.matchAll(/applying the saved plan of (\S+)/g)].map((m) => m[1]).sort()).toEqual(
      [...leaves(), `${PREFIX}network`].sort(),
    );
    expect(result.stderr.indexOf('publishing collector release')).toBeLessThan(
      result.stderr.indexOf(`applying the saved plan of ${PREFIX}collector`),
    );
    const release = collectorRelease();
    expect(await lakeObject('artifacts/collector/current-release')).toBe(release.id);
    expect(await lakeObject(`artifacts/collector/releases/${release.id}/SHA256SUMS`)).toBe(release.sha256sums);
    expect(
      JSON.parse(await lakeObject(`artifacts/collector/releases/${release.id}/manifests/app_market.json`)),
    ).toMatchObject({ dataset: 'app_market' });
    const iam = new IAMClient(aws());
    try {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: `${PREFIX}collector` }));
      expect(Role!.PermissionsBoundary?.PermissionsBoundaryArn).toBe(
        `arn:aws:iam::${ACCOUNT}:policy/${PREFIX}boundary`,
      );
    } finally {
      iam.destroy();
    }
    console.log(`apply.sh: ${result.seconds} s`);
  }, 600_000);

  test('the same saved plans applied again are refused loudly: the state moved since they were made', async () => {
    const result = await runScript('apply.sh', [ENV, plan1()], scriptEnv);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('Saved plan is stale');
    expect(result.stderr).toMatch(
      new RegExp(
        `ERROR: the saved plan of ${PREFIX}(collector|monitoring|network) is stale: its state changed after the plan was made`,
      ),
    );
  }, 300_000);

  test('a second plan.sh reports no changes', async () => {
    const plandir = path.join(work, 'plan-2');
    const result = await runScript('plan.sh', [ENV, plandir], scriptEnv);
    expect({ code: result.code, stderr: result.code === 0 ? '' : tail(result.stderr) }).toEqual({
      code: 0,
      stderr: '',
    });
    const summary = readJson<PlanSummary>(path.join(plandir, 'summary.json'));
    const changing = summary.stacks
      .filter((s) => s.changes.length > 0 || s.outputChanges.length > 0)
      .map((s) => ({ stack: s.stack, changes: s.changes, outputs: s.outputChanges }));
    expect(changing).toEqual([]);
    expect(summary.totals).toEqual({ add: 0, change: 0, destroy: 0, replace: 0 });
    expect(summary.noChanges).toBe(true);
    expect(result.stdout).toContain('No changes: every stack matches its configuration.');
    expect(readJson<PlanManifest>(path.join(plandir, 'plan.json')).stacks.every((s) => !s.hasChanges)).toBe(true);
    console.log(`second plan.sh: ${result.seconds} s`);
  }, 600_000);

  // What the pipeline deployed, read back through the AWS SDK (the same checks as dev's deploy test).
  describeReadBack(ENV, () => moto.endpoint);

  test('what moto cannot deploy is still planned on the deployed state: exactly those resources remain to create', async () => {
    const partial = stacks.filter((s) => {
      const targets = motoTargets(s);
      return targets === 'plan-only' || targets.length > 0;
    });
    expect(partial.map((s) => s.name).sort()).toEqual([`${PREFIX}bi`, `${PREFIX}pipeline`]);
    for (const stack of partial) {
      await runTerraform(stack.dir, ['init', '-input=false'], scriptEnv);
      const toCreate = addressesToCreate((await runTerraform(stack.dir, ['plan', '-input=false'], scriptEnv)).stdout);
      expect({ stack: stack.name, toCreate }).toEqual({
        stack: stack.name,
        toCreate: undeployableOnMoto(stack).sort(),
      });
    }
  }, 300_000);
});

describe('apply.sh refuses a downstream plan whose upstream outputs changed under it', () => {
  let root: string;

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** A stack folder in the plan directory's layout: local state under <plandir>/state/, builtin resources only. */
  const writeStack = (plandir: string, name: string, config: Record<string, unknown>) => {
    const dir = path.join(plandir, 'cdktf.out', 'stacks', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { backend: { local: { path: `../../../state/${name}.tfstate` } } }, ...config }),
    );
    return dir;
  };
  const upstream = (value: string) => ({
    resource: { terraform_data: { value: { input: value } } },
    output: { value: { value: '${terraform_data.value.output}' } },
  });
  const downstream = {
    data: {
      terraform_remote_state: {
        'cross-stack-reference-input-up': { backend: 'local', config: { path: '../../../state/up.tfstate' } },
      },
    },
    resource: {
      terraform_data: {
        copy: { input: '${data.terraform_remote_state.cross-stack-reference-input-up.outputs.value}' },
      },
    },
  };

  test('the upstream is applied, then apply stops before the downstream and names the output', async () => {
    const env = { ...terraformEnvironment() };
    root = mkdtempSync(path.join(os.tmpdir(), 'ingest-stale-downstream-'));
    const plandir = path.join(root, 'plan');
    const terraform = async (dir: string, args: string[]) => {
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn('terraform', [`-chdir=${dir}`, ...args, '-no-color'], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (c: Buffer) => (output += c.toString()));
        child.stderr.on('data', (c: Buffer) => (output += c.toString()));
        child.once('close', (code) => resolve({ code, output }));
      });
      if (result.code !== 0) throw new Error(`terraform ${args.join(' ')}: ${result.output}`);
      return result.output;
    };
    // Deployed: up = v1, down copied v1.
    const up = writeStack(plandir, 'up', upstream('v1'));
    const down = writeStack(plandir, 'down', downstream);
    for (const dir of [up, down]) {
      await terraform(dir, ['init', '-input=false']);
      await terraform(dir, ['apply', '-auto-approve', '-input=false']);
    }
    // The commit changes up's output; both are planned before either is applied, as plan.sh does.
    writeStack(plandir, 'up', upstream('v2'));
    mkdirSync(path.join(plandir, 'plans'));
    mkdirSync(path.join(plandir, 'outputs'));
    for (const [name, dir] of [
      ['up', up],
      ['down', down],
    ] as const) {
      await terraform(dir, ['plan', '-input=false', `-out=${path.join(plandir, 'plans', `${name}.tfplan`)}`]);
      writeFileSync(path.join(plandir, 'outputs', `${name}.json`), await terraform(dir, ['output', '-json']));
    }
    const manifest: PlanManifest = {
      environment: 'dev',
      project: 'fixture',
      stacks: [
        {
          name: 'up',
          dir: 'cdktf.out/stacks/up',
          dependencies: [],
          reads: {},
          plan: 'plans/up.tfplan',
          hasChanges: true,
          targets: [],
        },
        // Its own plan has no change: it read v1, which is exactly what is now wrong.
        {
          name: 'down',
          dir: 'cdktf.out/stacks/down',
          dependencies: ['up'],
          reads: { up: ['value'] },
          plan: 'plans/down.tfplan',
          hasChanges: false,
          targets: [],
        },
      ],
    };
    writeFileSync(path.join(plandir, 'plan.json'), JSON.stringify(manifest));
    const result = await runScript('apply.sh', ['dev', plandir], env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "ERROR: the saved plan of down is stale: it read outputs of up that this run's apply of up changed (value).",
    );
    expect(result.stderr).toContain('Applied by this run: up.');
    expect(JSON.parse(await terraform(up, ['output', '-json'])).value.value).toBe('v2');
    const downState = JSON.parse(await terraform(down, ['show', '-json'])) as {
      values: { root_module: { resources: Array<{ address: string; values: { output: string } }> } };
    };
    expect(downState.values.root_module.resources.find((r) => r.address === 'terraform_data.copy')!.values.output).toBe(
      'v1',
    );
  }, 120_000);
});
