import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SynthesizedStack } from '../../src/terraform/stack-manifest';

/**
 * Resource types moto 5.2.1 cannot create or read back, with the reason. The deploy test applies
 * every other resource of the stack (`-target`), and still validates and plans these; docs/deploy.md
 * lists the same. Anything not named here must apply, re-plan with no changes and destroy.
 */
export const MOTO_CANNOT_DEPLOY: Readonly<Record<string, string>> = {
  aws_codebuild_project:
    "moto's CreateProject refuses a project without source.location, which AWS does not require for CODEPIPELINE sources",
  aws_codepipeline:
    'moto returns the timestamps of GetPipeline as strings, and provider 5.100.0 fails to read the pipeline back',
  aws_quicksight_data_source:
    'moto returns timestamps as strings, and provider 5.100.0 fails to read the data source back',
  aws_quicksight_data_set: 'moto implements CreateDataSet only (no Describe/Update/Delete)',
  aws_quicksight_analysis:
    'moto implements no analysis API (CreateAnalysis, DescribeAnalysisDefinition, DeleteAnalysis)',
  aws_quicksight_dashboard:
    'moto implements Create/Describe/ListDashboards only, with timestamps as strings; no DescribeDashboardDefinition, update or delete',
};

interface StackFile {
  resource?: Record<string, Record<string, unknown>>;
}

function resourceAddresses(stack: SynthesizedStack): Array<{ type: string; address: string }> {
  const json = JSON.parse(readFileSync(path.join(stack.dir, 'cdk.tf.json'), 'utf8')) as StackFile;
  return Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName).map((name) => ({ type, address: `${type}.${name}` })),
  );
}

/** The addresses of a stack's resources of one type. */
export function addressesOf(stack: SynthesizedStack, type: string): string[] {
  return resourceAddresses(stack)
    .filter((r) => r.type === type)
    .map((r) => r.address);
}

/** The resources of a stack that moto cannot deploy (by address). */
export function undeployableOnMoto(stack: SynthesizedStack): string[] {
  return resourceAddresses(stack)
    .filter((r) => r.type in MOTO_CANNOT_DEPLOY)
    .map((r) => r.address);
}

/**
 * How to apply a stack on moto: everything (`[]`), only the deployable resources (`-target` each; a
 * target pulls in what it depends on, so nothing deployable may depend on an undeployable resource),
 * or nothing at all when no resource of the stack is deployable (it is planned only).
 */
export function motoTargets(stack: SynthesizedStack): string[] | 'plan-only' {
  const all = resourceAddresses(stack);
  const deployable = all.filter((r) => !(r.type in MOTO_CANNOT_DEPLOY));
  if (deployable.length === all.length) return [];
  if (deployable.length === 0) return 'plan-only';
  return deployable.map((r) => `-target=${r.address}`);
}

/** The addresses a `terraform plan` (human-readable output) would create. */
export function addressesToCreate(planOutput: string): string[] {
  return planOutput
    .split('\n')
    .map((line) => /^\s+# (\S+) will be created/.exec(line)?.[1])
    .filter((address): address is string => address !== undefined)
    .sort();
}
