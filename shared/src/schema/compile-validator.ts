import type { ColumnDef } from './column';
import type { ColumnMap, Dataset, RecordOf } from './dataset';
import type { IssueReason, ValidationIssue, ValidationResult } from './validation-issue';
import { compareHeader, headerProblems } from './header-drift';
import * as parsers from './value-parsers';
import { SharedError } from '../shared-error';

/**
 * Compiled validators. Each dataset declaration is turned once into straight-line JavaScript
 * (one branch per column, no per-column dispatch or schema walking at run time), which keeps
 * validation within a few percent of a plain JSON.parse pass. See docs/decisions/0002.
 */

/** Validates and normalises a parsed JSON value into the dataset's record type. */
export type ObjectValidator<R> = (input: unknown) => ValidationResult<R>;
/** Validates and normalises one CSV row (fields as text) into the dataset's record type. */
export type RowValidator<R> = (fields: ReadonlyArray<string>) => ValidationResult<R>;

/** Raised when a CSV header cannot be mapped onto a dataset. */
export class HeaderMismatchError extends SharedError {
  readonly code = 'HEADER_MISMATCH';
  constructor(
    readonly dataset: string,
    readonly problems: ReadonlyArray<string>,
  ) {
    super(`header does not match dataset "${dataset}": ${problems.join('; ')}`);
    this.name = 'HeaderMismatchError';
  }
}

interface TypeRule {
  /** Name of the parser in value-parsers, or undefined for strings. */
  parser?: keyof typeof parsers;
  /** Extra arguments passed to the parser (decimal precision/scale). */
  parserArgs?: (column: ColumnDef) => number[];
  /** `typeof` values a JSON input may have; anything else is wrong_type rather than invalid_value. */
  jsonTypes: ReadonlyArray<string>;
  expected: (column: ColumnDef) => string;
}

const TYPE_RULES: Record<ColumnDef['kind'], TypeRule> = {
  string: { jsonTypes: ['string'], expected: () => 'string' },
  int: { parser: 'parseInt32', jsonTypes: ['number', 'string'], expected: () => 'int (32-bit integer)' },
  bigint: { parser: 'parseInt64', jsonTypes: ['number', 'string'], expected: () => 'bigint (64-bit integer)' },
  double: { parser: 'parseDouble', jsonTypes: ['number', 'string'], expected: () => 'double (finite number)' },
  boolean: { parser: 'parseBoolean', jsonTypes: ['boolean', 'string'], expected: () => 'boolean' },
  decimal: {
    parser: 'parseDecimal',
    parserArgs: (c) => [c.precision ?? 38, c.scale ?? 0],
    jsonTypes: ['number', 'string'],
    expected: (c) => `decimal(${c.precision},${c.scale})`,
  },
  date: { parser: 'parseDate', jsonTypes: ['string'], expected: () => 'date (YYYY-MM-DD)' },
  timestamp: {
    parser: 'parseTimestamp',
    jsonTypes: ['number', 'string'],
    expected: () => 'timestamp (ISO 8601 or epoch milliseconds)',
  },
};

type IssueFactory = (field: string, reason: IssueReason, expected: string, value: unknown) => { ok: false; issue: ValidationIssue };

const makeIssue: IssueFactory = (field, reason, expected, value) => ({
  ok: false,
  issue: value === undefined ? { field, reason, expected } : { field, reason, expected, value },
});

