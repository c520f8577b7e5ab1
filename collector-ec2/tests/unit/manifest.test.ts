import { vendorApiKeyParameterName } from '@ingest-lake/shared';
import { ManifestError, parseManifest, vendorTarget } from '../../src/config/manifest';
import { retryAfterMs } from '../../src/vendor/vendor-client';
import manifestJson from '../../manifests/app_market.json';
import localManifestJson from '../../manifests/app_market.local.json';

describe('collector manifests', () => {
  test('the shipped manifests are valid and point at the app_market vendor dataset', () => {
    for (const json of [manifestJson, localManifestJson]) {
      const manifest = parseManifest(json, 'shipped');
      expect(manifest.vendorDataset.metadataFiles).toHaveLength(12);
    }
  });

  test("the AWS manifest's default API key parameter is the one infra grants and operators create (prod; user data overrides it per environment)", () => {
    expect(manifestJson.vendor.auth.source).toEqual({ type: 'ssm', parameter: vendorApiKeyParameterName('ingest-lake', 'prod') });
  });

  test.each([
    ['unknown dataset', { ...manifestJson, dataset: 'nope' }, 'dataset: unknown vendor dataset "nope"'],
    ['bad base URL', { ...manifestJson, vendor: { ...manifestJson.vendor, baseUrl: 'not a url' } }, 'vendor.baseUrl:'],
    ['unknown field', { ...manifestJson, extra: 1 }, '(root):'],
    ['zero quota', { ...manifestJson, quota: { callsPerPeriod: 0, period: 'month' } }, 'quota.callsPerPeriod:'],
    ['bad auth source', { ...manifestJson, vendor: { ...manifestJson.vendor, auth: { header: 'X', source: { type: 'ssm', parameter: 'no-slash' } } } }, 'vendor.auth.source.parameter:'],
    ['unknown mapped column', { ...manifestJson, api: { ...manifestJson.api, fieldMap: { nope: '/x' } } }, 'api.fieldMap.nope:'],
  ])('%s → an error naming the manifest and field', (_label, json, message) => {
    expect(() => parseManifest(json, 'm.json')).toThrow(ManifestError);
    expect(() => parseManifest(json, 'm.json')).toThrow(`manifest m.json: `);
    expect(() => parseManifest(json, 'm.json')).toThrow(message);
  });

  test('vendor targets fill placeholders, encode path segments and refuse unknown placeholders', () => {
    expect(vendorTarget('/bulk/{dataset}/{file}', { date: '{snapshot}' }, { dataset: 'a b', file: 'x.csv.gz', snapshot: '2026-11-20' }, { limit: '5' })).toBe(
      '/bulk/a%20b/x.csv.gz?date=2026-11-20&limit=5',
    );
    expect(() => vendorTarget('/{nope}', {}, {})).toThrow('unknown placeholder {nope}');
  });

  test.each([
    ['120', 120_000],
    ['Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT') - Date.parse('Wed, 21 Oct 2026 07:27:00 GMT')],
    ['soon', undefined],
    [null, undefined],
  ])('Retry-After %p → %p ms', (header, expected) => {
    expect(retryAfterMs(header, Date.parse('Wed, 21 Oct 2026 07:27:00 GMT'))).toBe(expected);
  });
});
