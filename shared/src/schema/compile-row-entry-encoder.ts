import type { ByteSink } from '../codec/byte-sink';
import type { Dataset } from './dataset';
import { headerPositions } from './compile-validator';
import * as writers from './wire-value-writers';

/**
 * Encodes one CSV row, given as UTF-8 bytes and field spans, straight into a positional pack entry
 * `[line,v1,…,vn]` (the bytes `compilePackEntryEncoder(validate(fields).value, line)` gives), with
 * no strings or record objects on the way. `spans` holds three numbers per header field: start,
 * end (both into `src`, quotes excluded) and flags (`SPAN_QUOTED`, `SPAN_ESCAPED_QUOTES`). The
 * caller checks the field count against the header.
 *
 * Returns the row's partition date as YYYYMMDD, 0 when the dataset has no event-time value for
 * it (partition by snapshot), or -1 when the row does not validate; then nothing is appended and
 * the caller runs the row validator to learn why. See docs/decisions/0007.
 */
export type RowEntryEncoder = (src: Uint8Array, spans: Int32Array, line: number, out: ByteSink) => number;

const WRITER_OF_KIND = {
  string: 'writeString',
  int: 'writeInt',
  bigint: 'writeBigint',
  double: 'writeDouble',
  boolean: 'writeBoolean',
  decimal: 'writeDecimal',
  date: 'writeDate',
  timestamp: 'writeTimestamp',
} as const;

/** Compiles the row encoder of a dataset for one CSV header (header order may differ from the dataset's). */
export function compileRowEntryEncoder(dataset: Dataset, header: ReadonlyArray<string>): RowEntryEncoder {
  const positions = headerPositions(dataset, header);
  const lastEnd = (header.length - 1) * 3 + 1;
  const statements = dataset.columnNames.map((name) => {
    const column = dataset.columns[name]!;
    const position = positions.get(name);
    const writeNull = `b[at++] = 110; b[at++] = 117; b[at++] = 108; b[at++] = 108;`;
    if (position === undefined) return `b[at++] = 44; ${writeNull}`;
    let onEmpty: string;
    if (column.nullable) onEmpty = writeNull;
    else if (column.kind === 'string') onEmpty = `b[at++] = 34; b[at++] = 34;`;
    else onEmpty = `return -1;`;
    const extraArgs =
      column.kind === 'string'
        ? `, ${column.maxLength ?? 'Infinity'}`
        : column.kind === 'decimal'
          ? `, ${column.precision ?? 38}, ${column.scale ?? 0}`
          : '';
    const write = `at = W.${WRITER_OF_KIND[column.kind]}(src, s, e, spans[${position * 3 + 2}], b, at${extraArgs}); if (at < 0) return -1;`;
    // The partition date is the first ten characters of the event-time value's canonical text.
    const onValue = name === dataset.eventTimeColumn ? `dtAt = at + 1; ${write} dt = W.calendarDateKeyAt(b, dtAt);` : write;
    return `b[at++] = 44; s = spans[${position * 3}]; e = spans[${position * 3 + 1}];\n      if (s === e) { ${onEmpty} } else { ${onValue} }`;
  });
  // Nothing is appended to `out` unless the whole row validates.
  const source = `
    return function encodeRow${dataset.name}(src, spans, line, out) {
      out.reserve(6 * (spans[${lastEnd}] - spans[0]) + ${writers.WIRE_VALUE_SLACK * (dataset.columnNames.length + 1)});
      const b = out.bytes;
      let at = out.length, s, e, dtAt, dt = 0;
      b[at++] = 91;
      at = W.writeUnsigned(line, b, at);
      ${statements.join('\n      ')}
      b[at++] = 93;
      out.length = at;
      return dt;
    };`;
  return new Function('W', source)({ ...writers }) as RowEntryEncoder;
}
