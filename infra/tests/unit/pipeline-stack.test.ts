import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { TERRAFORM_IAM_ACTIONS } from '../../src/constructs/permissions-boundary';
import { BUILD_COMMANDS, PIPELINE_SCRIPTS, PLAN_ARTIFACT } from '../../src/stacks/pipeline-stack';
import { cleanUpApps, environment, resources, synth } from './support';

/** The pipeline stack: buildspecs that only call the repository's scripts, stages, and a deploy role that cannot escalate. */

afterAll(cleanUpApps);

const REPO = path.resolve(__dirname, '../../..');
type Json = ReturnType<typeof synth>;

interface Statement {
  sid?: string;
  effect?: string;
  actions?: string[];
  not_actions?: string[];
  resources?: string[];
  condition?: Array<{ test: string; variable: string; values: string[] }>;
}

const documents = (json: Json) => json.data?.aws_iam_policy_document ?? {};
/** A construct's policy document, by the id it starts with (cdktf appends a hash to nested ids). */
const documentNamed = (json: Json, prefix: string) => Object.keys(documents(json)).find((id) => id.startsWith(prefix))!;
const statementsOf = (json: Json, document: string) => (documents(json)[document]!.statement as Statement[]) ?? [];
const ACCOUNT = '${data.aws_caller_identity.account.account_id}';

/** The `build` phase's command lines of a buildspec, and every other `commands:` block's lines. */
function buildspecCommands(buildspec: string): { build: string[]; elsewhere: string[] } {
  const lines = buildspec.split('\n');
  const phases = new Map<string, string[]>();
  let phase: string | undefined;
  let inCommands = false;
  for (const line of lines) {
    const phaseMatch = /^ {2}(\w[\w-]*):\s*$/.exec(line);
    if (phaseMatch) {
      phase = phaseMatch[1];
      inCommands = false;
      continue;
    }
    if (/^\S/.test(line)) phase = undefined;
    if (phase && /^ {4}commands:\s*$/.test(line)) {
      inCommands = true;
      phases.set(phase, []);
      continue;
    }
    if (phase && inCommands && /^ {6}- /.test(line)) phases.get(phase)!.push(line.replace(/^ {6}- /, ''));
    else if (!/^ {6}/.test(line)) inCommands = false;
  }
  return { build: phases.get('build') ?? [], elsewhere: [...phases].filter(([name]) => name !== 'build').flatMap(([, commands]) => commands) };
}

