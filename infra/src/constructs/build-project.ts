import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { Construct } from 'constructs';
import type { EncryptedLogGroup } from './encrypted-log-group';
import type { LakeKey } from './lake-key';
import type { Grantee, ServiceRole } from './service-role';

export interface BuildProjectProps {
  /** The project's name. */
  projectName: string;
  /** The role its builds run as. */
  role: ServiceRole;
  /** Encrypts the build outputs. */
  key: LakeKey;
  /** The buildspec's text (the build takes its source and artifacts from CodePipeline). */
  buildspec: string;
  /** Where the builds log. */
  logGroup: EncryptedLogGroup;
  /** Plain-text environment variables (never secrets). @default none */
  environmentVariables?: Record<string, string>;
  /** The project's region (its ARN, for grants, is built from region, account and name). */
  region: string;
  /** The project's account (this account). */
  accountId: string;
}

/**
 * A CodeBuild project run by CodePipeline: Amazon Linux standard 5.0 on a medium container, KMS
 * outputs, logs to the given group. The project is the construct's default child: it keeps the
 * Terraform address `<id>`.
 */
export class BuildProject extends Construct {
  /** The project's name. */
  readonly name: string;
  /** The project's ARN, built from its name: a policy naming it does not wait on the project. */
  private readonly arn: string;

  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const project = new CodebuildProject(this, 'Default', {
      name: props.projectName,
      serviceRole: props.role.arn,
      encryptionKey: props.key.arn,
      artifacts: { type: 'CODEPIPELINE' },
      source: { type: 'CODEPIPELINE', buildspec: props.buildspec },
      environment: {
        computeType: 'BUILD_GENERAL1_MEDIUM',
        image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        type: 'LINUX_CONTAINER',
        ...(props.environmentVariables ? { environmentVariable: Object.entries(props.environmentVariables).map(([name, value]) => ({ name, value })) } : {}),
      },
      logsConfig: { cloudwatchLogs: { groupName: props.logGroup.name } },
    });
    this.name = project.name;
    this.arn = `arn:aws:codebuild:${props.region}:${props.accountId}:project/${props.projectName}`;
  }

  /** Lets a role start builds of the project and follow them (CodePipeline's build actions). */
  grantStartBuilds(grantee: Grantee): void {
    grantee.addGrants({ actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'], resources: [this.arn] });
  }
}
