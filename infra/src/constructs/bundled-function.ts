import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AssetType, TerraformAsset } from 'cdktf';
import { LAMBDA_RUNTIME } from '@ingest-lake/shared';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EncryptedLogGroup } from './encrypted-log-group';
import type { LakeKey } from './lake-key';
import { ServiceRole, type Grantee } from './service-role';

/** A built Lambda bundle: `dist/lambda.zip` plus `dist/asset.json` from scripts/bundle-lambda.ts. */
export interface LambdaBundle {
  zipPath: string;
  /** Base64 SHA-256 of the zip, as Terraform's source_code_hash expects. */
  sha256Base64: string;
  handler: string;
}

/** Reads a function's deterministic bundle; fails synth with a clear message when it was not built. */
export function lambdaBundle(distDir: string): LambdaBundle {
  let asset: { sha256: string; handler: string };
  try {
    asset = JSON.parse(readFileSync(path.join(distDir, 'asset.json'), 'utf8')) as { sha256: string; handler: string };
  } catch {
    throw new Error(`no Lambda bundle in ${distDir}: run \`npm run build\` before synth`);
  }
  return { zipPath: path.join(distDir, 'lambda.zip'), sha256Base64: Buffer.from(asset.sha256, 'hex').toString('base64'), handler: asset.handler };
}

export interface BundledFunctionProps {
  /** The function's name (also its role's and log group's). */
  functionName: string;
  /** The built bundle (`lambdaBundle(<package>'s dist)`). */
  bundle: LambdaBundle;
  /** Environment variables (never secrets). */
  environment: Record<string, string>;
  /** Encrypts the environment and the log group. */
  key: LakeKey;
  /** @default 1024 */
  memoryMb?: number;
  /** @default 60 (Firehose allows the transform up to 5 minutes; 1 minute bounds retries) */
  timeoutSeconds?: number;
  /** @default 90 */
  logRetentionDays?: number;
}

/** A Node.js Lambda from a deterministic esbuild zip, with its own KMS-encrypted log group and role. */
export class BundledFunction extends Construct {
  /** The function's ARN. */
  readonly arn: string;
  /** The function's name. */
  readonly functionName: string;
  /** The function's execution role, for grants of what the code calls (`stream.grantScale(fn.grantPrincipal)`). */
  readonly grantPrincipal: Grantee;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const asset = new TerraformAsset(this, 'asset', { path: props.bundle.zipPath, type: AssetType.FILE });
    const logGroup = new EncryptedLogGroup(this, 'logs', { logGroupName: `/aws/lambda/${props.functionName}`, key: props.key, retentionDays: props.logRetentionDays ?? 90 });
    const role = new ServiceRole(this, 'role', { roleName: props.functionName, servicePrincipal: 'lambda.amazonaws.com', guard: 'none' });
    logGroup.grantWrite(role);
    // Active tracing: PutTraceSegments and PutTelemetryRecords have no resource-level permissions.
    role.addGrants({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] });
    const lambda = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      role: role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: props.bundle.handler,
      filename: asset.path,
      sourceCodeHash: props.bundle.sha256Base64,
      memorySize: props.memoryMb ?? 1024,
      timeout: props.timeoutSeconds ?? 60,
      kmsKeyArn: props.key.arn,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
      environment: { variables: { NODE_OPTIONS: '--enable-source-maps', ...props.environment } },
      dependsOn: [logGroup],
    });
    this.arn = lambda.arn;
    this.functionName = lambda.functionName;
    this.grantPrincipal = role;
  }

  /**
   * Lets a role invoke the function, any version or alias, and read its configuration (what
   * Firehose's data-transformation role needs: https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html).
   */
  grantInvoke(grantee: Grantee): void {
    grantee.addGrants({ actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'], resources: [this.arn, `${this.arn}:*`] });
  }
}
