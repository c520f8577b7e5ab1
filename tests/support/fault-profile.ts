/**
 * Size of the fault suites. The short profile runs in `npm test`; the long one before a release:
 * `FAULT_PROFILE=long npm run test:faults -w @ingest-lake/tests` (see docs/reliability.md).
 */
export const LONG_PROFILE = process.env.FAULT_PROFILE === 'long';

export const FAULT_SIZES = LONG_PROFILE
  ? { vendorRows: 500_000, loadRequests: 100_000 }
  : { vendorRows: 30_000, loadRequests: 5_000 };
