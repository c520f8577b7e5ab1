import { GlueSecurityConfiguration } from '@cdktf/provider-aws/lib/glue-security-configuration';
import { Construct } from 'constructs';
import type { LakeKey } from './lake-key';
import type { Grantee } from './service-role';

export interface GlueJobEncryptionProps {
  /** The security configuration's name. */
  configurationName: string;
  /** Encrypts the job's CloudWatch logs and S3 writes. */
  key: LakeKey;
  /** The region of the jobs' log groups (`/aws-glue/*`). */
  region: string;
  /** The account of the jobs' log groups (this account). */
  accountId: string;
}

/**
 * A Glue security configuration for Python shell jobs: CloudWatch logs and S3 writes encrypted with
 * the lake key, bookmarks off (Python shell jobs have none). The configuration is the construct's
 * default child: it keeps the Terraform address `<id>`.
 */
export class GlueJobEncryption extends Construct {
  /** The security configuration's name, for a job's `securityConfiguration`. */
  readonly name: string;
  private readonly key: LakeKey;
  private readonly logGroups: string;

  constructor(scope: Construct, id: string, props: GlueJobEncryptionProps) {
    super(scope, id);
    const configuration = new GlueSecurityConfiguration(this, 'Default', {
      name: props.configurationName,
      encryptionConfiguration: {
        cloudwatchEncryption: { cloudwatchEncryptionMode: 'SSE-KMS', kmsKeyArn: props.key.arn },
        s3Encryption: { s3EncryptionMode: 'SSE-KMS', kmsKeyArn: props.key.arn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'DISABLED' },
      },
    });
    this.name = configuration.name;
    this.key = props.key;
    this.logGroups = `arn:aws:logs:${props.region}:${props.accountId}:log-group:/aws-glue/*`;
  }

  /**
   * Lets a job role run under the configuration. Glue attaches the key to the job's log groups as
   * the job role (AWSGlueServiceRole lets it create them, not attach a key), and uses the key as the
   * job role for the logs and S3 writes, which AWS documents only as the full encrypt+decrypt set.
   */
  grantUse(jobRole: Grantee): void {
    jobRole.addGrants({ actions: ['logs:AssociateKmsKey'], resources: [this.logGroups] });
    this.key.grantEncryptDecrypt(jobRole);
  }
}
