import { runtimeSettings, withRuntimeOverrides } from '../../src/cli/runtime-settings';
import { parseManifest } from '../../src/config/manifest';
import manifestJson from '../../manifests/app_market.json';
import localManifestJson from '../../manifests/app_market.local.json';

describe('runtimeSettings', () => {
  test('flags win over the environment, which wins over defaults', () => {
    const env = { COLLECTOR_LAKE_BUCKET: 'env-lake', COLLECTOR_STREAM_NAME: 'env-stream', COLLECTOR_LEDGER: 'file:/tmp/l.json' };
    const settings = runtimeSettings({ manifest: 'm.json', lakeBucket: 'flag-lake' }, env);
    expect(settings).toMatchObject({ lakeBucket: 'flag-lake', streamName: 'env-stream', ledger: 'file:/tmp/l.json' });
    expect(runtimeSettings({ manifest: 'm.json' }, env).lakeBucket).toBe('env-lake');
    expect(runtimeSettings({ manifest: 'm.json' }, env).workDir).toBe('/var/lib/ingest-collector');
  });

  test('the lake bucket is required, and the error names both ways to give it', () => {
    expect(() => runtimeSettings({ manifest: 'm.json' }, {})).toThrow('--lake-bucket / COLLECTOR_LAKE_BUCKET');
  });

  test('the API key parameter: flag over COLLECTOR_API_KEY_PARAMETER; a name without a leading "/" is refused, naming both', () => {
    const env = { COLLECTOR_LAKE_BUCKET: 'lake', COLLECTOR_API_KEY_PARAMETER: '/ingest-lake/dev/vendor/api-key' };
    expect(runtimeSettings({ manifest: 'm.json' }, env).apiKeyParameter).toBe('/ingest-lake/dev/vendor/api-key');
    expect(runtimeSettings({ manifest: 'm.json', apiKeyParameter: '/flag/key' }, env).apiKeyParameter).toBe('/flag/key');
    expect(runtimeSettings({ manifest: 'm.json' }, { COLLECTOR_LAKE_BUCKET: 'lake' }).apiKeyParameter).toBeUndefined();
    expect(() => runtimeSettings({ manifest: 'm.json' }, { ...env, COLLECTOR_API_KEY_PARAMETER: 'vendor/api-key' })).toThrow(
      '--api-key-parameter / COLLECTOR_API_KEY_PARAMETER: expected an SSM parameter name starting with "/", got "vendor/api-key"',
    );
  });
});

describe('withRuntimeOverrides', () => {
  const aws = parseManifest(manifestJson, 'app_market.json');
  const local = parseManifest(localManifestJson, 'app_market.local.json');
  const settings = (env: Record<string, string>) => runtimeSettings({ manifest: 'm.json' }, { COLLECTOR_LAKE_BUCKET: 'lake', ...env });

  test.each([
    ['the AWS manifest', aws],
    ['a manifest reading an environment variable', local],
  ])("the user data's parameter replaces %s's key source with that SSM parameter", (_label, manifest) => {
    const run = withRuntimeOverrides(manifest, settings({ COLLECTOR_API_KEY_PARAMETER: '/ingest-lake/dev/vendor/api-key' }));
    expect(run.vendor.auth).toEqual({ header: manifest.vendor.auth.header, source: { type: 'ssm', parameter: '/ingest-lake/dev/vendor/api-key' } });
  });

  test('without settings the manifest is used as written; stream and vendor URL are replaced when given', () => {
    expect(withRuntimeOverrides(aws, settings({}))).toEqual(aws);
    const run = withRuntimeOverrides(aws, settings({ COLLECTOR_STREAM_NAME: 'ingest-lake-dev-app-market-daily', COLLECTOR_VENDOR_URL: 'http://127.0.0.1:9' }));
    expect(run.kinesis.streamName).toBe('ingest-lake-dev-app-market-daily');
    expect(run.vendor.baseUrl).toBe('http://127.0.0.1:9');
    expect(run.vendor.auth).toEqual(aws.vendor.auth);
  });
});
