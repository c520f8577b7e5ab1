import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';

export interface LakeKeyProps {
  /** Alias name without `alias/`. */
  alias: string;
  /** Service principals that may use the key through their service (e.g. `logs.<region>.amazonaws.com`). */
  servicePrincipals?: string[];
  /** @default 30 */
  deletionWindowDays?: number;
}

/** A customer-managed KMS key with rotation, for S3, Kinesis, Firehose, logs and Athena results. */
export class LakeKey extends Construct {
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: LakeKeyProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, 'account');
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      statement: [
        {
          sid: 'AccountAdministersKey',
          principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${account.accountId}:root`] }],
          actions: ['kms:*'],
          resources: ['*'],
        },
        ...(props.servicePrincipals?.length
          ? [
              {
                sid: 'ServicesUseKey',
                principals: [{ type: 'Service', identifiers: props.servicePrincipals }],
                actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
                resources: ['*'],
              },
            ]
          : []),
      ],
    });
    this.key = new KmsKey(this, 'key', {
      description: `${props.alias} data key`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowDays ?? 30,
      policy: policy.json,
    });
    new KmsAlias(this, 'alias', { name: `alias/${props.alias}`, targetKeyId: this.key.keyId });
  }

  /** IAM statement letting a principal use the key for data (encrypt/decrypt). */
  grantEncryptDecrypt(): { actions: string[]; resources: string[] } {
    return { actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'], resources: [this.key.arn] };
  }
}
