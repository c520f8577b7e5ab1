import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { LakeKey } from './lake-key';
import type { Grant, Grantee } from './service-role';

export interface SecureBucketProps {
  /** The bucket's name. */
  bucketName: string;
  /** KMS key for default encryption; absent = SSE-S3 (only for the access-log bucket, which S3 log delivery cannot write with KMS). */
  kmsKey?: LakeKey;
  /** Bucket receiving server access logs (its policy must admit S3 log delivery first). */
  accessLogBucket?: SecureBucket;
  /** Lifecycle rules (expiry, transitions). @default none */
  lifecycleRules?: S3BucketLifecycleConfigurationRule[];
  /** Keep object versions. @default true */
  versioned?: boolean;
  /**
   * Receive S3 server access logs of this account's buckets (this one is their `accessLogBucket`): the
   * bucket policy lets the log delivery service put objects, only for buckets of this account (AWS's
   * recommended `aws:SourceAccount` condition). @default none
   */
  serverAccessLogsSourceAccount?: string;
}

/**
 * An S3 bucket that is secure by default: public access blocked, object ownership enforced
 * (no ACLs), default encryption (KMS when a key is given), versioning, a bucket policy denying
 * any request without TLS, server access logging, lifecycle rules.
 */
export class SecureBucket extends Construct {
  private readonly bucket: S3Bucket;
  /** The bucket's name. */
  readonly bucketName: string;
  /** The bucket's ARN. */
  readonly arn: string;
  private readonly kmsKey?: LakeKey;
  /** The bucket policy: anything that needs the policy in force (log delivery into it) depends on this. */
  private readonly policy: S3BucketPolicy;
  private readonly policyDocument: DataAwsIamPolicyDocument;
  private readonly policyStatements: DataAwsIamPolicyDocumentStatement[];

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', { bucket: props.bucketName, forceDestroy: false });
    this.bucketName = this.bucket.bucket;
    this.arn = this.bucket.arn;
    this.kmsKey = props.kmsKey;
    new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKey
            ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKey.arn }
            : { sseAlgorithm: 'AES256' },
          bucketKeyEnabled: props.kmsKey !== undefined,
        },
      ],
    });
    if (props.versioned ?? true) {
      new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    }
    if (props.lifecycleRules?.length) {
      new S3BucketLifecycleConfiguration(this, 'lifecycle', { bucket: this.bucket.id, rule: props.lifecycleRules });
    }
    this.policyStatements = [
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        // {"AWS": "*"} is what "*" means; S3 (and moto) handle it in every API that reads the policy.
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        actions: ['s3:*'],
        resources: [this.bucket.arn, `${this.bucket.arn}/*`],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ];
    if (props.serverAccessLogsSourceAccount) {
      this.policyStatements.push({
        sid: 'S3ServerAccessLogs',
        principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
        actions: ['s3:PutObject'],
        resources: [`arn:aws:s3:::${props.bucketName}/*`],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.serverAccessLogsSourceAccount] }],
      });
    }
    this.policyDocument = new DataAwsIamPolicyDocument(this, 'policy', { statement: this.policyStatements });
    this.policy = new S3BucketPolicy(this, 'bucket-policy', { bucket: this.bucket.id, policy: this.policyDocument.json });
    if (props.accessLogBucket) {
      // S3 checks at PutBucketLogging that the target's policy lets log delivery write: it must exist first.
      new S3BucketLoggingA(this, 'logging', {
        bucket: this.bucket.id,
        targetBucket: props.accessLogBucket.bucket.id,
        targetPrefix: `${props.bucketName}/`,
        // Across stacks the order is already given: the access-log bucket's stack deploys first.
        ...(TerraformStack.of(this) === TerraformStack.of(props.accessLogBucket) ? { dependsOn: [props.accessLogBucket.policy] } : {}),
      });
    }
  }

  /**
   * Lets a principal that is not one of this project's roles (QuickSight's service role) use these
   * grants through the bucket policy: in its own account, S3 allows what either policy allows.
   */
  grantToPrincipal(sid: string, principalArn: string, grants: readonly Grant[]): void {
    for (const [index, grant] of grants.entries()) {
      this.policyStatements.push({
        sid: `${sid}${index + 1}`,
        principals: [{ type: 'AWS', identifiers: [principalArn] }],
        actions: grant.actions,
        resources: grant.resources,
        ...(grant.conditions ? { condition: grant.conditions } : {}),
      });
    }
    this.policyDocument.putStatement(this.policyStatements);
  }

  /**
   * Lets a role read objects under a prefix, and decrypt them with the bucket's key (S3 calls
   * kms:Decrypt as the reader: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
   */
  grantRead(grantee: Grantee, prefix = ''): void {
    grantee.addGrants(this.readGrant(prefix));
    this.kmsKey?.grantDecrypt(grantee);
  }

  /**
   * Lets a role write objects under a prefix, or under each of several, multipart included, and use
   * the bucket's key for it: kms:GenerateDataKey for every upload, kms:Decrypt because S3 needs it
   * to assemble a multipart upload's encrypted parts
   * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions).
   */
  grantWrite(grantee: Grantee, prefix: string | readonly string[] = ''): void {
    grantee.addGrants(this.writeGrant(prefix));
    if (this.kmsKey) {
      this.kmsKey.grantGenerateDataKey(grantee);
      this.kmsKey.grantDecrypt(grantee);
    }
  }

  /** The statement for reading objects under a prefix (for `grantToPrincipal`). */
  readGrant(prefix = ''): Grant {
    return { actions: ['s3:GetObject', 's3:ListBucket', 's3:GetBucketLocation'], resources: [this.bucket.arn, `${this.bucket.arn}/${prefix}*`] };
  }

  /** The statement for writing objects under a prefix, or under each of several, multipart included (for `grantToPrincipal`). */
  writeGrant(prefix: string | readonly string[] = ''): Grant {
    const prefixes = typeof prefix === 'string' ? [prefix] : prefix;
    return {
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resources: [this.bucket.arn, ...prefixes.map((p) => `${this.bucket.arn}/${p}*`)],
    };
  }
}
