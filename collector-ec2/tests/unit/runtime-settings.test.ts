import { S3Client } from '@aws-sdk/client-s3';
import { leaseStore, metricPublishers, runtimeSettings, waitForLeaseSeconds, withRuntimeOverrides } from '../../src/cli/runtime-settings';
import { parseManifest } from '../../src/config/manifest';
import { CloudWatchHeaderDriftPublisher } from '../../src/metrics/header-drift-publisher';
import { CloudWatchSnapshotCompletionPublisher } from '../../src/metrics/snapshot-completion-publisher';
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

  test('the metrics environment: none by default (no drift or completion metric is put); flag over COLLECTOR_METRICS_ENVIRONMENT; a bad name is refused', () => {
    const base = { COLLECTOR_LAKE_BUCKET: 'lake' };
    expect(runtimeSettings({ manifest: 'm.json' }, base).metricsEnvironment).toBeUndefined();
    expect(metricPublishers(runtimeSettings({ manifest: 'm.json' }, base))).toEqual({});
    const env = { ...base, COLLECTOR_METRICS_ENVIRONMENT: 'prod' };
    expect(runtimeSettings({ manifest: 'm.json' }, env).metricsEnvironment).toBe('prod');
    expect(runtimeSettings({ manifest: 'm.json', metricsEnvironment: 'dev' }, env).metricsEnvironment).toBe('dev');
    expect(metricPublishers(runtimeSettings({ manifest: 'm.json' }, env))).toEqual({
      headerDrift: expect.any(CloudWatchHeaderDriftPublisher),
      snapshotCompletion: expect.any(CloudWatchSnapshotCompletionPublisher),
    });
    expect(() => runtimeSettings({ manifest: 'm.json', metricsEnvironment: 'Prod East' }, base)).toThrow('--metrics-environment / COLLECTOR_METRICS_ENVIRONMENT');
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

describe('lease and checkpoint settings', () => {
  const base = { COLLECTOR_LAKE_BUCKET: 'lake' };

  test('defaults: a 300 s lease TTL and 200,000 rows between checkpoints; flags over the environment', () => {
    expect(runtimeSettings({ manifest: 'm.json' }, base)).toMatchObject({ leaseTtlSeconds: 300, checkpointEveryRows: 200_000 });
    const env = { ...base, COLLECTOR_LEASE_TTL_SECONDS: '120', COLLECTOR_CHECKPOINT_EVERY_ROWS: '50000' };
    expect(runtimeSettings({ manifest: 'm.json' }, env)).toMatchObject({ leaseTtlSeconds: 120, checkpointEveryRows: 50_000 });
    expect(runtimeSettings({ manifest: 'm.json', leaseTtl: '2.5', checkpointEveryRows: '10' }, env)).toMatchObject({ leaseTtlSeconds: 2.5, checkpointEveryRows: 10 });
  });

  test.each([
    ['COLLECTOR_LEASE_TTL_SECONDS', '0', '--lease-ttl / COLLECTOR_LEASE_TTL_SECONDS: expected a number ≥ 1, got "0"'],
    ['COLLECTOR_LEASE_TTL_SECONDS', 'five', '--lease-ttl / COLLECTOR_LEASE_TTL_SECONDS: expected a number ≥ 1, got "five"'],
    ['COLLECTOR_CHECKPOINT_EVERY_ROWS', '1.5', '--checkpoint-every-rows / COLLECTOR_CHECKPOINT_EVERY_ROWS: expected an integer ≥ 1, got "1.5"'],
    ['COLLECTOR_CHECKPOINT_EVERY_ROWS', '', '--checkpoint-every-rows / COLLECTOR_CHECKPOINT_EVERY_ROWS: expected an integer ≥ 1, got ""'],
  ])('%s=%j is refused, naming the flag and the variable', (name, value, message) => {
    expect(() => runtimeSettings({ manifest: 'm.json' }, { ...base, [name]: value })).toThrow(message);
  });

  test.each<[boolean | string | undefined, number]>([
    [undefined, 0],
    [true, Number.POSITIVE_INFINITY],
    ['90', 90],
    ['0', 0],
  ])('--wait-for-lease %j → %d s', (flag, seconds) => {
    expect(waitForLeaseSeconds(flag)).toBe(seconds);
  });

  test('--wait-for-lease with a value that is not seconds is refused', () => {
    expect(() => waitForLeaseSeconds('soon')).toThrow('--wait-for-lease: expected seconds ≥ 0, got "soon"');
  });

  test('the lease lives where the ledger does: the lake next to the report, or beside the ledger file', () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    expect(leaseStore(runtimeSettings({ manifest: 'm.json' }, base), 'app_market', '2026-11-20', s3).describe()).toBe(
      's3://lake/state/collector/app_market/snapshot=2026-11-20/lease.json',
    );
    expect(leaseStore(runtimeSettings({ manifest: 'm.json', ledger: 'file:/var/tmp/ledger.json' }, base), 'app_market', '2026-11-20', s3).describe()).toBe(
      'file /var/tmp/leases/app_market/snapshot=2026-11-20.json',
    );
    s3.destroy();
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
