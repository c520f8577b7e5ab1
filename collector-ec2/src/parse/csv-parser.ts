/**
 * A streaming RFC 4180 CSV parser tuned for very large vendor files.
 *
 * - Rows without a quote character (the vast majority) are split with `String#split`, which V8
 *   runs natively; only rows containing `"` go through the character state machine.
 * - Quoted fields may contain commas, escaped quotes (`""`), CR and LF; a UTF-8 BOM at the start
 *   and CRLF line endings are accepted.
 * - Problems never stop the parse: a row that cannot be read is reported with the physical line it
 *   starts on and the reason, and parsing resumes on the next line. A quote left open for more than
 *   `maxRowChars` characters is reported as `unterminated_quote` and parsing resumes after the line
 *   where it opened, so memory stays bounded whatever the input.
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
  /** Largest row accepted, in UTF-16 code units. @default 1_000_000 (under Kinesis' 1 MiB record limit) */
  maxRowChars?: number;
}

export type RowHandler = (fields: string[], line: number) => void;
export type ProblemHandler = (problem: CsvProblem) => void;

const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;
const LF = 10;
const REPLACEMENT_CHARACTER = '\uFFFD';
const EXCERPT_CHARS = 200;

type QuotedParse =
  | { kind: 'row'; fields: string[]; end: number; newlines: number }
  | { kind: 'incomplete' }
  | { kind: 'problem'; reason: CsvProblemReason };

export class CsvParser {
  private pending = '';
  private line = 1;
  private atFileStart = true;
  /** Set after an oversize line was reported: its remaining text is discarded up to the next LF. */
  private skippingOversizeLine = false;
  private readonly maxRowChars: number;

  constructor(options: CsvParserOptions = {}) {
    this.maxRowChars = options.maxRowChars ?? 1_000_000;
    if (!(this.maxRowChars > 0)) throw new RangeError('CsvParserOptions.maxRowChars must be a positive number');
  }

  /** Feeds decoded text; complete rows are handed to `onRow` synchronously. */
  push(text: string, onRow: RowHandler, onProblem: ProblemHandler): void {
    if (this.atFileStart && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.atFileStart = false;
    }
    if (this.skippingOversizeLine) {
      const newline = text.indexOf('\n');
      if (newline === -1) return;
      this.skippingOversizeLine = false;
      this.line++;
      text = text.slice(newline + 1);
    }
    this.pending = this.pending.length === 0 ? text : this.pending + text;
    this.drain(onRow, onProblem, false);
  }

  /** Signals the end of input; a final row without a newline is emitted. */
  end(onRow: RowHandler, onProblem: ProblemHandler): void {
    if (this.skippingOversizeLine) return;
    this.drain(onRow, onProblem, true);
  }

  /** Physical lines consumed so far (the next row starts on this line). */
  get currentLine(): number {
    return this.line;
  }

