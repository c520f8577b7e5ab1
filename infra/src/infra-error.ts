/** The stable code of each error infra's tooling throws on purpose: branch on it, never on a message. */
export type InfraErrorCode =
  | 'COLLECTOR_BULK_DELIVERY_INVALID'
  | 'COLLECTOR_SCHEDULE_UNSUPPORTED'
  | 'CONFIG_INVALID'
  | 'PIPELINE_PLAN'
  | 'PLAN_FORMAT'
  | 'SYNTHESIZED_STACKS_MISSING'
  | 'TERRAFORM_FAILED'
  | 'TERRAFORM_UNAVAILABLE'
  | 'UNKNOWN_RELATION';

/**
 * The base of every error class of `@ingest-lake/infra` (decision 0020): a `code` that stays the
 * same when a message is reworded, and the error it wraps, if any, as the standard `cause`.
 */
export abstract class InfraError extends Error {
  abstract readonly code: InfraErrorCode;
}
