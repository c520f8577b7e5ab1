import { readFileSync } from 'node:fs';
import path from 'node:path';
import { forEachStackInOrder, readStacks, type SynthesizedStack } from '../../src/terraform/stack-manifest';
import { AWS_PROVIDER_VERSION, REQUIRED_TERRAFORM_VERSION, runTerraform } from '../../src/terraform/terraform-cli';
import { startSharedProviders, type SharedProviders } from './shared-provider';
import { synthesizeInto, terraformEnvironment } from './support';

/**
 * The real judge of the synthesized JSON: `terraform init` (offline, from the provider mirror) and
 * `terraform validate` on every stack of every environment. Warnings fail too: a deprecated argument
 * today is a removed one at the next major version.
 */

interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
  address?: string;
}

const environments = ['dev', 'prod'];
/** Stacks initialized and validated at once (and so provider processes started). */
const CONCURRENCY = 2;
const results = new Map<string, { valid: boolean; diagnostics: Diagnostic[] }>();
let stacks: SynthesizedStack[] = [];
let provider: SharedProviders | undefined;
let cleanUp = () => undefined as void;

/**
 * The stacks initialized exactly as CodeBuild does, with the provider installed from the mirror and
 * locked: the lake stack of each environment. The others reattach provider processes started once
 * (shared-provider.ts): the same validation by the same provider code, without the 700 MB install
 * check and two provider launches per stack.
 */
const MANAGED = new Set(environments.map((environment) => `ingest-lake-${environment}-lake`));

beforeAll(async () => {
  const env = terraformEnvironment();
  const synthesized = synthesizeInto(environments);
  cleanUp = synthesized.cleanUp;
  stacks = readStacks(synthesized.outdir);
  provider = await startSharedProviders(env, stacks.map((stack) => stack.dir), CONCURRENCY);
  const reattached = { ...env, ...provider.env };
  await forEachStackInOrder(
    stacks,
    async (stack) => {
      const stackEnv = MANAGED.has(stack.name) ? env : reattached;
      await runTerraform(stack.dir, ['init', '-backend=false', '-input=false'], stackEnv);
      const { stdout } = await runTerraform(stack.dir, ['validate', '-json'], stackEnv).catch(
        (error: { output?: string }) => ({ stdout: jsonPart(error.output ?? '') }),
      );
      results.set(stack.name, JSON.parse(stdout) as { valid: boolean; diagnostics: Diagnostic[] });
    },
    { concurrency: CONCURRENCY },
  );
}, 600_000);

afterAll(async () => {
  await provider?.stop();
  cleanUp();
});

/** `validate -json` exits 1 on errors but still prints its JSON first. */
function jsonPart(output: string): string {
  const start = output.indexOf('{');
  const end = output.lastIndexOf('}');
  return output.slice(start, end + 1);
}

const describeDiagnostic = (d: Diagnostic) =>
  `${d.severity}: ${d.summary}${d.address ? ` (${d.address})` : ''}${d.detail ? `: ${d.detail}` : ''}`;

test('every environment synthesizes the stacks it should', () => {
  const names = stacks.map((s) => s.name);
  expect(names.filter((n) => n.startsWith('ingest-lake-dev-'))).toHaveLength(10);
  expect(names.filter((n) => n.startsWith('ingest-lake-prod-'))).toHaveLength(11);
});

test.each(
  environments.flatMap((environment) =>
    readConcerns(environment).map((concern) => [`ingest-lake-${environment}-${concern}`]),
  ),
)('%s: terraform validate passes with no error and no warning', (name) => {
  const result = results.get(name);
  expect(result).toBeDefined();
  expect(result!.diagnostics.map(describeDiagnostic)).toEqual([]);
  expect(result!.valid).toBe(true);
});

test('the stacks initialized as CodeBuild does lock hashicorp/aws at the pinned version, from the mirror', () => {
  for (const name of MANAGED) {
    const stack = stacks.find((s) => s.name === name)!;
    const lock = readFileSync(path.join(stack.dir, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toContain('provider "registry.terraform.io/hashicorp/aws"');
    expect(lock).toMatch(new RegExp(`version\\s+=\\s+"${AWS_PROVIDER_VERSION.replace(/\./g, '\\.')}"`));
    expect(lock).toMatch(/"h1:[A-Za-z0-9+/=]+"/);
  }
});

test('every stack pins the provider CI validates with, and the Terraform its backend needs', () => {
  for (const stack of stacks) {
    const json = JSON.parse(readFileSync(path.join(stack.dir, 'cdk.tf.json'), 'utf8')) as {
      terraform: { required_version?: string; required_providers: { aws: { version: string } } };
    };
    expect({ stack: stack.name, version: json.terraform.required_providers.aws.version }).toEqual({
      stack: stack.name,
      version: AWS_PROVIDER_VERSION,
    });
    expect(json.terraform.required_version).toBe(REQUIRED_TERRAFORM_VERSION);
  }
  expect(AWS_PROVIDER_VERSION).toBe('5.100.0');
});

/** The concerns each environment deploys (bi only where the flag is on). */
function readConcerns(environment: string): string[] {
  const concerns = [
    'lake',
    'network',
    'streaming',
    'catalog',
    'analytics',
    'delivery',
    'ingest-api',
    'collector',
    'monitoring',
    'pipeline',
  ];
  const config = JSON.parse(readFileSync(path.resolve(__dirname, `../../config/${environment}.json`), 'utf8')) as {
    bi: { enabled: boolean };
  };
  return config.bi.enabled ? [...concerns, 'bi'] : concerns;
}
