import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MotoServer } from '@ingest-lake/local-emulators';
import type { SynthesizedStack } from '../../src/terraform/stack-manifest';

/**
 * Points synthesized stacks at a moto server without touching the product's JSON: a
 * `moto_override.tf.json` beside each `cdk.tf.json` (Terraform merges override files over the
 * configuration, as LocalStack's tflocal does) sets test credentials, path-style S3 and one retry
 * (moto answers unimplemented calls with 500, and the provider's retries would stall an apply for
 * minutes); the endpoint comes from AWS_ENDPOINT_URL. Region, default tags and backends stay as
 * synthesized.
 */
export function pointAtMoto(stack: SynthesizedStack, options: { replaceBackendWithLocal?: string } = {}): void {
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
  if (options.replaceBackendWithLocal) {
    // Prod's S3 backend belongs to the platform team: in tests only, its state goes to a local file.
    override.terraform = { backend: { local: { path: options.replaceBackendWithLocal } } };
  }
  writeFileSync(path.join(stack.dir, 'moto_override.tf.json'), JSON.stringify(override, null, 2));
}

/** A moto server the way the deploy tests need it: AWS managed policies loaded, policy conditions with AWS's meaning. */
export function motoForTerraform(): MotoServer {
  return new MotoServer({ env: { MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' }, awsFidelity: true });
}

/** Terraform's environment for a moto endpoint. */
export function motoTerraformEnv(base: NodeJS.ProcessEnv, endpoint: string): NodeJS.ProcessEnv {
  return { ...base, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'ap-northeast-2' };
}
