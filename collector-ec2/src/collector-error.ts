/**
 * The stable code of each error the collector throws on purpose: branch on it, never on a message.
 * The CLI's exit code is looked up from it (`EXIT_CODE_BY_ERROR_CODE` in `cli/exit-codes.ts`).
 */
export type CollectorErrorCode =
  | 'API_KEY_UNAVAILABLE'
  | 'API_PAGE_INVALID'
  | 'ARCHIVED_OBJECT'
  | 'BUDGET_EXHAUSTED'
  | 'CURATED_ROW_INVALID'
  | 'DOWNLOAD_UNVERIFIED'
  | 'FILE_FORMAT_INVALID'
  | 'FILE_MUTEX_TIMEOUT'
  | 'LEASE_HELD'
  | 'LEASE_LOST'
  | 'MANIFEST_INVALID'
  | 'PARQUET_VALUE_UNSTORABLE'
  | 'PRODUCER_STALLED'
  | 'QUARANTINE_COUNT_MISMATCH'
  | 'QUARANTINE_FILE_TRUNCATED'
  | 'RUNTIME_SETTINGS_INVALID'
  | 'STATE_CONFLICT'
  | 'VENDOR_REQUEST_REFUSED'
  | 'VENDOR_UNAVAILABLE'
  | 'WORK_DIR_LOCKED';

/**
 * The base of every error class of `@ingest-lake/collector-ec2` (decision 0020): a `code` that
 * stays the same when a message is reworded, and the error it wraps, if any, as the standard `cause`.
 */
export abstract class CollectorError extends Error {
  abstract readonly code: CollectorErrorCode;
}
