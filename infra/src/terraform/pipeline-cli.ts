import { Command } from 'commander';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../app';
import { loadEnvironmentConfig, resourceName, type EnvironmentConfig } from '../config/environment-config';
import { InfraError } from '../infra-error';
import { versionedSqlJobName } from '../stacks/catalog-stack';
import { collectorRelease, collectorReleasesPrefix, type CollectorRelease } from '../stacks/collector-stack';
import { renderPlanSummary, summarizePlans, summarizeStack, type TerraformPlanJson } from './plan-summary';
import { deployOrder, forEachStackInOrder, readStacks, type SynthesizedStack } from './stack-manifest';
import { runTerraform, TerraformCommandError } from './terraform-cli';

/**
 * The TypeScript half of `infra/pipeline/plan.sh` (and `bootstrap.sh`): synthesizes one environment,
 * then plans each of its stacks in dependency order against the real backend, saves the plans, and
 * writes what `apply.sh` needs beside them (`plan.json`) and what an approver reads (`summary.md`).
 * `apply.sh` needs only bash, jq, Terraform and the AWS CLI (decision 0009).
 *
 * Plan directory layout:
 *   cdktf.out/stacks/<stack>/     the synthesized configuration (+ .terraform.lock.hcl, override files)
 *   plans/<stack>.tfplan|.json    the saved plan and `terraform show -json` of it (an empty document when
 *                                 Terraform reported no changes)
 *   outputs/<stack>.json          `terraform output -json` at plan time (what downstream plans read)
 *   collector-release/<id>/       the collector release the collector stack's plan points at
 *   plan.json, summary.json, summary.md
 */

/** One stack of `plan.json`, in apply order. */
export interface PlannedStack {
  name: string;
  /** Configuration folder, relative to the plan directory. */
  dir: string;
  dependencies: string[];
  /** Upstream stack → the output names this stack's configuration reads from it. */
  reads: Record<string, string[]>;
  /** Saved plan, relative to the plan directory. */
  plan: string;
  /** False when the plan changes no resource and no output: apply.sh skips it. */
  hasChanges: boolean;
  /** `-target` addresses the plan was restricted to (INGEST_TF_TARGETS_DIR), if any. */
  targets: string[];
}

/** `plan.json`: everything apply.sh reads. */
export interface PlanManifest {
  environment: string;
  project: string;
  stacks: PlannedStack[];
  /** The collector release to publish before the collector stack's plan is applied. */
  collectorRelease?: { stack: string; id: string; bucket: string; prefix: string; dir: string };
  /** The Glue job that creates the Athena views from shared/sql: apply.sh starts it once this stack is applied. */
  viewsJob?: { stack: string; name: string };
}

export class PipelinePlanError extends InfraError {
  readonly code = 'PIPELINE_PLAN';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelinePlanError';
  }
}

/**
 * Which outputs of which stacks a synthesized stack reads: cdktf names each cross-stack input
 * `cross-stack-reference-input-<stack>`, read as `data.terraform_remote_state.<that>.outputs.<name>`.
 */
export function stackReads(cdkTfJson: string): Record<string, string[]> {
  const reads: Record<string, Set<string>> = {};
  for (const match of cdkTfJson.matchAll(/data\.terraform_remote_state\.cross-stack-reference-input-([\w-]+)\.outputs\.([\w-]+)/g)) {
    (reads[match[1]!] ??= new Set()).add(match[2]!);
  }
  return Object.fromEntries(Object.entries(reads).map(([stack, outputs]) => [stack, [...outputs].sort()]));
}

/**
 * Stacks grouped so that each group reads only stacks of earlier groups: the order a first deploy
 * can plan and apply them in, a group at a time (every stack of a group planned at once).
 */
