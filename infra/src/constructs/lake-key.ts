import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import type { Grantee } from './service-role';

export interface LakeKeyProps {
  /** Alias name without `alias/`. */
  alias: string;
  /** Region whose CloudWatch Logs encrypts this environment's log groups with the key. */
  region: string;
  /**
   * Let CloudWatch alarms publish to SNS topics encrypted with the key (AWS: the alarm's
   * `cloudwatch.amazonaws.com` principal needs Decrypt and GenerateDataKey* in the key policy,
   * or notifications are dropped silently). @default true
   */
  cloudwatchAlarmsPublishToTopics?: boolean;
  /** @default 30 */
  deletionWindowDays?: number;
  /**
   * Principals that are not this project's roles (QuickSight's service role) and may read and write
   * data with the key: `grantEncryptDecrypt()`'s actions, in the key policy. @default none
   */
  dataUsers?: ReadonlyArray<{ sid: string; principalArn: string }>;
}

/** What reading and writing data encrypted with the key takes (S3 multipart uploads need Decrypt as well as GenerateDataKey). */
const ENCRYPT_DECRYPT_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * A customer-managed KMS key with rotation, for S3, Kinesis, Firehose, logs and Athena results.
 * Its policy lets the account delegate use through IAM (roles get grants below); services that act
 * without a role of ours (CloudWatch Logs, CloudWatch alarms to SNS) get their own statement,
 * limited to this account.
 */
export class LakeKey extends Construct {
  /** The key's ARN. */
  readonly arn: string;
  /** The key's id. */
  readonly keyId: string;

  constructor(scope: Construct, id: string, props: LakeKeyProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, 'account');
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: 'AccountAdministersKeyAndDelegatesUseToIam',
        principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${account.accountId}:root`] }],
        actions: ['kms:*'],
        resources: ['*'],
      },
      {
        // AWS's documented statement for encrypted log groups: usable only for this account's log groups.
        sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        principals: [{ type: 'Service', identifiers: [`logs.${props.region}.amazonaws.com`] }],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        condition: [{ test: 'ArnLike', variable: 'kms:EncryptionContext:aws:logs:arn', values: [`arn:aws:logs:${props.region}:${account.accountId}:log-group:*`] }],
      },
    ];
    if (props.cloudwatchAlarmsPublishToTopics ?? true) {
      statements.push({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
        principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [account.accountId] }],
      });
    }
    for (const user of props.dataUsers ?? []) {
      // In a key policy "*" is this key.
      statements.push({ sid: user.sid, principals: [{ type: 'AWS', identifiers: [user.principalArn] }], actions: ENCRYPT_DECRYPT_ACTIONS, resources: ['*'] });
    }
    const policy = new DataAwsIamPolicyDocument(this, 'policy', { statement: statements });
    const key = new KmsKey(this, 'key', {
      description: `${props.alias} data key`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: policy.json,
    });
    this.arn = key.arn;
    this.keyId = key.keyId;
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: key.keyId });
  }

  /**
   * Read data encrypted with the key: S3 GetObject of an SSE-KMS object, Kinesis GetRecords of an
   * encrypted stream (both call kms:Decrypt as the caller:
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html,
   * https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html).
   */
  grantDecrypt(grantee: Grantee): void {
    grantee.addGrants({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [this.arn] });
  }

  /**
   * Write data encrypted with the key in one request: S3 PutObject with SSE-KMS, Kinesis
   * PutRecord(s) to an encrypted stream (each calls kms:GenerateDataKey as the caller). Multipart
   * uploads also need Decrypt: `SecureBucket.grantWrite` adds it.
   */
  grantGenerateDataKey(grantee: Grantee): void {
    grantee.addGrants({ actions: ['kms:GenerateDataKey', 'kms:DescribeKey'], resources: [this.arn] });
  }

  /**
   * Every data operation: for the services that use the key on their own behalf in ways they do not
   * document narrower (CodePipeline's artifact store, CodeBuild's encryption key, Glue's security
   * configuration). Prefer the two above.
   */
  grantEncryptDecrypt(grantee: Grantee): void {
    grantee.addGrants({ actions: ENCRYPT_DECRYPT_ACTIONS, resources: [this.arn] });
  }
}
