import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { Codepipeline } from '@cdktf/provider-aws/lib/codepipeline';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import type { LakeKey } from '../constructs/kms-key';
import { SecureBucket } from '../constructs/lake-bucket';
import { ServiceRole } from '../constructs/service-role';
import { IngestLakeStack } from './ingest-lake-stack';

/** CodeBuild buildspecs: the same commands a developer runs (README), then cdktf against the platform team's backend. */
export const TEST_AND_SYNTH_BUILDSPEC = `version: 0.2
env:
  variables:
    CI: "true"
    TURBO_TELEMETRY_DISABLED: "1"
    CHECKPOINT_DISABLE: "1"
phases:
  install:
    runtime-versions:
      nodejs: 22
  build:
    commands:
      - npm install && npm test
      - INGEST_ENV=$INGEST_ENV npm run synth
artifacts:
  base-directory: .
  files:
    - cdktf.out/**/*
    - collector-ec2/dist/**/*
    - collector-ec2/manifests/**/*
    - functions/*/dist/**/*
`;

export function deployBuildspec(config: EnvironmentConfig, lakeBucket: string): string {
  return `version: 0.2
env:
  variables:
    CHECKPOINT_DISABLE: "1"
phases:
  install:
    runtime-versions:
      nodejs: 22
    commands:
      - npm install --global cdktf-cli@0.21.0
  build:
    commands:
      - npm install
      - INGEST_ENV=${config.environment} npx cdktf deploy --auto-approve --skip-synth --app "" '${config.project}-${config.environment}-*'
      - aws s3 cp collector-ec2/dist/collector.cjs s3://${lakeBucket}/${config.collector.artifactKey}
      - aws s3 cp collector-ec2/dist/collector.cjs.map s3://${lakeBucket}/${config.collector.artifactKey}.map
      - aws s3 sync collector-ec2/manifests/ s3://${lakeBucket}/artifacts/collector/manifests/ --exclude "*.local.json"
      # Publish the new bundle to the running collector without SSH (SSM Run Command).
      - >-
        aws ssm send-command --document-name AWS-RunShellScript --targets Key=tag:role,Values=collector
        --parameters commands="aws s3 cp s3://${lakeBucket}/${config.collector.artifactKey} /opt/ingest-collector/collector.cjs"
`;
}

/**
 * CI/CD: source (CodeStar connection) → CodeBuild test + synth → manual approval in prod →
 * CodeBuild `cdktf deploy` against the platform team's backend → collector bundle published to
 * the instance through SSM.
 */
export class PipelineStack extends IngestLakeStack {
  readonly pipeline: Codepipeline;

  constructor(scope: Construct, config: EnvironmentConfig, inputs: { key: LakeKey; accessLogs: SecureBucket; lakeBucketName: string }) {
    super(scope, 'pipeline', config);
    const artifacts = new SecureBucket(this, 'artifacts', {
      bucketName: this.name('pipeline-artifacts'),
      kmsKey: inputs.key.key,
      accessLogBucket: inputs.accessLogs,
      lifecycleRules: [{ id: 'expire-artifacts', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 90 }], noncurrentVersionExpiration: [{ noncurrentDays: 7 }] }],
    });
    const logs = new CloudwatchLogGroup(this, 'build-logs', { name: `/aws/codebuild/${this.name('pipeline')}`, retentionInDays: 90, kmsKeyId: inputs.key.key.arn });
    const buildRole = new ServiceRole(this, 'build-role', {
      roleName: this.name('build'),
      servicePrincipal: 'codebuild.amazonaws.com',
      guard: 'source-account',
      grants: [
        artifacts.grantRead(''),
        artifacts.grantWrite(''),
        inputs.key.grantEncryptDecrypt(),
        { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logs.arn}:*`] },
      ],
    });
    // Applying Terraform for every stack needs broad rights: PowerUserAccess (no IAM), plus IAM
    // limited to this project's role and instance-profile names.
    const account = new DataAwsCallerIdentity(this, 'account');
    const deployRole = new ServiceRole(this, 'deploy-role', {
      roleName: this.name('deploy'),
      servicePrincipal: 'codebuild.amazonaws.com',
      guard: 'source-account',
      managedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'],
      grants: [
        { actions: ['iam:CreateRole', 'iam:DeleteRole', 'iam:GetRole', 'iam:PassRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy', 'iam:TagRole', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:CreateInstanceProfile', 'iam:DeleteInstanceProfile', 'iam:GetInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:ListInstanceProfilesForRole'], resources: [`arn:aws:iam::${account.accountId}:role/${config.project}-${config.environment}-*`, `arn:aws:iam::${account.accountId}:instance-profile/${config.project}-${config.environment}-*`] },
        { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logs.arn}:*`] },
      ],
    });
    const project = (id: string, role: ServiceRole, buildspec: string) =>
      new CodebuildProject(this, id, {
        name: this.name(id),
        serviceRole: role.role.arn,
        encryptionKey: inputs.key.key.arn,
        artifacts: { type: 'CODEPIPELINE' },
        source: { type: 'CODEPIPELINE', buildspec },
        environment: {
          computeType: 'BUILD_GENERAL1_MEDIUM',
          image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
          type: 'LINUX_CONTAINER',
          environmentVariable: [{ name: 'INGEST_ENV', value: config.environment }],
        },
        logsConfig: { cloudwatchLogs: { groupName: logs.name } },
      });
    const testAndSynth = project('test-synth', buildRole, TEST_AND_SYNTH_BUILDSPEC);
    const deploy = project('deploy', deployRole, deployBuildspec(config, inputs.lakeBucketName));
    const pipelineRole = new ServiceRole(this, 'pipeline-role', {
      roleName: this.name('pipeline'),
      servicePrincipal: 'codepipeline.amazonaws.com',
      guard: 'source-account',
      grants: [
        artifacts.grantRead(''),
        artifacts.grantWrite(''),
        inputs.key.grantEncryptDecrypt(),
        // ARNs built from the names, not read from the projects: the role's policy then does not wait on them.
        {
          actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
          resources: ['test-synth', 'deploy'].map((id) => `arn:aws:codebuild:${config.region}:${account.accountId}:project/${this.name(id)}`),
        },
        { actions: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], resources: [config.pipeline.connectionArn] },
      ],
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
      { name: 'TestAndSynth', action: [{ name: 'TestAndSynth', category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1', inputArtifacts: ['source'], outputArtifacts: ['synth'], configuration: { ProjectName: testAndSynth.name } }] },
      ...(config.environment === 'prod'
        ? [{ name: 'Approve', action: [{ name: 'Approve', category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1', configuration: { CustomData: 'Review the synthesized plan before deploying to prod.' } }] }]
        : []),
      { name: 'Deploy', action: [{ name: 'Deploy', category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1', inputArtifacts: ['synth'], configuration: { ProjectName: deploy.name } }] },
    ];
    this.pipeline = new Codepipeline(this, 'pipeline', {
      name: this.name('pipeline'),
      roleArn: pipelineRole.role.arn,
      pipelineType: 'V2',
      artifactStore: [{ location: artifacts.bucket.bucket, type: 'S3', encryptionKey: { id: inputs.key.key.arn, type: 'KMS' } }],
      stage: stages,
    });
  }
}