/** Emits the statements that turn `v` into `c<index>` or return an issue. */
function columnStatements(name: string, column: ColumnDef, index: number, mode: 'json' | 'csv'): string {
  const rule = TYPE_RULES[column.kind];
  const key = JSON.stringify(name);
  const expected = JSON.stringify(rule.expected(column));
  const target = `c${index}`;
  const absentTest = mode === 'csv' ? `v === undefined || v === ''` : `v === undefined || v === null`;
  let onAbsent: string;
  if (column.nullable) onAbsent = `${target} = null;`;
  else if (mode === 'csv' && column.kind === 'string') {
    onAbsent = `if (v === '') ${target} = ''; else return issue(${key}, 'missing_field', ${expected}, undefined);`;
  } else if (mode === 'json') {
    onAbsent = `return issue(${key}, v === null ? 'null_value' : 'missing_field', ${expected}, undefined);`;
  } else onAbsent = `return issue(${key}, 'missing_field', ${expected}, undefined);`;

  let onPresent: string;
  if (rule.parser === undefined) {
    onPresent = `if (typeof v !== 'string') return issue(${key}, 'wrong_type', ${expected}, v); ${target} = v;`;
  } else {
    const extraArgs = rule.parserArgs ? rule.parserArgs(column).map((n) => `, ${n}`).join('') : '';
    const typeTest = rule.jsonTypes.map((type) => `typeof v === '${type}'`).join(' || ');
    onPresent =
      `${target} = P.${rule.parser}(v${extraArgs}); ` +
      `if (${target} === undefined) return issue(${key}, (${typeTest}) ? 'invalid_value' : 'wrong_type', ${expected}, v);`;
  }
  if (column.maxLength !== undefined) {
    onPresent +=
      ` if (${target}.length > ${column.maxLength}) ` +
      `return issue(${key}, 'too_long', ${JSON.stringify(`at most ${column.maxLength} characters`)}, v);`;
  }
  return `if (${absentTest}) { ${onAbsent} } else { ${onPresent} }`;
}

function recordLiteral(names: ReadonlyArray<string>): string {
  return `{ ${names.map((name, i) => `${JSON.stringify(name)}: c${i}`).join(', ')} }`;
}

function compile<F>(source: string): F {
  // The generated code only references the parsers and the issue factory passed in here. A plain
  // object, not the module namespace: transpiled namespaces read exports through getters.
  return new Function('P', 'issue', source)({ ...parsers }, makeIssue) as F;
}

/** Compiles the JSON-object validator of a dataset: strict (extra fields fail), normalising. */
export function compileObjectValidator<C extends ColumnMap>(dataset: Dataset<C>): ObjectValidator<RecordOf<Dataset<C>>> {
  const names = dataset.columnNames;
  const known = `{ ${names.map((n) => `${JSON.stringify(n)}: true`).join(', ')} }`;
  const body = names
    .map(
      (name, i) =>
        `v = input[${JSON.stringify(name)}]; if (v !== undefined) present++; ` +
        columnStatements(name, dataset.columns[name]!, i, 'json'),
    )
    .join('\n');
  const source = `
    const KNOWN = ${known};
    return function validate${dataset.name}(input) {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return issue('$', 'not_an_object', 'a JSON object', input);
      }
      let present = 0, v;
      let ${names.map((_, i) => `c${i}`).join(', ')};
      ${body}
      let keyCount = 0;
      for (const k in input) keyCount++;
      if (keyCount !== present) {
        for (const k in input) if (KNOWN[k] !== true) return issue(k, 'unexpected_field', 'no such column', input[k]);
      }
      return { ok: true, value: ${recordLiteral(names)} };
    };`;
  return compile(source);
}

/**
 * Maps each column of the dataset to its position in a CSV header. Header columns may come in any
 * order; unknown header columns and missing non-nullable columns raise HeaderMismatchError.
 */
export function headerPositions(dataset: Dataset, header: ReadonlyArray<string>): Map<string, number> {
  const problems = headerProblems(compareHeader(dataset, header));
  if (problems.length > 0) throw new HeaderMismatchError(dataset.name, problems);
  const positions = new Map(header.map((name, i) => [name.trim(), i]));
  return positions;
}

/**
 * Compiles a CSV-row validator for a given header. Header columns may come in any order;
 * unknown header columns and missing non-nullable columns are reported up front.
 */
export function compileRowValidator<C extends ColumnMap>(
  dataset: Dataset<C>,
  header: ReadonlyArray<string>,
): RowValidator<RecordOf<Dataset<C>>> {
  const positions = headerPositions(dataset, header);
  const names = dataset.columnNames;
  const body = names
    .map((name, i) => {
      const position = positions.get(name);
      const read = position === undefined ? 'v = undefined;' : `v = fields[${position}];`;
      return `${read} ${columnStatements(name, dataset.columns[name]!, i, 'csv')}`;
    })
    .join('\n');
  const source = `
    return function validateRow${dataset.name}(fields) {
      let v;
      let ${names.map((_, i) => `c${i}`).join(', ')};
      ${body}
      return { ok: true, value: ${recordLiteral(names)} };
    };`;
  return compile(source);
}