describe.each(['dev', 'prod'])('%s pipeline', (name) => {
  const json = synth(environment(name).pipeline);
  const projects = Object.fromEntries(resources(json, 'aws_codebuild_project').map((p) => [String(p.name).replace(`ingest-lake-${name}-`, ''), p]));
  const stages = resources(json, 'aws_codepipeline')[0]!.stage as Array<{ name: string; action: Array<Record<string, unknown>> }>;
  const action = (stage: string) => stages.find((s) => s.name === stage)!.action[0]!;

  test('each buildspec runs exactly one script call, and nothing else, in any phase', () => {
    expect(Object.keys(projects).sort()).toEqual(['apply', 'plan', 'test']);
    for (const stage of ['test', 'plan', 'apply'] as const) {
      const buildspec = String((projects[stage]!.source as { buildspec: string }).buildspec);
      expect({ stage, ...buildspecCommands(buildspec) }).toEqual({ stage, build: [...BUILD_COMMANDS[stage]], elsewhere: [] });
      expect(buildspec).not.toMatch(/npm|npx|terraform|cdktf|aws s3|aws ssm/);
    }
    expect(BUILD_COMMANDS).toEqual({
      test: ['bash infra/pipeline/test.sh'],
      plan: ['bash infra/pipeline/plan.sh "$INGEST_ENV" "$CODEBUILD_SRC_DIR/.pipeline-plan"'],
      apply: ['bash infra/pipeline/apply.sh "$INGEST_ENV" "$CODEBUILD_SRC_DIR_plan"'],
    });
  });

  test('the scripts the buildspecs call exist in the repository and are executable', () => {
    for (const script of Object.values(PIPELINE_SCRIPTS)) expect(() => accessSync(path.join(REPO, script), constants.X_OK)).not.toThrow();
  });

  test('the plan directory is the Plan artifact; Apply reads the scripts from the source and the saved plans from that artifact', () => {
    expect(String((projects.plan!.source as { buildspec: string }).buildspec)).toContain("artifacts:\n  base-directory: .pipeline-plan\n  files:\n    - '**/*'\n");
    expect(action('Plan')).toMatchObject({ input_artifacts: ['source'], output_artifacts: [PLAN_ARTIFACT] });
    expect(action('Apply')).toMatchObject({ input_artifacts: ['source', PLAN_ARTIFACT], configuration: { PrimarySource: 'source' } });
    const variables = JSON.parse((action('Plan').configuration as { EnvironmentVariables: string }).EnvironmentVariables) as Array<{ name: string; value: string }>;
    expect(variables).toEqual([
      { name: 'INGEST_PLAN_SUMMARY_URI', value: `s3://ingest-lake-${name}-pipeline-artifacts/plans/${name}/#{codepipeline.PipelineExecutionId}/`, type: 'PLAINTEXT' },
    ]);
  });

  test('plan runs with read-only rights and the state lock; apply with the deploy role; test with neither', () => {
    const role = (stage: string) => String(projects[stage]!.service_role);
    expect(role('test')).toMatch(/^\$\{aws_iam_role\.build-role_\w+\.arn\}$/);
    expect(role('plan')).toMatch(/^\$\{aws_iam_role\.plan-role_\w+\.arn\}$/);
    expect(role('apply')).toMatch(/^\$\{aws_iam_role\.deploy-role_\w+\.arn\}$/);
    const managed = (id: string) =>
      resources(json, 'aws_iam_role_policy_attachment')
        .filter((a) => String(a.role).startsWith(`\${aws_iam_role.${id}_`))
        .map((a) => a.policy_arn);
    expect(managed('build-role')).toEqual([]);
    expect(managed('plan-role')).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(managed('deploy-role')).toEqual(['arn:aws:iam::aws:policy/PowerUserAccess']);
    // Plan writes only Terraform's lock files in the state bucket.
    const stateWrites = statementsOf(json, documentNamed(json, 'plan-role_permissions'))
      .filter((s) => s.actions?.some((a) => a === 's3:PutObject' || a === 's3:DeleteObject'))
      .flatMap((s) => s.resources ?? [])
      .filter((r) => r.includes('platform-terraform-state'));
    expect(stateWrites).toEqual([`arn:aws:s3:::platform-terraform-state-${name}/ingest-lake/${name}/*.tflock`]);
  });

  test(name === 'prod' ? 'the approval sits between Plan and Apply and links the summary of the same execution' : 'no approval: the saved plans are applied as planned', () => {
    if (name !== 'prod') {
      expect(stages.map((s) => s.name)).toEqual(['Source', 'Test', 'Plan', 'Apply']);
      return;
    }
    expect(stages.map((s) => s.name)).toEqual(['Source', 'Test', 'Plan', 'Approve', 'Apply']);
    const configuration = action('Approve').configuration as { CustomData: string; ExternalEntityLink: string };
    expect(configuration.CustomData).toContain('s3://ingest-lake-prod-pipeline-artifacts/plans/prod/#{codepipeline.PipelineExecutionId}/summary.md');
    expect(configuration.ExternalEntityLink).toBe(
      'https://ap-northeast-2.console.aws.amazon.com/s3/object/ingest-lake-prod-pipeline-artifacts?region=ap-northeast-2&prefix=plans/prod/#{codepipeline.PipelineExecutionId}/summary.md',
    );
    expect(configuration.CustomData.length).toBeLessThan(1000);
  });
});

