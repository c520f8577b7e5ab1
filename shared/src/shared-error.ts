/** The stable code of each error `@ingest-lake/shared` throws on purpose: branch on it, never on a message. */
export type SharedErrorCode =
  | 'DATASET_DECLARATION_INVALID'
  | 'DELIVERY_SETTINGS_INVALID'
  | 'ENTRY_TOO_LARGE'
  | 'HEADER_MISMATCH'
  | 'JSON_PATH_UNSUPPORTED'
  | 'MAPPING_TEMPLATE_SYNTAX'
  | 'PREFIX_EXPRESSION_UNRESOLVED'
  | 'RECORD_UNDECODABLE';

/**
 * The base of every error class of `@ingest-lake/shared` (decision 0020): a `code` that stays the
 * same when a message is reworded, and the error it wraps, if any, as the standard `cause`.
 */
export abstract class SharedError extends Error {
  abstract readonly code: SharedErrorCode;
}
