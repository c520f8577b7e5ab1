import type { EnvironmentConfig } from '../config/environment-config';
import type { Grant, Grantee } from './service-role';

/**
 * The platform team's Terraform state, which this project does not own: objects under the
 * environment's key prefix in their S3 bucket, and their DynamoDB lock table when configured.
 * Referenced only to grant the pipeline's builds their share; nothing is created. A `local`
 * backend (a personal sandbox) has nothing to grant.
 */
export class TerraformStateBackend {
  private readonly backend: EnvironmentConfig['backend'];
  private readonly accountId: string;

  /** `accountId` is the lock table's account (this account). */
  constructor(backend: EnvironmentConfig['backend'], accountId: string) {
    this.backend = backend;
    this.accountId = accountId;
  }

  /**
   * Lets a role read every stack's state and take the lock, writing nothing else (the plan build):
   * Terraform's S3 lock file is `<key>.tflock`, written and deleted around every plan.
   */
  grantReadAndLock(grantee: Grantee): void {
    grantee.addGrants(...this.grants('read-and-lock'));
  }

  /** Lets a role read and write every stack's state under the lock (the apply build). */
  grantReadWrite(grantee: Grantee): void {
    grantee.addGrants(...this.grants('read-write'));
  }

  private grants(access: 'read-and-lock' | 'read-write'): Grant[] {
    const backend = this.backend;
    if (backend.type !== 's3') return [];
    const bucket = `arn:aws:s3:::${backend.bucket}`;
    return [
      { actions: ['s3:ListBucket'], resources: [bucket] },
      { actions: ['s3:GetObject'], resources: [`${bucket}/${backend.keyPrefix}/*`] },
      { actions: ['s3:PutObject', 's3:DeleteObject'], resources: [access === 'read-write' ? `${bucket}/${backend.keyPrefix}/*` : `${bucket}/${backend.keyPrefix}/*.tflock`] },
      ...(backend.dynamodbTable
        ? [{ actions: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [`arn:aws:dynamodb:${backend.region}:${this.accountId}:table/${backend.dynamodbTable}`] }]
        : []),
    ];
  }
}
