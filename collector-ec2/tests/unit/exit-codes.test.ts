import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BudgetExhaustedError } from '../../src/budget/call-budget';
import { DownloadVerificationError } from '../../src/bulk/bulk-download';
import { EXIT, EXIT_CODE_BY_ERROR_CODE, exitCodeFor } from '../../src/cli/exit-codes';
import { RuntimeSettingsError } from '../../src/cli/runtime-settings';
import type { CollectorError } from '../../src/collector-error';
import { ApiKeyError } from '../../src/config/api-key';
import { ManifestError } from '../../src/config/manifest';
import { CuratedRowError } from '../../src/curate/pack-rows';
import { ParquetValueError } from '../../src/curate/parquet-columns';
import type { LeaseRecord } from '../../src/lease/lease-decision';
import { LeaseHeldError, LeaseLostError } from '../../src/lease/snapshot-lease';
import { WorkDirLockedError } from '../../src/lease/work-dir-lock';
import { QuarantineFileError } from '../../src/parse/quarantine-writer';
import { QuarantineCountError } from '../../src/pipeline/collect-snapshot';
import { FileFormatError } from '../../src/pipeline/csv-file-ingest';
import { ApiPageError } from '../../src/pipeline/json-api-ingest';
import { ArchivedObjectError } from '../../src/pipeline/replay-snapshot';
import { ProducerStalledError } from '../../src/produce/kinesis-producer';
import { FileMutexTimeoutError } from '../../src/state/file-mutex';
import { StateConflictError } from '../../src/state/state-store';
import { VendorRequestError, VendorUnavailableError } from '../../src/vendor/vendor-client';

const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

/** The exit codes the README lists ("Exit codes: 0 done and reconciled · 1 unexpected · …"). */
function documentedExitCodes(): number[] {
  const list = /^Exit codes: ([\s\S]*?)\. Codes /m.exec(readme)?.[1];
  if (list === undefined) throw new Error('README.md: no "Exit codes:" paragraph');
  return list.split(/\s·\s/).map((item) => Number(/^\s*(\d+) /.exec(item)?.[1]));
}

/** The README's table of error codes by exit code ("| 2 | `MANIFEST_INVALID` (`ManifestError`), … |"). */
function documentedErrorCodes(): Record<string, number> {
  const rows = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)];
  return Object.fromEntries(rows.flatMap(([, exitCode, codes]) => [...codes!.matchAll(/`([A-Z_]+)`/g)].map(([, code]) => [code!, Number(exitCode)])));
}

const holder = { runId: 'run-a', host: 'ip-10-0-1-5', pid: 200, workDir: '/var/lib/ingest-collector/app_market/snapshot=2026-11-20', startedAt: '2026-11-21T02:29:59.000Z' };
const lease: LeaseRecord = {
  version: 1,
  dataset: 'app_market',
  snapshot: '2026-11-20',
  holder,
  acquiredAt: '2026-11-21T02:30:00.000Z',
  renewedAt: '2026-11-21T02:30:00.000Z',
  expiresAt: '2026-11-21T02:35:00.000Z',
  ttlSeconds: 300,
};

/** One error of every class the collector throws, and the exit code the CLI gave it before codes existed. */
const cases: Array<[CollectorError, number]> = [
  [new ManifestError('m.json', [{ field: 'dataset', problem: 'unknown' }]), EXIT.configuration],
  [new RuntimeSettingsError('--ledger / COLLECTOR_LEDGER', 'expected "s3"'), EXIT.configuration],
  [new ApiKeyError('ssm /k', 'parameter is empty'), EXIT.configuration],
  [new BudgetExhaustedError({ period: '2026-11', cap: 10, spent: 10, reserved: 0, remaining: 0 }, 13), EXIT.budgetExhausted],
  [new VendorUnavailableError('http://vendor/x', 6, 'HTTP 503'), EXIT.vendor],
  [new VendorRequestError('http://vendor/x', 403, 'forbidden'), EXIT.vendor],
  [new DownloadVerificationError('f.csv.gz', 'sha256 differs'), EXIT.vendor],
  [new ProducerStalledError(600_000), EXIT.kinesis],
  [new QuarantineCountError('q.ndjson', 3, 4), EXIT.unreconciled],
  [new QuarantineFileError('q.ndjson', 10, 20), EXIT.unreconciled],
  [new FileFormatError('f.csv.gz', 'header does not match'), EXIT.fileFormat],
  [new LeaseHeldError('s3://lake/lease.json', lease, 0), EXIT.leaseHeld],
  [new WorkDirLockedError('/work/collector.lock', undefined, 0), EXIT.leaseHeld],
  [new LeaseLostError('s3://lake/lease.json', 'renewal failed'), EXIT.leaseLost],
  [new ApiPageError(3, 'not JSON'), EXIT.unexpected],
  [new ArchivedObjectError('lake', 'raw/f.csv.gz', 'GLACIER'), EXIT.unexpected],
  [new CuratedRowError('app_market_apps', 2, 'bug'), EXIT.unexpected],
  [new FileMutexTimeoutError('/work/ledger.json.lock', 15_000), EXIT.unexpected],
  [new ParquetValueError('downloads', 'x'), EXIT.unexpected],
  [new StateConflictError('s3://lake/ledger.json'), EXIT.unexpected],
];

describe('exit codes come from the error code', () => {
  test("the README lists exactly the CLI's exit codes", () => {
    expect(documentedExitCodes()).toEqual(Object.values(EXIT));
  });

  test('every error code maps to a documented exit code', () => {
    const documented = documentedExitCodes();
    for (const [code, exitCode] of Object.entries(EXIT_CODE_BY_ERROR_CODE)) expect({ code, documented: documented.includes(exitCode) }).toEqual({ code, documented: true });
  });

  test("the README's table of error codes is the one the CLI uses", () => {
    expect(documentedErrorCodes()).toEqual(EXIT_CODE_BY_ERROR_CODE);
  });

  test.each(cases.map(([error, exitCode]) => [error.name, error.code, exitCode, error] as const))('%s (%s) exits %d', (_name, _code, exitCode, error) => {
    expect(exitCodeFor(error)).toBe(exitCode);
  });

  test('every class has its own code and every code has a class', () => {
    const codes = cases.map(([error]) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(Object.keys(EXIT_CODE_BY_ERROR_CODE).sort());
  });

  test('anything that is not a CollectorError is unexpected, whatever code it carries', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.unexpected);
    expect(exitCodeFor(Object.assign(new Error('look-alike'), { code: 'LEASE_HELD' }))).toBe(EXIT.unexpected);
    expect(exitCodeFor('a string')).toBe(EXIT.unexpected);
  });
});
