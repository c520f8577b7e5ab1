import { Codepipeline } from '@cdktf/provider-aws/lib/codepipeline';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type { Construct } from 'constructs';
import { resourceName, type EnvironmentConfig } from '../config/environment-config';
import { BuildProject } from '../constructs/build-project';
import { CodeConnection } from '../constructs/code-connection';
import { EncryptedLogGroup } from '../constructs/encrypted-log-group';
import type { LakeKey } from '../constructs/lake-key';
import { PermissionsBoundary } from '../constructs/permissions-boundary';
import { SecureBucket } from '../constructs/secure-bucket';
import { ServiceRole } from '../constructs/service-role';
import { TerraformStateBackend } from '../constructs/terraform-state-backend';
import { IngestLakeStack, type IngestLakeStackProps } from './ingest-lake-stack';

/** The scripts the buildspecs call (paths from the repository root); every command of substance lives in them. */
export const PIPELINE_SCRIPTS = { test: 'infra/pipeline/test.sh', plan: 'infra/pipeline/plan.sh', apply: 'infra/pipeline/apply.sh' } as const;

/** Folder of the checkout the Plan build writes its plan directory to: the root of the Plan stage's output artifact. */
export const PLAN_DIR = '.pipeline-plan';

/** Name of the Plan output artifact; CodeBuild mounts a secondary input artifact at `$CODEBUILD_SRC_DIR_<name>`. */
export const PLAN_ARTIFACT = 'plan';

/** The build commands of each CodeBuild project: one script call each (tested against the buildspec text). */
export const BUILD_COMMANDS = {
  test: [`bash ${PIPELINE_SCRIPTS.test}`],
  plan: [`bash ${PIPELINE_SCRIPTS.plan} "$INGEST_ENV" "$CODEBUILD_SRC_DIR/${PLAN_DIR}"`],
  apply: [`bash ${PIPELINE_SCRIPTS.apply} "$INGEST_ENV" "$CODEBUILD_SRC_DIR_${PLAN_ARTIFACT}"`],
} as const;

/**
 * A buildspec: the Node runtime the image offers (test and plan run npm; apply needs only bash,
 * Terraform and the AWS CLI), the build commands, and for plan the plan directory as the artifact.
 */
export function buildspec(stage: keyof typeof BUILD_COMMANDS): string {
  const install = stage === 'apply' ? '' : `  install:\n    runtime-versions:\n      nodejs: 22\n`;
  const artifacts = stage === 'plan' ? `artifacts:\n  base-directory: ${PLAN_DIR}\n  files:\n    - '**/*'\n` : '';
  return `version: 0.2
env:
  variables:
    CI: "true"
    TURBO_TELEMETRY_DISABLED: "1"
    CHECKPOINT_DISABLE: "1"
phases:
${install}  build:
    commands:
${BUILD_COMMANDS[stage].map((command) => `      - ${command}`).join('\n')}
${artifacts}`;
}

/** Name of the environment's permissions boundary policy, `<project>-<env>-boundary`. */
export function permissionsBoundaryName(config: EnvironmentConfig): string {
  return resourceName(config, 'boundary');
}

/**
 * The boundary's ARN, built from names so a role in any stack can carry it without reading the
 * pipeline stack's state (the pipeline stack must be applied first: decision 0009).
 */
export function permissionsBoundaryArn(config: EnvironmentConfig, accountId: string): string {
  return PermissionsBoundary.arnOf(accountId, permissionsBoundaryName(config));
}

/** Inputs of the pipeline stack (from the lake stack). */
export interface PipelineStackProps extends IngestLakeStackProps {
  /** Encrypts the artifact bucket, build logs and build outputs. */
  key: LakeKey;
  /** Receives the artifact bucket's access logs. */
  accessLogs: SecureBucket;
}

