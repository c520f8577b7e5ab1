import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MotoServer } from '@ingest-lake/local-emulators';
import { ApiKeyError, resolveApiKey } from '../../src/config/api-key';
import { parseManifest } from '../../src/config/manifest';
import manifestJson from '../../manifests/app_market.local.json';

/** The vendor API key from SSM Parameter Store and Secrets Manager, through the real SDK v3 clients, against moto. */
describe('API key sources in AWS (moto)', () => {
  const moto = new MotoServer();

  beforeAll(async () => {
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await moto.start();
    const ssm = new SSMClient(moto.clientConfig());
    const secrets = new SecretsManagerClient(moto.clientConfig());
    try {
      await ssm.send(new PutParameterCommand({ Name: '/ingest/vendor-key', Value: 'ssm-key-123', Type: 'SecureString' }));
      await secrets.send(new CreateSecretCommand({ Name: 'vendor/plain', SecretString: 'plain-key-456' }));
      await secrets.send(new CreateSecretCommand({ Name: 'vendor/json', SecretString: JSON.stringify({ apiKey: 'json-key-789', other: 1 }) }));
    } finally {
      ssm.destroy();
      secrets.destroy();
    }
  }, 60_000);
  afterAll(() => moto.stop(), 30_000);

  const withSource = (source: unknown) => parseManifest({ ...manifestJson, vendor: { ...manifestJson.vendor, auth: { source } } }, 'test');
  const resolve = (source: unknown) => resolveApiKey(withSource(source), {}, moto.clientConfig());

  test('a SecureString parameter is read decrypted', async () => {
    await expect(resolve({ type: 'ssm', parameter: '/ingest/vendor-key' })).resolves.toBe('ssm-key-123');
  });

  test('a secret is read whole, or one field of a JSON secret', async () => {
    await expect(resolve({ type: 'secretsmanager', secretId: 'vendor/plain' })).resolves.toBe('plain-key-456');
    await expect(resolve({ type: 'secretsmanager', secretId: 'vendor/json', jsonKey: 'apiKey' })).resolves.toBe('json-key-789');
  });

  test.each([
    ['a missing parameter', { type: 'ssm', parameter: '/ingest/nope' }, 'vendor API key from ssm /ingest/nope: ParameterNotFound'],
    ['a missing secret', { type: 'secretsmanager', secretId: 'vendor/nope' }, 'vendor API key from secretsmanager vendor/nope: ResourceNotFoundException'],
    ['a JSON field that is not there', { type: 'secretsmanager', secretId: 'vendor/json', jsonKey: 'key' }, 'no string field "key"'],
    ['a JSON field that is not a string', { type: 'secretsmanager', secretId: 'vendor/json', jsonKey: 'other' }, 'no string field "other"'],
    ['a jsonKey on a secret that is not JSON', { type: 'secretsmanager', secretId: 'vendor/plain', jsonKey: 'apiKey' }, 'the secret is not JSON'],
  ])('%s is an ApiKeyError that names the source and the reason', async (_label, source, message) => {
    const attempt = resolve(source);
    await expect(attempt).rejects.toBeInstanceOf(ApiKeyError);
    await expect(attempt).rejects.toThrow(message);
  });
});
