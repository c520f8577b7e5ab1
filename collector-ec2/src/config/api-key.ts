import type { CollectorManifest } from './manifest';

/** The API key source named by the manifest could not be read. */
export class ApiKeyError extends Error {
  constructor(source: string, problem: string) {
    super(`vendor API key from ${source}: ${problem}`);
    this.name = 'ApiKeyError';
  }
}

/**
 * Reads the vendor API key from where the manifest says: an environment variable locally, SSM
 * Parameter Store or Secrets Manager in AWS (the key never appears in user data or on disk).
 */
export async function resolveApiKey(manifest: CollectorManifest, env: Record<string, string | undefined>): Promise<string> {
  const source = manifest.vendor.auth.source;
  switch (source.type) {
    case 'env': {
      const value = env[source.name];
      if (!value) throw new ApiKeyError(`env ${source.name}`, 'not set');
      return value;
    }
    case 'ssm': {
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const client = new SSMClient({});
      try {
        const response = await client.send(new GetParameterCommand({ Name: source.parameter, WithDecryption: true }));
        const value = response.Parameter?.Value;
        if (!value) throw new ApiKeyError(`ssm ${source.parameter}`, 'parameter is empty');
        return value;
      } finally {
        client.destroy();
      }
    }
    case 'secretsmanager': {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({});
      try {
        const response = await client.send(new GetSecretValueCommand({ SecretId: source.secretId }));
        const secret = response.SecretString;
        if (!secret) throw new ApiKeyError(`secretsmanager ${source.secretId}`, 'secret has no string value');
        if (!source.jsonKey) return secret;
        const value = (JSON.parse(secret) as Record<string, unknown>)[source.jsonKey];
        if (typeof value !== 'string' || value === '') throw new ApiKeyError(`secretsmanager ${source.secretId}`, `no string field "${source.jsonKey}"`);
        return value;
      } finally {
        client.destroy();
      }
    }
  }
}