/**
 * CI/CD: Source (CodeStar connection) → Test (test.sh) → Plan (plan.sh: one saved plan per stack and
 * a summary, the Plan artifact) → Approve (prod; links the summary of this execution) → Apply
 * (apply.sh: exactly those saved plans). Also the environment's permissions boundary, which every
 * role of every stack carries (decision 0009).
 */
export class PipelineStack extends IngestLakeStack {
  readonly pipeline: Codepipeline;
  /** The environment's permissions boundary; its ARN equals `permissionsBoundaryArn(config, account)`. */
  readonly boundary: PermissionsBoundary;

  constructor(scope: Construct, props: PipelineStackProps) {
    super(scope, 'pipeline', props.config);
    const { config } = props;
    const account = new DataAwsCallerIdentity(this, 'account');
    this.boundary = new PermissionsBoundary(this, 'boundary', {
      policyName: permissionsBoundaryName(config),
      description: `Permissions boundary of every ${config.project} ${config.environment} role (decision 0009)`,
      accountId: account.accountId,
      managedNamePattern: resourceName(config, '*'),
      deployRoleName: this.name('deploy'),
    });
    const withBoundary = { permissionsBoundary: this.boundary.arn };
    const state = new TerraformStateBackend(config.backend, account.accountId);

    const artifacts = new SecureBucket(this, 'artifacts', {
      bucketName: this.name('pipeline-artifacts'),
      kmsKey: props.key,
      accessLogBucket: props.accessLogs,
      lifecycleRules: [{ id: 'expire-artifacts', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 90 }], noncurrentVersionExpiration: [{ noncurrentDays: 7 }] }],
    });
    const logs = new EncryptedLogGroup(this, 'build-logs', { logGroupName: `/aws/codebuild/${this.name('pipeline')}`, key: props.key });
    // Test runs whatever the commit's tests run: it gets the artifact bucket and nothing of AWS.
    const testRole = new ServiceRole(this, 'build-role', { roleName: this.name('build'), servicePrincipal: 'codebuild.amazonaws.com', guard: 'source-account', ...withBoundary });
    logs.grantWrite(testRole);
    artifacts.grantRead(testRole);
    artifacts.grantWrite(testRole);
    // Plan reads every resource (refresh) and the state, takes the state lock, and writes the plan
    // artifact and its summary; it runs the commit's code before anyone approved it, so it changes nothing.
    const planRole = new ServiceRole(this, 'plan-role', {
      roleName: this.name('plan'),
      servicePrincipal: 'codebuild.amazonaws.com',
      guard: 'source-account',
      ...withBoundary,
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    logs.grantWrite(planRole);
    state.grantReadAndLock(planRole);
    artifacts.grantRead(planRole);
    artifacts.grantWrite(planRole);
    // Apply: PowerUserAccess for the services (decision 0009 says why it is not enumerated yet), IAM as
    // the boundary allows, the state, and the artifacts (the plan; the collector release it publishes).
    const deployRole = new ServiceRole(this, 'deploy-role', {
      roleName: this.name('deploy'),
      servicePrincipal: 'codebuild.amazonaws.com',
      guard: 'source-account',
      ...withBoundary,
      managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'],
    });
    logs.grantWrite(deployRole);
    state.grantReadWrite(deployRole);
    artifacts.grantRead(deployRole);
    this.boundary.grantIamAdministration(deployRole);

    const project = (id: string, role: ServiceRole, stage: keyof typeof BUILD_COMMANDS) =>
      new BuildProject(this, id, {
        projectName: this.name(id),
        role,
        key: props.key,
        buildspec: buildspec(stage),
        logGroup: logs,
        environmentVariables: { INGEST_ENV: config.environment },
        region: config.region,
        accountId: account.accountId,
      });
    const test = project('test', testRole, 'test');
    const plan = project('plan', planRole, 'plan');
    const apply = project('apply', deployRole, 'apply');

    const pipelineRole = new ServiceRole(this, 'pipeline-role', { roleName: this.name('pipeline'), servicePrincipal: 'codepipeline.amazonaws.com', guard: 'source-account', ...withBoundary });
    for (const buildProject of [test, plan, apply]) buildProject.grantStartBuilds(pipelineRole);
    new CodeConnection(config.pipeline.connectionArn).grantUse(pipelineRole);
    artifacts.grantRead(pipelineRole);
    artifacts.grantWrite(pipelineRole);
    // CodePipeline's artifact store and CodeBuild's encryption key use the key as these roles for every
    // data operation, as AWS documents them: the full encrypt+decrypt set, not the bucket's minimum.
    for (const role of [testRole, planRole, deployRole, pipelineRole]) props.key.grantEncryptDecrypt(role);
    const summary = planSummaryLocation(config, this.name('pipeline-artifacts'));
    const build = (name: string, projectName: string, inputArtifacts: string[], extra: Record<string, unknown> = {}) => ({
      name,
      category: 'Build',
      owner: 'AWS',
      provider: 'CodeBuild',
      version: '1',
      inputArtifacts,
      ...extra,
      configuration: { ProjectName: projectName, ...((extra.configuration as Record<string, string> | undefined) ?? {}) },
    });
    const stages = [
      {
        name: 'Source',
        action: [
          {
            name: 'Source',
            category: 'Source',
            owner: 'AWS',
            provider: 'CodeStarSourceConnection',
            version: '1',
            outputArtifacts: ['source'],
            configuration: { ConnectionArn: config.pipeline.connectionArn, FullRepositoryId: config.pipeline.repository, BranchName: config.pipeline.branch },
          },
        ],
      },
      { name: 'Test', action: [build('Test', test.name, ['source'])] },
      {
        name: 'Plan',
        action: [
          build('Plan', plan.name, ['source'], {
            outputArtifacts: [PLAN_ARTIFACT],
            configuration: { EnvironmentVariables: JSON.stringify([{ name: 'INGEST_PLAN_SUMMARY_URI', value: summary.s3Uri, type: 'PLAINTEXT' }]) },
          }),
        ],
      },
      ...(config.environment === 'prod'
        ? [
            {
              name: 'Approve',
              action: [
                {
                  name: 'Approve',
                  category: 'Approval',
                  owner: 'AWS',
                  provider: 'Manual',
                  version: '1',
                  configuration: {
                    CustomData: `Approve exactly the saved plans of execution #{codepipeline.PipelineExecutionId}: the summary (every IAM and security-group change called out) is ${summary.s3Uri}summary.md and in the Plan action's build log. Apply refuses them if any state moved since.`,
                    ExternalEntityLink: summary.consoleUrl,
                  },
                },
              ],
            },
          ]
        : []),
      // The apply build reads the scripts from the source and the saved plans from the Plan artifact, of the same execution.
      { name: 'Apply', action: [build('Apply', apply.name, ['source', PLAN_ARTIFACT], { configuration: { PrimarySource: 'source' } })] },
    ];
    this.pipeline = new Codepipeline(this, 'pipeline', {
      name: this.name('pipeline'),
      roleArn: pipelineRole.arn,
      pipelineType: 'V2',
      artifactStore: [{ location: artifacts.bucketName, type: 'S3', encryptionKey: { id: props.key.arn, type: 'KMS' } }],
      stage: stages,
    });
  }
}

/**
 * Where the Plan build uploads this execution's summary (`summary.md`, `summary.json`): a prefix keyed
 * by the pipeline execution ID, which CodePipeline resolves in action configuration, so the approval
 * links the summary of the plans it approves and no other.
 */
export function planSummaryLocation(config: EnvironmentConfig, artifactsBucket: string): { s3Uri: string; consoleUrl: string } {
  const prefix = `plans/${config.environment}/#{codepipeline.PipelineExecutionId}/`;
  return {
    s3Uri: `s3://${artifactsBucket}/${prefix}`,
    consoleUrl: `https://${config.region}.console.aws.amazon.com/s3/object/${artifactsBucket}?region=${config.region}&prefix=${prefix}summary.md`,
  };
}
