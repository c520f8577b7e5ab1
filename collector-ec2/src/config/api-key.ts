import { CollectorError } from '../collector-error';
import type { CollectorManifest } from './manifest';

/** The API key source named by the manifest could not be read. */
export class ApiKeyError extends CollectorError {
  readonly code = 'API_KEY_UNAVAILABLE';
  constructor(source: string, problem: string, options?: ErrorOptions) {
    super(`vendor API key from ${source}: ${problem}`, options);
    this.name = 'ApiKeyError';
  }
}

/** Client settings for the AWS sources (tests point them at an emulator); AWS defaults otherwise. */
export interface ApiKeyClientConfig {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Reads the vendor API key from where the manifest says: an environment variable locally, SSM
 * Parameter Store or Secrets Manager in AWS (the key never appears in user data or on disk).
 * Every failure is an ApiKeyError naming the source and why (AWS error name included).
 */
export async function resolveApiKey(
  manifest: CollectorManifest,
  env: Record<string, string | undefined>,
  clientConfig: ApiKeyClientConfig = {},
): Promise<string> {
  const source = manifest.vendor.auth.source;
  switch (source.type) {
    case 'env': {
      const value = env[source.name];
      if (!value) throw new ApiKeyError(`env ${source.name}`, 'not set');
      return value;
    }
    case 'ssm': {
      const name = `ssm ${source.parameter}`;
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const client = new SSMClient(clientConfig);
      try {
        const response = await awsCall(name, () => client.send(new GetParameterCommand({ Name: source.parameter, WithDecryption: true })));
        const value = response.Parameter?.Value;
        if (!value) throw new ApiKeyError(name, 'parameter is empty');
        return value;
      } finally {
        client.destroy();
      }
    }
    case 'secretsmanager': {
      const name = `secretsmanager ${source.secretId}`;
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient(clientConfig);
      try {
        const response = await awsCall(name, () => client.send(new GetSecretValueCommand({ SecretId: source.secretId })));
        const secret = response.SecretString;
        if (!secret) throw new ApiKeyError(name, 'secret has no string value');
        if (!source.jsonKey) return secret;
        let fields: unknown;
        try {
          fields = JSON.parse(secret);
        } catch (error) {
          throw new ApiKeyError(name, `jsonKey "${source.jsonKey}" is set but the secret is not JSON`, { cause: error });
        }
        const value = (fields as Record<string, unknown> | null)?.[source.jsonKey];
        if (typeof value !== 'string' || value === '') throw new ApiKeyError(name, `no string field "${source.jsonKey}"`);
        return value;
      } finally {
        client.destroy();
      }
    }
  }
}

/** Runs one AWS call; its failure becomes an ApiKeyError that says which source and what AWS answered. */
async function awsCall<T>(source: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const { name, message } = error as Error;
    throw new ApiKeyError(source, `${name}: ${message}`, { cause: error });
  }
}
