/** The stable code of each error the transform throws on purpose: branch on it, never on a message. */
export type FirehoseTransformErrorCode = 'TRANSFORM_ENVIRONMENT_INVALID';

/**
 * The base of every error class of `@ingest-lake/firehose-transform` (decision 0020): a `code` that
 * stays the same when a message is reworded, and the error it wraps, if any, as the standard `cause`.
 * Bad records are not errors: they are outcomes (`record-outcome.ts`).
 */
export abstract class FirehoseTransformError extends Error {
  abstract readonly code: FirehoseTransformErrorCode;
}
