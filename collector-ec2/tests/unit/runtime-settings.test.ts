import { runtimeSettings } from '../../src/cli/runtime-settings';

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
});