describe.each(['dev', 'prod'])('%s: a deploy role that cannot escalate', (name) => {
  const stacks = environment(name);
  const json = synth(stacks.pipeline);
  const boundary = `arn:aws:iam::${ACCOUNT}:policy/ingest-lake-${name}-boundary`;
  const deployIamDocument = documentNamed(json, 'boundary_deploy-iam');
  const deployIam = statementsOf(json, deployIamDocument);
  const boundaryDocument = statementsOf(json, documentNamed(json, 'boundary_document'));

  test('every aws_iam_role of every stack carries the environment\'s boundary; stacks with roles deploy after the pipeline stack that creates it', () => {
    expect(resources(json, 'aws_iam_policy')).toEqual([expect.objectContaining({ name: `ingest-lake-${name}-boundary` })]);
    let roles = 0;
    for (const stack of Object.values(stacks)) {
      const document = synth(stack);
      for (const role of resources(document, 'aws_iam_role')) {
        roles += 1;
        const expected = stack === stacks.pipeline ? '${aws_iam_policy.boundary.arn}' : `arn:aws:iam::\${data.aws_caller_identity.permissions-boundary-account.account_id}:policy/ingest-lake-${name}-boundary`;
        expect({ stack: stack.node.id, role: role.name, boundary: role.permissions_boundary }).toEqual({ stack: stack.node.id, role: role.name, boundary: expected });
      }
      if (stack !== stacks.pipeline && resources(document, 'aws_iam_role').length > 0) expect(stack.dependencies).toContain(stacks.pipeline);
    }
    expect(roles).toBeGreaterThan(10);
  });

  test('roles are created and their policies changed only when they carry that boundary (condition)', () => {
    const conditioned = deployIam.find((s) => s.sid === 'RolesOnlyUnderTheBoundary')!;
    expect(conditioned.actions).toEqual(['iam:AttachRolePolicy', 'iam:CreateRole', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy']);
    expect(conditioned.condition).toEqual([{ test: 'StringEquals', variable: 'iam:PermissionsBoundary', values: [boundary] }]);
    expect(conditioned.resources).toEqual([`arn:aws:iam::${ACCOUNT}:role/ingest-lake-${name}-*`]);
    // No other Allow statement of any policy in the stack grants those actions.
    const everyAllow = Object.values(documents(json)).flatMap((d) => (d.statement as Statement[]) ?? []).filter((s) => (s.effect ?? 'Allow') === 'Allow' && s.sid !== 'RolesOnlyUnderTheBoundary');
    for (const statement of everyAllow) expect((statement.actions ?? []).filter((a) => conditioned.actions!.includes(a))).toEqual([]);
  });

  test('explicit denies: the boundary policy cannot be changed or deleted, no boundary removed, the deploy role not changed, no role assumed', () => {
    const denies = Object.fromEntries(deployIam.filter((s) => s.effect === 'Deny').map((s) => [s.sid, { actions: s.actions, resources: s.resources }]));
    expect(denies).toEqual({
      NeverChangeTheBoundary: { actions: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'], resources: [boundary] },
      NeverRemoveABoundary: { actions: ['iam:DeleteRolePermissionsBoundary'], resources: ['*'] },
      NeverChangeTheDeployRole: {
        actions: expect.arrayContaining(['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRole', 'iam:TagRole']),
        resources: [`arn:aws:iam::${ACCOUNT}:role/ingest-lake-${name}-deploy`],
      },
      NeverAssumeOtherRoles: { actions: ['sts:AssumeRole'], resources: ['*'] },
    });
    // The deploy role carries them as its own policy.
    const deployPolicy = resources(json, 'aws_iam_role_policy').find((p) => p.policy === `\${data.aws_iam_policy_document.${deployIamDocument}.json}`)!;
    expect(String(deployPolicy.role)).toMatch(/^\$\{aws_iam_role\.deploy-role_\w+\.name\}$/);
    // At the address it always had: the deploy role may not delete and recreate its own policy.
    expect(json.resource!.aws_iam_role_policy!['deploy-iam-policy']).toBe(deployPolicy);
  });

  test('the boundary is the same IAM statements plus any service but IAM, Organizations, Account and role assumption', () => {
    const [services, ...rest] = boundaryDocument;
    expect(services).toEqual({ sid: 'AnyServiceButIdentityAndAccount', not_actions: ['iam:*', 'organizations:*', 'account:*', 'sts:AssumeRole'], resources: ['*'] });
    expect(rest).toEqual(deployIam);
  });

  test('the IAM grants cover every IAM resource type in the synthesized stacks, with what Terraform needs to update them', () => {
    const types = new Set(Object.values(stacks).flatMap((stack) => Object.keys(synth(stack).resource ?? {}).filter((type) => type.startsWith('aws_iam_'))));
    expect([...types].sort()).toEqual(Object.keys(TERRAFORM_IAM_ACTIONS).sort());
    const granted = deployIam.filter((s) => (s.effect ?? 'Allow') === 'Allow').flatMap((s) => s.actions ?? []);
    for (const table of Object.values(TERRAFORM_IAM_ACTIONS)) for (const action of [...table.boundaryConditioned, ...table.other]) expect(granted).toContain(action);
    expect(granted).toEqual(expect.arrayContaining(['iam:TagInstanceProfile', 'iam:UntagRole', 'iam:UpdateAssumeRolePolicy', 'iam:TagPolicy', 'iam:UntagInstanceProfile', 'iam:PassRole']));
    // Not iam:* and not every role: this project's roles, instance profiles and its boundary only.
    const resourcesOf = deployIam.filter((s) => (s.effect ?? 'Allow') === 'Allow').flatMap((s) => s.resources ?? []);
    expect(resourcesOf.every((r) => r.startsWith(`arn:aws:iam::${ACCOUNT}:`))).toBe(true);
    expect(granted.some((a) => a.endsWith('*'))).toBe(false);
  });
});

describe('the buildspec reader used above', () => {
  test('finds the commands of every phase, and none outside phases', () => {
    const text = 'version: 0.2\nphases:\n  install:\n    commands:\n      - apt-get install x\n  build:\n    commands:\n      - bash a.sh\n      - rm -rf /tmp/x\n  post_build:\n    commands:\n      - aws s3 cp a b\nartifacts:\n  files:\n    - x\n';
    expect(buildspecCommands(text)).toEqual({ build: ['bash a.sh', 'rm -rf /tmp/x'], elsewhere: ['apt-get install x', 'aws s3 cp a b'] });
  });
});
