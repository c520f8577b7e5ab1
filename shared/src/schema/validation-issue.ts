/** Machine-readable reasons a record fails validation; they name error prefixes and metric dimensions. */
export type IssueReason =
  | 'not_an_object'
  | 'missing_field'
  | 'null_value'
  | 'unexpected_field'
  | 'wrong_type'
  | 'invalid_value'
  | 'too_long';

/** One problem with one record: which field, why, what was expected and what was there. */
export interface ValidationIssue {
  readonly field: string;
  readonly reason: IssueReason;
  readonly expected: string;
  readonly value?: unknown;
}

export type ValidationResult<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly issue: ValidationIssue };

const MAX_SHOWN_VALUE_LENGTH = 80;

/** Renders a value for an error message, truncated so that a huge field cannot flood a log line. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN_VALUE_LENGTH ? `${text.slice(0, MAX_SHOWN_VALUE_LENGTH)}…(${text.length} chars)` : text;
}

/** One-line human form of an issue, e.g. `field "count": invalid_value (expected int (32-bit), got "abc")`. */
export function formatIssue(issue: ValidationIssue): string {
  const got = 'value' in issue ? `, got ${describeValue(issue.value)}` : '';
  return `field "${issue.field}": ${issue.reason} (expected ${issue.expected}${got})`;
}
