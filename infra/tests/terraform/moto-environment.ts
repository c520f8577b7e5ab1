import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { MotoServer } from '@ingest-lake/local-emulators';
import type { SynthesizedStack } from '../../src/terraform/stack-manifest';
import { MOTO_REGION, motoClientConfig } from './read-back';

/** The S3 backend settings that send state to moto instead of AWS (bucket, key, region and locking unchanged). */
function s3BackendOnMoto(config: Record<string, unknown>, endpoint: string): Record<string, unknown> {
  return {
    ...config,
    endpoints: { s3: endpoint },
    use_path_style: true,
    access_key: 'test',
    secret_key: 'test',
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  };
}

interface StackBackends {
  terraform: { backend: Record<string, Record<string, unknown>> };
  data?: { terraform_remote_state?: Record<string, { backend: string; config: Record<string, unknown> }> };
}

const readStack = (stack: SynthesizedStack) =>
  JSON.parse(readFileSync(path.join(stack.dir, 'cdk.tf.json'), 'utf8')) as StackBackends;

/** The state buckets a set of stacks keep their state in (to be created in moto, as the platform team's would exist). */
export function stateBuckets(stacks: SynthesizedStack[]): string[] {
  return [
    ...new Set(
      stacks
        .map((stack) => readStack(stack).terraform.backend.s3?.bucket)
        .filter((b): b is string => typeof b === 'string'),
    ),
  ];
}

/**
 * Points a synthesized stack at a moto server without touching the product's JSON: a
 * `moto_override.tf.json` beside its `cdk.tf.json` (Terraform merges override files over the
 * configuration, as LocalStack's tflocal does) sets test credentials, path-style S3 and one retry
 * (moto answers unimplemented calls with 500, and the provider's retries would stall an apply for
 * minutes); the endpoint comes from AWS_ENDPOINT_URL. An S3 backend, and every
 * `terraform_remote_state` reading one, keep their bucket, key and locking but talk to moto: state
 * passes between stacks through the real S3 backend. Region, default tags and local backends stay as
 * synthesized.
 */
export function pointAtMoto(stack: SynthesizedStack, endpoint: string): void {
  const json = readStack(stack);
  const override: Record<string, unknown> = {
    provider: {
      aws: {
        access_key: 'test',
        secret_key: 'test',
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        s3_use_path_style: true,
        max_retries: 1,
      },
    },
  };
  const s3Backend = json.terraform.backend.s3;
  if (s3Backend) override.terraform = { backend: { s3: s3BackendOnMoto(s3Backend, endpoint) } };
  const remoteStates = Object.entries(json.data?.terraform_remote_state ?? {}).filter(
    ([, state]) => state.backend === 's3',
  );
  if (remoteStates.length > 0) {
    override.data = {
      terraform_remote_state: Object.fromEntries(
        remoteStates.map(([name, state]) => [name, { backend: 's3', config: s3BackendOnMoto(state.config, endpoint) }]),
      ),
    };
  }
  writeFileSync(path.join(stack.dir, 'moto_override.tf.json'), JSON.stringify(override, null, 2));
}

/**
 * A moto server the way the deploy tests need it: AWS managed policies loaded, launched through the
 * AWS-fidelity corrections. Fails with what to install when moto is missing (the suite does not skip).
 */
export function motoForTerraform(): MotoServer {
  if (spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'python3 cannot import moto: the deploy tests need moto in server mode (pip install "moto[server]==5.2.*"; the project\'s machine image has it)',
    );
  }
  return new MotoServer({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' }, awsFidelity: true });
}

/** Terraform's environment for a moto endpoint. */
export function motoTerraformEnv(base: NodeJS.ProcessEnv, endpoint: string): NodeJS.ProcessEnv {
  return {
    ...base,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'ap-northeast-2',
  };
}

/** Creates the stacks' state buckets in moto, versioned, as the platform team's exist before any deploy (this project never creates them). */
export async function createStateBuckets(stacks: SynthesizedStack[], endpoint: string): Promise<void> {
  const s3 = new S3Client({ ...motoClientConfig(endpoint), forcePathStyle: true });
  try {
    for (const bucket of stateBuckets(stacks)) {
      await s3.send(
        new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: MOTO_REGION } }),
      );
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
  } finally {
    s3.destroy();
  }
}