  private drain(onRow: RowHandler, onProblem: ProblemHandler, final: boolean): void {
    const text = this.pending;
    const checkUtf8 = text.includes(REPLACEMENT_CHARACTER);
    let pos = 0;
    while (pos < text.length) {
      let newline = text.indexOf('\n', pos);
      if (newline === -1) {
        if (!final) {
          if (text.length - pos > this.maxRowChars && text.indexOf('"', pos) === -1) {
            onProblem({ line: this.line, reason: 'row_too_large', excerpt: excerpt(text, pos) });
            this.skippingOversizeLine = true;
            pos = text.length;
          }
          break;
        }
        newline = text.length;
      }
      const quoteAt = text.indexOf('"', pos);
      if (quoteAt === -1 || quoteAt > newline) {
        const end = newline > pos && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
        const rowText = text.slice(pos, end);
        if (checkUtf8 && rowText.includes(REPLACEMENT_CHARACTER)) {
          onProblem({ line: this.line, reason: 'invalid_utf8', excerpt: excerpt(rowText, 0) });
        } else if (rowText.length > this.maxRowChars) {
          onProblem({ line: this.line, reason: 'row_too_large', excerpt: excerpt(rowText, 0) });
        } else if (rowText.length > 0 || newline < text.length) {
          onRow(rowText.split(','), this.line);
        }
        this.line++;
        pos = newline + 1;
        continue;
      }
      const parsed = this.parseQuotedRow(text, pos, final);
      if (parsed.kind === 'incomplete') break;
      if (parsed.kind === 'problem') {
        // Resume after the physical line where the bad row starts.
        const lineEnd = text.indexOf('\n', pos);
        onProblem({ line: this.line, reason: parsed.reason, excerpt: excerpt(text, pos) });
        this.line++;
        pos = lineEnd === -1 ? text.length : lineEnd + 1;
        continue;
      }
      const rowText = checkUtf8 ? text.slice(pos, parsed.end) : '';
      if (checkUtf8 && rowText.includes(REPLACEMENT_CHARACTER)) {
        onProblem({ line: this.line, reason: 'invalid_utf8', excerpt: excerpt(rowText, 0) });
      } else {
        onRow(parsed.fields, this.line);
      }
      this.line += parsed.newlines + 1;
      pos = parsed.end + 1;
    }
    this.pending = pos >= text.length ? '' : text.slice(pos);
  }

  /** Parses one row that contains a quote, starting at `start`; `end` is the index of its terminating LF (or text end). */
  private parseQuotedRow(text: string, start: number, final: boolean): QuotedParse {
    const fields: string[] = [];
    let newlines = 0;
    let pos = start;
    const limit = start + this.maxRowChars;
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        // Quoted field: read to the closing quote, unescaping "".
        let value = '';
        let segmentStart = pos + 1;
        let scan = segmentStart;
        for (;;) {
          const quote = text.indexOf('"', scan);
          if (quote === -1 || quote > limit) {
            if (quote === -1 && !final && text.length <= limit) return { kind: 'incomplete' };
            return { kind: 'problem', reason: 'unterminated_quote' };
          }
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += text.slice(segmentStart, quote + 1);
            scan = segmentStart = quote + 2;
            continue;
          }
          if (quote + 1 >= text.length && !final) return { kind: 'incomplete' };
          value += text.slice(segmentStart, quote);
          for (let i = segmentStart; i < quote; i++) if (text.charCodeAt(i) === LF) newlines++;
          pos = quote + 1;
          break;
        }
        fields.push(value);
      } else {
        // Unquoted field: up to the next comma or line end; a bare quote inside is kept literally.
        const comma = text.indexOf(',', pos);
        const lineFeed = text.indexOf('\n', pos);
        let end = comma === -1 ? lineFeed : lineFeed === -1 ? comma : Math.min(comma, lineFeed);
        if (end === -1) end = text.length;
        if (end >= text.length && !final) return { kind: 'incomplete' };
        const fieldEnd = end > pos && text.charCodeAt(end - 1) === CR && (end === text.length || text.charCodeAt(end) === LF) ? end - 1 : end;
        fields.push(text.slice(pos, fieldEnd));
        pos = end;
      }
      const next = pos < text.length ? text.charCodeAt(pos) : LF;
      if (next === COMMA) {
        pos++;
        continue;
      }
      if (next === CR && (pos + 1 >= text.length || text.charCodeAt(pos + 1) === LF)) {
        if (pos + 1 >= text.length && !final) return { kind: 'incomplete' };
        pos++;
      }
      if (pos >= text.length || text.charCodeAt(pos) === LF) {
        return { kind: 'row', fields, end: pos, newlines };
      }
      return { kind: 'problem', reason: 'text_after_quote' };
    }
  }
}

function excerpt(text: string, from: number): string {
  const end = text.indexOf('\n', from);
  const line = text.slice(from, end === -1 ? Math.min(text.length, from + EXCERPT_CHARS) : Math.min(end, from + EXCERPT_CHARS));
  return line.length >= EXCERPT_CHARS ? `${line}…` : line;
}