export function dependencyWaves(stacks: SynthesizedStack[]): string[][] {
  const names = new Set(stacks.map((s) => s.name));
  const placed = new Set<string>();
  const waves: string[][] = [];
  let pending = deployOrder(stacks);
  while (pending.length > 0) {
    const wave = pending.filter((s) => s.dependencies.filter((d) => names.has(d)).every((d) => placed.has(d))).map((s) => s.name).sort();
    waves.push(wave);
    for (const name of wave) placed.add(name);
    pending = pending.filter((s) => !placed.has(s.name));
  }
  return waves;
}

/** Synthesizes one environment (what `INGEST_ENV=<env> npm run synth` writes) into `outdir`. */
export function synthesizeEnvironment(environment: string, outdir: string): void {
  buildApp(outdir, [environment]).synth();
}

/** The release id the synthesized collector stack points at (its release-pointer object's content). */
function plannedReleaseId(stackDir: string): string | undefined {
  const json = JSON.parse(readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource?: { aws_s3_object?: Record<string, { content?: string }> } };
  return Object.values(json.resource?.aws_s3_object ?? {}).find((o) => /^[0-9a-f]{64}$/.test(o.content ?? ''))?.content;
}

/** Copies the release the collector stack was synthesized with into the plan directory; refuses if the checkout changed since synth. */
export function stageCollectorRelease(plandir: string, collectorDir: string, release: CollectorRelease = collectorRelease()): string {
  const planned = plannedReleaseId(collectorDir);
  if (planned !== release.id) {
    throw new PipelinePlanError(`the collector stack points at release ${planned ?? '(none)'}, but the checkout's bundle and manifests are release ${release.id}: build, then synth and plan again`);
  }
  const dir = path.join('collector-release', release.id);
  for (const file of release.files) {
    mkdirSync(path.dirname(path.join(plandir, dir, file.name)), { recursive: true });
    copyFileSync(file.source, path.join(plandir, dir, file.name));
  }
  writeFileSync(path.join(plandir, dir, 'SHA256SUMS'), release.sha256sums);
  return dir;
}

/** Options of one planning run. */
export interface PlanOptions {
  config: EnvironmentConfig;
  plandir: string;
  /** Synthesized stacks. @default `<plandir>/cdktf.out` */
  synthDir?: string;
  /** Only these stacks (bootstrap plans one at a time). @default every stack of the environment */
  only?: string[];
  /** Stacks planned at once. @default 2 */
  concurrency?: number;
  /** Folder of `<stack>/*_override.tf.json` files copied beside each stack before init (a generic hook; the tests point stacks at moto with it). */
  overrideDir?: string;
  /** Folder of `<stack>.targets` files (one address a line) restricting that stack's plan; an empty file skips the stack. */
  targetsDir?: string;
  /** Environment Terraform runs with. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Progress lines. @default stderr */
  log?: (line: string) => void;
}

const FIRST_DEPLOY = /No stored state was found|Unable to find remote state/;

/** What `plans/<stack>.json` holds for a plan Terraform reported empty (`plan -detailed-exitcode` = 0). */
const EMPTY_PLAN: TerraformPlanJson = { resource_changes: [], output_changes: {} };

