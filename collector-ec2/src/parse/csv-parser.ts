import { isUtf8 } from 'node:buffer';
import { SPAN_ESCAPED_QUOTES, SPAN_QUOTED, spanText } from '@ingest-lake/shared';

/**
 * A streaming RFC 4180 CSV parser over bytes, tuned for very large vendor files.
 *
 * It never decodes text on the hot path: each row is handed over as spans into the decompressed
 * bytes (see `CsvRow`), which the compiled row encoder turns into pack entries directly
 * (docs/decisions/0007). Text is decoded only when asked for (`field`, `fields`), e.g. for the
 * header, for quarantine records and for the reference validation path.
 *
 * - Quoted fields may contain commas, escaped quotes (`""`), CR and LF; a UTF-8 BOM at the start
 *   and CRLF line endings are accepted; a bare quote inside an unquoted field is kept literally.
 * - UTF-8 is verified once per chunk (`buffer.isUtf8`, native); a row with invalid bytes is
 *   reported, never decoded to replacement characters.
 * - Problems never stop the parse: a row that cannot be read is reported with the physical line it
 *   starts on and the reason, and parsing resumes on the next line. A row longer than
 *   `maxRowBytes` is reported (`row_too_large`, or `unterminated_quote` when a quote is still
 *   open), so memory stays bounded whatever the input.
 */

export type CsvProblemReason = 'unterminated_quote' | 'text_after_quote' | 'invalid_utf8' | 'row_too_large';

export interface CsvProblem {
  /** 1-based physical line where the row starts. */
  line: number;
  reason: CsvProblemReason;
  /** The offending text, truncated to a few hundred characters. */
  excerpt: string;
}

export interface CsvParserOptions {
  /** Largest row accepted, in bytes. @default 1_000_000 (under Kinesis' 1 MiB record limit) */
  maxRowBytes?: number;
}

/**
 * One parsed row, as a view that is only valid during the `onRow` call (the parser reuses it).
 * Field `i` spans `bytes[spans[3i], spans[3i+1])`, without its surrounding quotes; `spans[3i+2]`
 * holds its flags (`SPAN_QUOTED`, `SPAN_ESCAPED_QUOTES`: the layout the shared row encoder reads).
 */
export class CsvRow {
  bytes: Buffer = Buffer.alloc(0);
  spans = new Int32Array(3 * 64);
  fieldCount = 0;
  /** 1-based physical line where the row starts. */
  line = 0;

  /** Field `index` as text (escaped quotes collapsed). */
  field(index: number): string {
    const at = index * 3;
    return spanText(this.bytes, this.spans[at]!, this.spans[at + 1]!, this.spans[at + 2]!);
  }

  fields(): string[] {
    const fields = new Array<string>(this.fieldCount);
    for (let i = 0; i < this.fieldCount; i++) fields[i] = this.field(i);
    return fields;
  }

  /** True for a line with nothing on it. */
  get isBlank(): boolean {
    return this.fieldCount === 1 && this.spans[0] === this.spans[1] && this.spans[2] === 0;
  }
}

export type RowHandler = (row: CsvRow) => void;
export type ProblemHandler = (problem: CsvProblem) => void;

const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;
const LF = 10;
const EXCERPT_BYTES = 200;
const EMPTY = Buffer.alloc(0);

// Outcomes of scanning one row; ROW means `row` and `rowEnd` are set.
const ROW = 0;
const INCOMPLETE = 1;
const TEXT_AFTER_QUOTE = 2;
const UNTERMINATED_QUOTE = 3;
const TOO_LARGE_UNQUOTED = 4;

export class CsvParser {
  private pending: Buffer = EMPTY;
  private line = 1;
  private atFileStart = true;
  /** Set after an oversize line was reported: its remaining bytes are discarded up to the next LF. */
  private skippingToLineEnd = false;
  private readonly maxRowBytes: number;
  private readonly row = new CsvRow();
  /** Index just past the row's terminator (LF), or the input end. */
  private rowEnd = 0;
  /** LFs inside quoted fields of the row. */
  private rowNewlines = 0;

