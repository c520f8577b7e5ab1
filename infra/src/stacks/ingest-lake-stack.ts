import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { resourceName } from '../config/environment-config';
import { REQUIRED_TERRAFORM_VERSION } from '../terraform/terraform-cli';

/** What every stack takes. */
export interface IngestLakeStackProps {
  /** The environment's validated configuration. */
  config: EnvironmentConfig;
}

/**
 * Base of every stack: its own Terraform state (the platform team's S3 backend, key
 * `<keyPrefix>/<stack>.tfstate`, or a local file beside `cdktf.out/` in dev), the AWS provider, and the
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
      // Terraform runs each stack in cdktf.out/stacks/<stack>/: a path relative to that folder lands every
      // stack's state (and every terraform_remote_state reading it) in one place beside cdktf.out/,
      // which `cdktf synth` never clears.
      new LocalBackend(this, { path: localStatePath(config.environment, concern) });
    }
    // The Terraform the S3 backend's use_lockfile needs; the provider version is the one the bindings
    // were generated for (decision 0008), pinned exactly so CI validates what deploys.
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
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

/** A local backend's state file, relative to the stack's folder `cdktf.out/stacks/<stack>/`: `<repo>/.terraform-state/<env>/<concern>.tfstate`. */
export function localStatePath(environment: string, concern: string): string {
  return `../../../.terraform-state/${environment}/${concern}.tfstate`;
}

/** The tags every resource carries (provider default tags). */
export function projectTags(config: EnvironmentConfig): Record<string, string> {
  return { project: config.project, environment: config.environment, owner: config.owner, 'cost-centre': config.costCentre, 'managed-by': 'cdktf' };
}
