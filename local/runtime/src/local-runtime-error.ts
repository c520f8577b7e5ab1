/** The stable code of each error the local runtime throws on purpose: branch on it, never on a message. */
export type LocalRuntimeErrorCode =
  | 'DASHBOARD_PAGE_MISSING'
  | 'DELIVERY_RANGE_GONE'
  | 'DELIVERY_SETTING_UNSUPPORTED'
  | 'LAMBDA_INVOCATION_FAILED'
  | 'LOCAL_OVERRIDE_OUT_OF_RANGE';

/**
 * The base of every error class of `@ingest-lake/local-runtime` (decision 0020): a `code` that
 * stays the same when a message is reworded, and the error it wraps, if any, as the standard `cause`.
 */
export abstract class LocalRuntimeError extends Error {
  abstract readonly code: LocalRuntimeErrorCode;
}
