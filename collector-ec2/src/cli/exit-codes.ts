import { CollectorError, type CollectorErrorCode } from '../collector-error';

/** Exit codes, documented in the collector README; systemd and alarms key on them. */
export const EXIT = {
  ok: 0,
  /** A bug or an unexpected failure. */
  unexpected: 1,
  /** Bad flags, settings, manifest or API key source. */
  configuration: 2,
  /** The contract's call budget cannot cover the run; nothing was called. */
  budgetExhausted: 3,
  /** The vendor failed or refused, or a download could not be verified; the next run resumes. */
  vendor: 4,
  /** Kinesis made no progress; the next run resumes from the checkpoint. */
  kinesis: 5,
  /** Finished, but counts do not reconcile (should never happen; investigate). */
  unreconciled: 6,
  /** A file's header does not match the dataset schema. */
  fileFormat: 7,
  /** Another live run holds the snapshot (its lease, or its work folder's lock); nothing was called. Not a failure. */
  leaseHeld: 8,
  /** This run lost its lease (renewal failed, or another run took it) and stopped before its next vendor call; the next run resumes. */
  leaseLost: 9,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The exit code of each collector error code. Every code has a row (the compiler sees to it), so a
 * new error class chooses its exit code where it is added; bugs and conflicts that should not
 * happen stay `unexpected`, as does any error that is not a `CollectorError`.
 */
export const EXIT_CODE_BY_ERROR_CODE: Readonly<Record<CollectorErrorCode, ExitCode>> = {
  MANIFEST_INVALID: EXIT.configuration,
  RUNTIME_SETTINGS_INVALID: EXIT.configuration,
  API_KEY_UNAVAILABLE: EXIT.configuration,
  BUDGET_EXHAUSTED: EXIT.budgetExhausted,
  VENDOR_UNAVAILABLE: EXIT.vendor,
  VENDOR_REQUEST_REFUSED: EXIT.vendor,
  DOWNLOAD_UNVERIFIED: EXIT.vendor,
  PRODUCER_STALLED: EXIT.kinesis,
  QUARANTINE_COUNT_MISMATCH: EXIT.unreconciled,
  QUARANTINE_FILE_TRUNCATED: EXIT.unreconciled,
  FILE_FORMAT_INVALID: EXIT.fileFormat,
  LEASE_HELD: EXIT.leaseHeld,
  WORK_DIR_LOCKED: EXIT.leaseHeld,
  LEASE_LOST: EXIT.leaseLost,
  API_PAGE_INVALID: EXIT.unexpected,
  ARCHIVED_OBJECT: EXIT.unexpected,
  CURATED_ROW_INVALID: EXIT.unexpected,
  FILE_MUTEX_TIMEOUT: EXIT.unexpected,
  PARQUET_VALUE_UNSTORABLE: EXIT.unexpected,
  STATE_CONFLICT: EXIT.unexpected,
};

/** The exit code for a failed run, read from the error's `code`. */
export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof CollectorError ? EXIT_CODE_BY_ERROR_CODE[error.code] : EXIT.unexpected;
}
