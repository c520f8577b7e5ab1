import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { resourceName } from '../config/environment-config';

/**
 * Base of every stack: its own Terraform state (the platform team's S3 backend, key
 * `<keyPrefix>/<stack>.tfstate`, or a relative local file in dev), the AWS provider, and the
 * default tags that put project, environment, owner and cost centre on every resource.
 */
export abstract class IngestLakeStack extends TerraformStack {
  readonly config: EnvironmentConfig;

  constructor(scope: Construct, concern: string, config: EnvironmentConfig) {
    super(scope, resourceName(config, concern));
    this.config = config;
    const backend = config.backend;
    if (backend.type === 's3') {
      new S3Backend(this, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${concern}.tfstate`,
        region: backend.region,
        encrypt: true,
        ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : { useLockfile: backend.useLockfile }),
      });
    } else {
      new LocalBackend(this, { path: `terraform.${concern}.tfstate` });
    }
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: projectTags(config) }],
    });
  }

  /** `<project>-<environment>-<name>`. */
  name(suffix: string): string {
    return resourceName(this.config, suffix);
  }
}

/** The tags every resource carries (provider default tags). */
export function projectTags(config: EnvironmentConfig): Record<string, string> {
  return { project: config.project, environment: config.environment, owner: config.owner, 'cost-centre': config.costCentre, 'managed-by': 'cdktf' };
}