  constructor(options: CsvParserOptions = {}) {
    this.maxRowBytes = options.maxRowBytes ?? 1_000_000;
    if (!(this.maxRowBytes > 0)) throw new RangeError('CsvParserOptions.maxRowBytes must be a positive number');
  }

  /** Feeds bytes; complete rows are handed to `onRow` synchronously. */
  push(chunk: Buffer, onRow: RowHandler, onProblem: ProblemHandler): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.drain(onRow, onProblem, false);
  }

  /** Signals the end of input; a final row without a newline is emitted. */
  end(onRow: RowHandler, onProblem: ProblemHandler): void {
    this.drain(onRow, onProblem, true);
    this.pending = EMPTY;
  }

  /** Physical lines consumed so far (the next row starts on this line). */
  get currentLine(): number {
    return this.line;
  }

  private drain(onRow: RowHandler, onProblem: ProblemHandler, final: boolean): void {
    let buf = this.pending;
    if (this.atFileStart) {
      if (buf.length < 3 && !final) return;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      this.atFileStart = false;
    }
    let pos = 0;
    const n = buf.length;
    if (this.skippingToLineEnd) {
      const newline = buf.indexOf(LF);
      if (newline === -1) {
        this.pending = EMPTY;
        return;
      }
      this.skippingToLineEnd = false;
      this.line++;
      pos = newline + 1;
    }
    // Rows ending at or before `verifiedEnd` are known to be valid UTF-8 (one native pass).
    const lastNewline = final ? n - 1 : buf.lastIndexOf(LF);
    const verifiedEnd = lastNewline >= pos && isUtf8(buf.subarray(pos, lastNewline + 1)) ? lastNewline + 1 : pos;
    const row = this.row;
    row.bytes = buf;
    while (pos < n) {
      const outcome = this.scanRow(buf, pos, n, final);
      if (outcome === INCOMPLETE) break;
      if (outcome === ROW) {
        row.line = this.line;
        if (this.rowEnd - pos > this.maxRowBytes) {
          onProblem({ line: this.line, reason: 'row_too_large', excerpt: excerpt(buf, pos) });
        } else if (this.rowEnd > verifiedEnd && !isUtf8(buf.subarray(pos, this.rowEnd))) {
          onProblem({ line: this.line, reason: 'invalid_utf8', excerpt: excerpt(buf, pos) });
        } else {
          onRow(row);
        }
        this.line += this.rowNewlines + 1;
        pos = this.rowEnd;
        continue;
      }
      if (outcome === TOO_LARGE_UNQUOTED) {
        // The row is still open and already too large: report it now and drop it up to its LF.
        onProblem({ line: this.line, reason: 'row_too_large', excerpt: excerpt(buf, pos) });
        this.skippingToLineEnd = true;
        pos = n;
        break;
      }
      // A row that cannot be read: resume after the physical line where it starts. Wait for that
      // line's end first (within the row limit), so the report does not depend on chunk boundaries.
      const lineEnd = buf.indexOf(LF, pos);
      if (lineEnd === -1 && !final && n - pos <= this.maxRowBytes) break;
      onProblem({
        line: this.line,
        reason: outcome === TEXT_AFTER_QUOTE ? 'text_after_quote' : 'unterminated_quote',
        excerpt: excerpt(buf, pos),
      });
      if (lineEnd === -1) {
        this.skippingToLineEnd = !final;
        pos = n;
        break;
      }
      this.line++;
      pos = lineEnd + 1;
    }
    // Keep the unconsumed tail in a buffer of its own so the large chunk can be collected.
    this.pending = pos >= n ? EMPTY : Buffer.from(buf.subarray(pos));
    row.bytes = EMPTY;
  }

  /** Scans the row starting at `start` into `this.row`; on ROW sets `rowEnd` and `rowNewlines`. */
  private scanRow(buf: Buffer, start: number, n: number, final: boolean): number {
    const row = this.row;
    let spans = row.spans;
    let count = 0;
    let newlines = 0;
    let pos = start;
    const limit = start + this.maxRowBytes;
    // The first LF at or after the current quoted field (-1: none left), found lazily.
    let nextNewline = buf.indexOf(LF, start);
    for (;;) {
      if (count * 3 + 3 > spans.length) {
        const grown = new Int32Array(spans.length * 2);
        grown.set(spans);
        spans = row.spans = grown;
      }
      if (pos < n && buf[pos] === QUOTE) {
        let flags = SPAN_QUOTED;
        let j = pos + 1;
        // Quoted fields are long (names, addresses): jump between quotes with the native search.
        for (;;) {
          const quote = buf.indexOf(QUOTE, j);
          if (quote === -1 || quote > limit) return n > limit || final ? UNTERMINATED_QUOTE : INCOMPLETE;
          if (nextNewline !== -1 && nextNewline < quote) {
            // Line feeds inside the field: count them (they keep line numbers physical).
            if (nextNewline < j) nextNewline = buf.indexOf(LF, j);
            while (nextNewline !== -1 && nextNewline < quote) {
              newlines++;
              nextNewline = buf.indexOf(LF, nextNewline + 1);
            }
          }
          if (quote + 1 >= n && !final) return INCOMPLETE;
          if (buf[quote + 1] === QUOTE) {
            flags |= SPAN_ESCAPED_QUOTES;
            j = quote + 2;
            continue;
          }
          j = quote;
          break;
        }
        spans[count * 3] = pos + 1;
        spans[count * 3 + 1] = j;
        spans[count * 3 + 2] = flags;
        count++;
        pos = j + 1;
        if (pos >= n) {
          if (!final) return INCOMPLETE;
          return this.rowFound(count, newlines, n);
        }
        const next = buf[pos];
        if (next === COMMA) {
          pos++;
          continue;
        }
        if (next === LF) return this.rowFound(count, newlines, pos + 1);
        if (next === CR) {
          if (pos + 1 >= n) return final ? this.rowFound(count, newlines, n) : INCOMPLETE;
          if (buf[pos + 1] === LF) return this.rowFound(count, newlines, pos + 2);
        }
        return TEXT_AFTER_QUOTE;
      }
      let j = pos;
      while (j < n) {
        const byte = buf[j]!;
        // Digits, letters and most punctuation sort above ',': one comparison for most bytes.
        if (byte > COMMA || (byte !== COMMA && byte !== LF)) j++;
        else break;
      }
      if (j >= n && !final) return n - start > this.maxRowBytes ? TOO_LARGE_UNQUOTED : INCOMPLETE;
      // CR of a CRLF (or of a final CR) ends the row, not the field.
      const end = j > pos && buf[j - 1] === CR && (j >= n || buf[j] === LF) ? j - 1 : j;
      spans[count * 3] = pos;
      spans[count * 3 + 1] = end;
      spans[count * 3 + 2] = 0;
      count++;
      if (j >= n) return this.rowFound(count, newlines, n);
      if (buf[j] === COMMA) {
        pos = j + 1;
        continue;
      }
      return this.rowFound(count, newlines, j + 1);
    }
  }

  private rowFound(fieldCount: number, newlines: number, end: number): number {
    this.row.fieldCount = fieldCount;
    this.rowNewlines = newlines;
    this.rowEnd = end;
    return ROW;
  }
}

function excerpt(buf: Buffer, from: number): string {
  const newline = buf.indexOf(LF, from);
  const end = Math.min(newline === -1 ? buf.length : newline, from + EXCERPT_BYTES);
  const text = buf.toString('utf8', from, end);
  return end - from >= EXCERPT_BYTES ? `${text}…` : text;
}
