import type { ColumnDef } from './column';
import type { ColumnMap, Dataset, RecordOf } from './dataset';

/** Lineage values appended to every curated record. */
export interface Lineage {
  dedupKey: string;
  /** Canonical UTC timestamp text. */
  ingestedAt: string;
  origin: string;
}

/** Encodes one normalised record plus lineage as one line of newline-delimited JSON. */
export type CuratedEncoder<R> = (record: R, lineage: Lineage) => string;

/**
 * Code for the JSON text of one column value. bigint and decimal values travel as strings in
 * JavaScript (no precision loss): the curated form writes them as JSON numbers (what Firehose's
 * Parquet conversion and DuckDB's read_json expect), the wire form keeps them JSON strings so the
 * transform parses them exactly. Canonical dates and timestamps need no escaping.
 */
function valueExpression(column: ColumnDef, access: string, form: 'curated' | 'wire'): string {
  let present: string;
  switch (column.kind) {
    case 'bigint':
    case 'decimal':
      present = form === 'curated' ? access : `'"' + ${access} + '"'`;
      break;
    case 'date':
    case 'timestamp':
      present = `'"' + ${access} + '"'`;
      break;
    case 'int':
    case 'double':
      present = `String(${access})`;
      break;
    case 'boolean':
      present = `(${access} ? 'true' : 'false')`;
      break;
    default:
      present = `S(${access})`;
  }
  return column.nullable ? `(${access} === null ? 'null' : ${present})` : present;
}

/**
 * Compiles the curated NDJSON encoder of a dataset (columns in declaration order, then lineage).
 * Datasets whose values are all JSON-native use one JSON.stringify of an object literal (V8's
 * fastest path); datasets with bigint or decimal columns concatenate per column so that those
 * values are written as exact numbers.
 */
export function compileCuratedEncoder<C extends ColumnMap>(dataset: Dataset<C>): CuratedEncoder<RecordOf<Dataset<C>>> {
  const hasExactNumbers = dataset.columnNames.some((name) => {
    const kind = dataset.columns[name]!.kind;
    return kind === 'bigint' || kind === 'decimal';
  });
  if (!hasExactNumbers) {
    const fields = dataset.columnNames.map((name) => `${JSON.stringify(name)}: r[${JSON.stringify(name)}]`);
    fields.push('_dedup_key: l.dedupKey', '_ingested_at: l.ingestedAt', '_origin: l.origin');
    const source = `return function encode${dataset.name}(r, l) { return S({ ${fields.join(', ')} }) + '\\n'; };`;
    return new Function('S', source)(JSON.stringify) as CuratedEncoder<RecordOf<Dataset<C>>>;
  }
  const parts = dataset.columnNames.map((name, i) => {
    const prefix = (i === 0 ? '{' : ',') + JSON.stringify(name) + ':';
    return `${JSON.stringify(prefix)} + ${valueExpression(dataset.columns[name]!, `r[${JSON.stringify(name)}]`, 'curated')}`;
  });
  parts.push(`',"_dedup_key":' + S(l.dedupKey)`, `',"_ingested_at":' + S(l.ingestedAt)`, `',"_origin":' + S(l.origin)`);
  const source = `return function encode${dataset.name}(r, l) { return ${parts.join(' + ')} + '}\\n'; };`;
  return new Function('S', source)(JSON.stringify) as CuratedEncoder<RecordOf<Dataset<C>>>;
}

/** Encodes one normalised record as a positional pack entry line `[line,v1,v2,…]` (see the Kinesis record codec). */
export type PackEntryEncoder<R> = (record: R, sourceLine: number) => string;

/**
 * Compiles the pack-entry encoder producers use on the hot path: positional, in the dataset's
 * column order (the pack header lists the columns once). Values keep their wire form: bigint and
 * decimal stay JSON strings (no precision loss when the transform parses them), and canonical
 * dates and timestamps need no escaping.
 */
export function compilePackEntryEncoder<C extends ColumnMap>(dataset: Dataset<C>): PackEntryEncoder<RecordOf<Dataset<C>>> {
  const parts = dataset.columnNames.map((name) => `',' + ${valueExpression(dataset.columns[name]!, `r[${JSON.stringify(name)}]`, 'wire')}`);
  const source = `return function encodeEntry${dataset.name}(r, line) { return '[' + line + ${parts.join(' + ')} + ']'; };`;
  return new Function('S', source)(JSON.stringify) as PackEntryEncoder<RecordOf<Dataset<C>>>;
}