function readTargets(targetsDir: string | undefined, stack: string): string[] | undefined {
  const file = targetsDir ? path.join(targetsDir, `${stack}.targets`) : undefined;
  if (!file || !existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

function copyOverrides(overrideDir: string | undefined, stack: SynthesizedStack): void {
  const from = overrideDir ? path.join(overrideDir, stack.name) : undefined;
  if (!from || !existsSync(from)) return;
  for (const file of readdirSync(from).filter((f) => f.endsWith('_override.tf.json'))) copyFileSync(path.join(from, file), path.join(stack.dir, file));
}

/** Plans every stack of the environment (or `only`), saves the plans and writes plan.json and the summary. */
export async function planEnvironment(options: PlanOptions): Promise<PlanManifest> {
  const { config, plandir } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const synthDir = options.synthDir ?? path.join(plandir, 'cdktf.out');
  const prefix = resourceName(config, '');
  const all = readStacks(synthDir, prefix);
  if (all.length === 0) throw new PipelinePlanError(`no stack named ${prefix}* in ${synthDir}`);
  const unknown = (options.only ?? []).filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0) throw new PipelinePlanError(`no such stack: ${unknown.join(', ')}`);
  const targets = new Map(all.map((s) => [s.name, readTargets(options.targetsDir, s.name)]));
  const selected = all.filter((s) => (!options.only || options.only.includes(s.name)) && targets.get(s.name)?.length !== 0);
  for (const dir of ['plans', 'outputs']) mkdirSync(path.join(plandir, dir), { recursive: true });
  // .terraform/ (providers, backend settings) outside the plan directory: the artifact carries no provider binaries.
  const dataRoot = mkdtempSync(path.join(os.tmpdir(), 'ingest-plan-data-'));
  const envFor = (stack: SynthesizedStack): NodeJS.ProcessEnv => ({
    ...(options.env ?? process.env),
    TF_DATA_DIR: path.join(dataRoot, stack.name),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  });
  const planOne = async (stack: SynthesizedStack) => {
    const started = Date.now();
    copyOverrides(options.overrideDir, stack);
    const env = envFor(stack);
    const planFile = path.join(plandir, 'plans', `${stack.name}.tfplan`);
    let planExit: number;
    try {
      await runTerraform(stack.dir, ['init', '-input=false'], env);
      const planArgs = ['plan', '-input=false', '-lock-timeout=5m', '-detailed-exitcode', `-out=${planFile}`, ...(targets.get(stack.name) ?? []).map((t) => `-target=${t}`)];
      planExit = (await runTerraform(stack.dir, planArgs, env)).exitCode;
    } catch (error) {
      if (error instanceof TerraformCommandError && FIRST_DEPLOY.test(error.output)) {
        throw new PipelinePlanError(
          `${stack.name} reads the state of a stack that was never applied: a first deploy cannot be planned ahead. ` +
            `Run infra/pipeline/bootstrap.sh ${config.environment} once (docs/deploy.md, section 3).\n${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
    // Exit 0: an empty plan (no resource or output changes). `show -json` loads the provider once more
    // (seconds of CPU per stack), so only plans with changes are rendered.
    const rendered = planExit === 0 ? JSON.stringify(EMPTY_PLAN) : (await runTerraform(stack.dir, ['show', '-json', planFile], env)).stdout;
    writeFileSync(path.join(plandir, 'plans', `${stack.name}.json`), rendered);
    writeFileSync(path.join(plandir, 'outputs', `${stack.name}.json`), (await runTerraform(stack.dir, ['output', '-json'], env)).stdout);
    const counts = summarizeStack({ stack: stack.name, plan: readPlan(plandir, stack.name) }).counts;
    log(`planned ${stack.name} in ${Math.round((Date.now() - started) / 1000)} s: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy, ${counts.replace} to replace`);
  };
  try {
    // The first init fills a shared plugin cache, which is not safe for concurrent first installs.
    const [first, ...rest] = deployOrder(selected);
    if (first) await planOne(first);
    await forEachStackInOrder(rest, planOne, { concurrency: options.concurrency ?? 2 });
  } finally {
    rmSync(dataRoot, { recursive: true, force: true });
  }
  const ordered = deployOrder(selected);
  const inputs = ordered.map((stack) => ({ stack: stack.name, plan: readPlan(plandir, stack.name), reads: stackReads(readFileSync(path.join(stack.dir, 'cdk.tf.json'), 'utf8')) }));
  const summary = summarizePlans(config.environment, inputs);
  const collectorStack = ordered.find((s) => s.name === resourceName(config, 'collector'));
  const catalogStack = ordered.find((s) => s.name === resourceName(config, 'catalog'));
  const manifest: PlanManifest = {
    environment: config.environment,
    project: config.project,
    stacks: ordered.map((stack, index) => ({
      name: stack.name,
      dir: path.relative(plandir, stack.dir),
      dependencies: stack.dependencies,
      reads: inputs[index]!.reads,
      plan: path.join('plans', `${stack.name}.tfplan`),
      hasChanges: summary.stacks[index]!.changes.length > 0 || summary.stacks[index]!.outputChanges.length > 0,
      targets: targets.get(stack.name) ?? [],
    })),
    ...(collectorStack
      ? {
          collectorRelease: {
            stack: collectorStack.name,
            id: plannedReleaseId(collectorStack.dir)!,
            bucket: resourceName(config, 'lake'),
            prefix: collectorReleasesPrefix(config),
            dir: stageCollectorRelease(plandir, collectorStack.dir),
          },
        }
      : {}),
    ...(catalogStack ? { viewsJob: { stack: catalogStack.name, name: versionedSqlJobName(config) } } : {}),
  };
  writeFileSync(path.join(plandir, 'plan.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(plandir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(path.join(plandir, 'summary.md'), renderPlanSummary(summary));
  return manifest;
}

function readPlan(plandir: string, stack: string): TerraformPlanJson {
  return JSON.parse(readFileSync(path.join(plandir, 'plans', `${stack}.json`), 'utf8')) as TerraformPlanJson;
}

/** The command line the pipeline scripts call (`npx tsx infra/src/terraform/pipeline-cli.ts …`). */
export function pipelineProgram(): Command {
  const program = new Command('pipeline-cli').description('Synthesize and plan one environment for infra/pipeline/*.sh.');
  program
    .command('synth')
    .description('synthesize one environment (as INGEST_ENV=<env> npm run synth) into a folder')
    .requiredOption('--env <environment>', 'environment (infra/config/<env>.json)')
    .requiredOption('--outdir <dir>', 'output folder (cdktf.out layout)')
    .action((flags: { env: string; outdir: string }) => synthesizeEnvironment(flags.env, path.resolve(flags.outdir)));
  program
    .command('plan')
    .description('plan every stack of the environment in dependency order; write plan.json and the summary')
    .requiredOption('--env <environment>', 'environment (infra/config/<env>.json)')
    .requiredOption('--plandir <dir>', 'plan directory (holds cdktf.out/ from synth)')
    .option('--stack <name...>', 'only these stacks')
    .option('--concurrency <n>', 'stacks planned at once', (value) => Number.parseInt(value, 10), 2)
    .option('--override-dir <dir>', 'folder of <stack>/*_override.tf.json copied beside each stack (env INGEST_TF_OVERRIDE_DIR)', process.env.INGEST_TF_OVERRIDE_DIR)
    .option('--targets-dir <dir>', 'folder of <stack>.targets restricting plans (env INGEST_TF_TARGETS_DIR)', process.env.INGEST_TF_TARGETS_DIR)
    .action(async (flags: { env: string; plandir: string; stack?: string[]; concurrency: number; overrideDir?: string; targetsDir?: string }) => {
      const plandir = path.resolve(flags.plandir);
      await planEnvironment({
        config: loadEnvironmentConfig(flags.env),
        plandir,
        ...(flags.stack ? { only: flags.stack } : {}),
        concurrency: flags.concurrency,
        ...(flags.overrideDir ? { overrideDir: path.resolve(flags.overrideDir) } : {}),
        ...(flags.targetsDir ? { targetsDir: path.resolve(flags.targetsDir) } : {}),
      });
      process.stdout.write(readFileSync(path.join(plandir, 'summary.md'), 'utf8'));
    });
  program
    .command('waves')
    .description('print the stacks of an environment in dependency waves, one wave a line (bootstrap.sh plans and applies a wave at a time)')
    .requiredOption('--env <environment>', 'environment')
    .requiredOption('--synth-dir <dir>', 'synthesized stacks (cdktf.out layout)')
    .action((flags: { env: string; synthDir: string }) => {
      const prefix = resourceName(loadEnvironmentConfig(flags.env), '');
      for (const wave of dependencyWaves(readStacks(path.resolve(flags.synthDir), prefix))) process.stdout.write(`${wave.join(' ')}\n`);
    });
  return program;
}

if (require.main === module) {
  pipelineProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(`pipeline-cli: ${(error as Error).message}\n`);
      process.exitCode = 1;
    });
}
