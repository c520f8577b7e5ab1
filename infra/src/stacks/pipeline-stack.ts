import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { Codepipeline } from '@cdktf/provider-aws/lib/codepipeline';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Construct } from 'constructs';
import { resourceName, type EnvironmentConfig } from '../config/environment-config';
import type { LakeKey } from '../constructs/lake-key';
import { SecureBucket } from '../constructs/secure-bucket';
import { ServiceRole, type Grant } from '../constructs/service-role';
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
  return `arn:aws:iam::${accountId}:policy/${permissionsBoundaryName(config)}`;
}

/**
 * IAM calls hashicorp/aws 5.100.0 makes for the IAM resource types these stacks declare, split by
 * whether IAM evaluates `iam:PermissionsBoundary` for the action (the role-changing calls of the
 * IAM user guide's delegated-administrator example). A resource type the stacks start to use that is
 * not listed here fails the unit test that compares this table with the synthesized stacks.
 */
export const TERRAFORM_IAM_ACTIONS: Readonly<Record<string, { boundaryConditioned: string[]; other: string[] }>> = {
  aws_iam_role: {
    boundaryConditioned: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary'],
    other: [
      'iam:GetRole',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:ListInstanceProfilesForRole',
      'iam:ListRoleTags',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:DeleteRole',
      'iam:PassRole',
    ],
  },
  aws_iam_role_policy: { boundaryConditioned: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'], other: ['iam:GetRolePolicy'] },
  aws_iam_role_policy_attachment: { boundaryConditioned: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'], other: ['iam:ListAttachedRolePolicies'] },
  aws_iam_instance_profile: {
    boundaryConditioned: [],
    other: [
      'iam:CreateInstanceProfile',
      'iam:GetInstanceProfile',
      'iam:AddRoleToInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:TagInstanceProfile',
      'iam:UntagInstanceProfile',
      'iam:ListInstanceProfileTags',
      'iam:DeleteInstanceProfile',
    ],
  },
  // Only the boundary itself, which the deploy role may read and tag but never change (Deny below).
  aws_iam_policy: { boundaryConditioned: [], other: ['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions', 'iam:ListPolicyTags', 'iam:TagPolicy', 'iam:UntagPolicy'] },
};

/** Role-changing calls denied on the deploy role itself: it runs every commit's apply and must not widen its own rights. */
const OWN_ROLE_CHANGES = [
  'iam:AttachRolePolicy',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

/** Calls that would change what the boundary allows, or delete it. */
const BOUNDARY_CHANGES = ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'];

const unique = (values: string[]) => [...new Set(values)].sort();

/**
 * The IAM statements of the deploy role, also written into the boundary (so a role under the
 * boundary can do no more IAM than this): roles and instance profiles named `<project>-<env>-*`,
 * role creation and policy changes only when the role carries the boundary, and explicit denies on
 * changing the boundary, removing any role's boundary, changing the deploy role, and assuming roles.
 */
export function deployIamStatements(config: EnvironmentConfig, accountId: string): DataAwsIamPolicyDocumentStatement[] {
  const boundary = permissionsBoundaryArn(config, accountId);
  const prefix = `arn:aws:iam::${accountId}`;
  const projectRoles = `${prefix}:role/${resourceName(config, '*')}`;
  const tables = Object.values(TERRAFORM_IAM_ACTIONS);
  return [
    {
      sid: 'RolesOnlyUnderTheBoundary',
      actions: unique(tables.flatMap((t) => t.boundaryConditioned)),
      resources: [projectRoles],
      condition: [{ test: 'StringEquals', variable: 'iam:PermissionsBoundary', values: [boundary] }],
    },
    {
      sid: 'ProjectRolesProfilesAndBoundary',
      actions: unique(tables.flatMap((t) => t.other)),
      resources: [projectRoles, `${prefix}:instance-profile/${resourceName(config, '*')}`, boundary],
    },
    {
      // The first Auto Scaling group of an account creates the service-linked role the group launches with.
      sid: 'AutoScalingServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [`${prefix}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`],
      condition: [{ test: 'StringEquals', variable: 'iam:AWSServiceName', values: ['autoscaling.amazonaws.com'] }],
    },
    { sid: 'NeverChangeTheBoundary', effect: 'Deny', actions: BOUNDARY_CHANGES, resources: [boundary] },
    { sid: 'NeverRemoveABoundary', effect: 'Deny', actions: ['iam:DeleteRolePermissionsBoundary'], resources: ['*'] },
    { sid: 'NeverChangeTheDeployRole', effect: 'Deny', actions: OWN_ROLE_CHANGES, resources: [`${prefix}:role/${resourceName(config, 'deploy')}`] },
    { sid: 'NeverAssumeOtherRoles', effect: 'Deny', actions: ['sts:AssumeRole'], resources: ['*'] },
  ];
}

/** Read and lock the platform team's state (S3 objects under the key prefix; the DynamoDB table when configured). */
function stateGrants(config: EnvironmentConfig, accountId: string, access: 'read-and-lock' | 'read-write'): Grant[] {
  const backend = config.backend;
  if (backend.type !== 's3') return [];
  const bucket = `arn:aws:s3:::${backend.bucket}`;
  return [
    { actions: ['s3:ListBucket'], resources: [bucket] },
    { actions: ['s3:GetObject'], resources: [`${bucket}/${backend.keyPrefix}/*`] },
    // Terraform's S3 lock file is `<key>.tflock`, written and deleted around every plan and apply.
    { actions: ['s3:PutObject', 's3:DeleteObject'], resources: [access === 'read-write' ? `${bucket}/${backend.keyPrefix}/*` : `${bucket}/${backend.keyPrefix}/*.tflock`] },
    ...(backend.dynamodbTable
      ? [{ actions: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [`arn:aws:dynamodb:${backend.region}:${accountId}:table/${backend.dynamodbTable}`] }]
      : []),
  ];
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
  /** The boundary policy; its ARN equals `permissionsBoundaryArn(config, account)`. */
  readonly boundary: IamPolicy;

  constructor(scope: Construct, props: PipelineStackProps) {
    super(scope, 'pipeline', props.config);
    const { config } = props;
    const account = new DataAwsCallerIdentity(this, 'account');
    const boundaryDocument = new DataAwsIamPolicyDocument(this, 'boundary-document', {
      statement: [
        {
          // A boundary grants nothing: it is the ceiling of every role of the environment. Below it,
          // each role's own policy grants what it needs; IAM only as the statements that follow allow.
          sid: 'AnyServiceButIdentityAndAccount',
          notActions: ['iam:*', 'organizations:*', 'account:*', 'sts:AssumeRole'],
          resources: ['*'],
        },
        ...deployIamStatements(config, account.accountId),
      ],
    });
    this.boundary = new IamPolicy(this, 'boundary', {
      name: permissionsBoundaryName(config),
      description: `Permissions boundary of every ${config.project} ${config.environment} role (decision 0009)`,
      policy: boundaryDocument.json,
    });
    const withBoundary = { permissionsBoundary: this.boundary.arn };

    const artifacts = new SecureBucket(this, 'artifacts', {
      bucketName: this.name('pipeline-artifacts'),
      kmsKey: props.key,
      accessLogBucket: props.accessLogs,
      lifecycleRules: [{ id: 'expire-artifacts', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 90 }], noncurrentVersionExpiration: [{ noncurrentDays: 7 }] }],
    });
    const logs = new CloudwatchLogGroup(this, 'build-logs', { name: `/aws/codebuild/${this.name('pipeline')}`, retentionInDays: 90, kmsKeyId: props.key.arn });
    const writeLogs: Grant = { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logs.arn}:*`] };
    // Test runs whatever the commit's tests run: it gets the artifact bucket and nothing of AWS.
    const testRole = new ServiceRole(this, 'build-role', {
      roleName: this.name('build'),
      servicePrincipal: 'codebuild.amazonaws.com',
      guard: 'source-account',
      ...withBoundary,
      grants: [writeLogs],
    });
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
      grants: [writeLogs, ...stateGrants(config, account.accountId, 'read-and-lock')],
    });
    artifacts.grantRead(planRole);
    artifacts.grantWrite(planRole);
    // Apply: PowerUserAccess for the services (decision 0009 says why it is not enumerated yet), IAM as
    // deployIamStatements allows, the state, and the artifacts (the plan; the collector release it publishes).
    const deployRole = new ServiceRole(this, 'deploy-role', {
      roleName: this.name('deploy'),
      servicePrincipal: 'codebuild.amazonaws.com',
      guard: 'source-account',
      ...withBoundary,
      managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'],
      grants: [writeLogs, ...stateGrants(config, account.accountId, 'read-write')],
    });
    artifacts.grantRead(deployRole);
    const deployIam = new DataAwsIamPolicyDocument(this, 'deploy-iam', { statement: deployIamStatements(config, account.accountId) });
    new IamRolePolicy(this, 'deploy-iam-policy', { role: deployRole.role.id, name: `${this.name('deploy')}-iam`, policy: deployIam.json });

    const project = (id: string, role: ServiceRole, stage: keyof typeof BUILD_COMMANDS) =>
      new CodebuildProject(this, id, {
        name: this.name(id),
        serviceRole: role.arn,
        encryptionKey: props.key.arn,
        artifacts: { type: 'CODEPIPELINE' },
        source: { type: 'CODEPIPELINE', buildspec: buildspec(stage) },
        environment: {
          computeType: 'BUILD_GENERAL1_MEDIUM',
          image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
          type: 'LINUX_CONTAINER',
          environmentVariable: [{ name: 'INGEST_ENV', value: config.environment }],
        },
        logsConfig: { cloudwatchLogs: { groupName: logs.name } },
      });
    const test = project('test', testRole, 'test');
    const plan = project('plan', planRole, 'plan');
    const apply = project('apply', deployRole, 'apply');

    const pipelineRole = new ServiceRole(this, 'pipeline-role', {
      roleName: this.name('pipeline'),
      servicePrincipal: 'codepipeline.amazonaws.com',
      guard: 'source-account',
      ...withBoundary,
      grants: [
        // ARNs built from the names, not read from the projects: the role's policy then does not wait on them.
        {
          actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
          resources: ['test', 'plan', 'apply'].map((id) => `arn:aws:codebuild:${config.region}:${account.accountId}:project/${this.name(id)}`),
        },
        { actions: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], resources: [config.pipeline.connectionArn] },
      ],
    });
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
