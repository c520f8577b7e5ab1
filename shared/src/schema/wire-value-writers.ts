import * as parsers from './value-parsers';

/**
 * Byte-level writers for the compiled CSV row encoder (see compile-row-entry-encoder.ts). Each
 * reads one CSV field as UTF-8 bytes `src[start, end)`, writes its wire JSON text (the text
 * `compilePackEntryEncoder` writes for the validated value) into `dst` at `at`, and returns the
 * index after it, or -1 when the value does not validate.
 *
 * Every writer has a fast path for the canonical text of its kind, whose output is provably the
 * input bytes (plus quotes); anything else takes the reference path: decode the field, run the
 * same value parser the validators use, write its result. So the fast path changes speed, never
 * results (the equivalence is tested field by field against validator + encoder).
 *
 * Callers make room first: at most 6 output bytes per input byte (`\u00XX` escapes) plus
 * `WIRE_VALUE_SLACK` per value; writers do not check bounds.
 */

/** Spare bytes the row encoder reserves per value (quotes, separators, slow-path results). */
export const WIRE_VALUE_SLACK = 48;

/** Set in a field span's flags (by the CSV parser) when the field was quoted. */
export const SPAN_QUOTED = 1;
/** Set in a field span's flags when a quoted field contains escaped quotes (`""`). */
export const SPAN_ESCAPED_QUOTES = 2;

const QUOTE = 34;
const BACKSLASH = 92;
const DASH = 45;
const ZERO = 48;
const DOT = 46;
const HEX = '0123456789abcdef';

/** The field's text, decoded (only on reference paths). */
export function spanText(src: Uint8Array, start: number, end: number, flags: number): string {
  const text = Buffer.from(src.buffer, src.byteOffset + start, end - start).toString('utf8');
  return (flags & SPAN_ESCAPED_QUOTES) === 0 ? text : text.replaceAll('""', '"');
}

function copyQuoted(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  dst[at++] = QUOTE;
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
  dst[at++] = QUOTE;
  return at;
}

function copyBare(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
  return at;
}

/** `value` is a byte minus '0': a digit iff it is 0–9 (one unsigned comparison). */
function isDigit(value: number): boolean {
  return value >>> 0 <= 9;
}

function allDigits(src: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (!isDigit(src[i]! - ZERO)) return false;
  }
  return true;
}

/** Digits only, no leading zero (except "0" itself), optionally after a minus that is not "-0". */
function isCanonicalInteger(src: Uint8Array, start: number, end: number): boolean {
  let i = start;
  if (src[i] === DASH) {
    i++;
    if (src[i] === ZERO) return false;
  }
  if (i >= end || (src[i] === ZERO && end - i > 1)) return false;
  return allDigits(src, i, end);
}

/** UTF-16 length of valid UTF-8: one unit per lead byte, two for 4-byte sequences (surrogate pairs). */
function utf16Length(src: Uint8Array, start: number, end: number, collapseQuotes: boolean): number {
  let units = 0;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    if (byte < 0x80) {
      units++;
      if (byte === QUOTE && collapseQuotes) i++;
    } else if (byte >= 0xc0) units += byte >= 0xf0 ? 2 : 1;
  }
  return units;
}

/** JSON string of the field, escaped exactly as JSON.stringify does; checks the UTF-16 length. */
export function writeString(src: Uint8Array, start: number, end: number, flags: number, dst: Uint8Array, at: number, maxLength: number): number {
  const collapseQuotes = (flags & SPAN_ESCAPED_QUOTES) !== 0;
  // Bytes bound UTF-16 units from above: count only when the bytes exceed the limit.
  if (end - start > maxLength && utf16Length(src, start, end, collapseQuotes) > maxLength) return -1;
  dst[at++] = QUOTE;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    // Printable ASCII other than " and \, and every byte of a multi-byte character, is copied.
    if (byte > QUOTE ? byte !== BACKSLASH : byte >= 0x20 && byte !== QUOTE) {
      dst[at++] = byte;
      continue;
    }
    dst[at++] = BACKSLASH;
    if (byte === QUOTE) {
      dst[at++] = QUOTE;
      if (collapseQuotes) i++; // "" inside a quoted field is one quote
    } else if (byte === BACKSLASH) dst[at++] = BACKSLASH;
    else if (byte === 0x08) dst[at++] = 98; // \b
    else if (byte === 0x09) dst[at++] = 116; // \t
    else if (byte === 0x0a) dst[at++] = 110; // \n
    else if (byte === 0x0c) dst[at++] = 102; // \f
    else if (byte === 0x0d) dst[at++] = 114; // \r
    else {
      dst[at++] = 117; // \u00XX
      dst[at++] = ZERO;
      dst[at++] = ZERO;
      dst[at++] = HEX.charCodeAt(byte >> 4);
      dst[at++] = HEX.charCodeAt(byte & 15);
    }
  }
  dst[at++] = QUOTE;
  return at;
}

/** Writes ASCII text (parser results are canonical numbers, dates and timestamps). */
export function writeAscii(text: string, dst: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) dst[at++] = text.charCodeAt(i);
  return at;
}

/** Reference path for numbers, dates and timestamps: the validators' parser, then the wire text. */
function writeParsed(parsed: string | number | boolean | undefined, quoted: boolean, dst: Uint8Array, at: number): number {
  if (parsed === undefined) return -1;
  return writeAscii(quoted ? `"${String(parsed)}"` : String(parsed), dst, at);
}

/** int: canonical digits (≤ 9) are copied; anything else goes through `parseInt32`. */
export function writeInt(src: Uint8Array, start: number, end: number, flags: number, dst: Uint8Array, at: number): number {
  // At most 9 digits always fits in 32 bits.
  if (end - start <= 9 && isCanonicalInteger(src, start, end)) return copyBare(src, start, end, dst, at);
  return writeParsed(parsers.parseInt32(spanText(src, start, end, flags)), false, dst, at);
}

/** bigint: canonical digits (≤ 15 characters) are copied as a JSON string; anything else goes through `parseInt64`. */
export function writeBigint(src: Uint8Array, start: number, end: number, flags: number, dst: Uint8Array, at: number): number {
  // Below 16 characters the value is a safe integer whose canonical text is its input.
  if (end - start <= 15 && isCanonicalInteger(src, start, end)) return copyQuoted(src, start, end, dst, at);
  return writeParsed(parsers.parseInt64(spanText(src, start, end, flags)), true, dst, at);
}

/**
 * Fast path: unsigned, no leading zeros, at most 15 characters. Such text has ≤ 15 significant
 * digits, so it round-trips through a double, and JavaScript prints that double back as the same
 * digits without trailing fraction zeros (and without the dot when none are left), never with an
 * exponent while at most 6 fraction digits remain (1e-6 ≤ x < 1e21).
 */
export function writeDouble(src: Uint8Array, start: number, end: number, flags: number, dst: Uint8Array, at: number): number {
  const length = end - start;
  if (length > 0 && length <= 15 && src[start] !== DASH) {
    let dot = -1;
    for (let i = start; i < end; i++) {
      if (src[i] === DOT) {
        dot = i;
        break;
      }
    }
    const integerEnd = dot === -1 ? end : dot;
    const canonicalInteger = integerEnd > start && (src[start] !== ZERO || integerEnd - start === 1) && allDigits(src, start, integerEnd);
    if (canonicalInteger) {
      if (dot === -1) return copyBare(src, start, end, dst, at);
      let significantEnd = end;
      while (significantEnd > dot + 1 && src[significantEnd - 1] === ZERO) significantEnd--;
      if (end > dot + 1 && significantEnd - dot - 1 <= 6 && allDigits(src, dot + 1, end)) {
        return copyBare(src, start, significantEnd === dot + 1 ? dot : significantEnd, dst, at);
      }
    }
  }
  return writeParsed(parsers.parseDouble(spanText(src, start, end, flags)), false, dst, at);
}

/** boolean: `true` / `false` are copied; other spellings go through `parseBoolean`. */
export function writeBoolean(src: Uint8Array, start: number, end: number, flags: number, dst: Uint8Array, at: number): number {
  const length = end - start;
  // "true" / "false" in lower case are their own wire text.
  if (
    (length === 4 && src[start] === 116 && src[start + 1] === 114 && src[start + 2] === 117 && src[start + 3] === 101) ||
    (length === 5 && src[start] === 102 && src[start + 1] === 97 && src[start + 2] === 108 && src[start + 3] === 115 && src[start + 4] === 101)
  ) {
    return copyBare(src, start, end, dst, at);
  }
  return writeParsed(parsers.parseBoolean(spanText(src, start, end, flags)), false, dst, at);
}

/** Fast path: unsigned, canonical integer part of at most `precision − scale` digits, exactly `scale` fraction digits. */
export function writeDecimal(
  src: Uint8Array,
  start: number,
  end: number,
  flags: number,
  dst: Uint8Array,
  at: number,
  precision: number,
  scale: number,
): number {
  const integerEnd = scale === 0 ? end : end - scale - 1;
  const integerDigits = integerEnd - start;
  if (
    integerDigits >= 1 &&
    (src[start] !== ZERO || integerDigits === 1) &&
    (integerDigits <= precision - scale || (integerDigits === 1 && src[start] === ZERO)) &&
    (scale === 0 || src[integerEnd] === DOT) &&
    allDigits(src, start, integerEnd) &&
    allDigits(src, integerEnd + 1, end)
  ) {
    return copyQuoted(src, start, end, dst, at);
  }
  return writeParsed(parsers.parseDecimal(spanText(src, start, end, flags), precision, scale), true, dst, at);
}

// The last calendar date that was checked, as YYYYMMDD: vendor files repeat a handful of dates.
let lastValidDateKey = -1;

/** YYYYMMDD of a `YYYY-MM-DD` calendar date at `at`, or -1. */
export function calendarDateKeyAt(src: Uint8Array, at: number): number {
  if (src[at + 4] !== DASH || src[at + 7] !== DASH) return -1;
  const y0 = src[at]! - ZERO;
  const y1 = src[at + 1]! - ZERO;
  const y2 = src[at + 2]! - ZERO;
  const y3 = src[at + 3]! - ZERO;
  const m0 = src[at + 5]! - ZERO;
  const m1 = src[at + 6]! - ZERO;
  const d0 = src[at + 8]! - ZERO;
  const d1 = src[at + 9]! - ZERO;
  if (!(isDigit(y0) && isDigit(y1) && isDigit(y2) && isDigit(y3) && isDigit(m0) && isDigit(m1) && isDigit(d0) && isDigit(d1))) return -1;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  const key = year * 10_000 + month * 100 + day;
  if (key === lastValidDateKey) return key;
  if (!parsers.isCalendarDate(year, month, day)) return -1;
  lastValidDateKey = key;
  return key;
}

/** date: a real `YYYY-MM-DD` calendar date is copied as a JSON string; anything else goes through `parseDate`. */
export function writeDate(src: Uint8Array, start: number, end: number, flags: number, dst: Uint8Array, at: number): number {
  if (end - start === 10 && calendarDateKeyAt(src, start) !== -1) return copyQuoted(src, start, end, dst, at);
  return writeParsed(parsers.parseDate(spanText(src, start, end, flags)), true, dst, at);
}

function twoDigits(src: Uint8Array, at: number, max: number): boolean {
  const tens = src[at]! - ZERO;
  const ones = src[at + 1]! - ZERO;
  return isDigit(tens) && isDigit(ones) && tens * 10 + ones <= max;
}

/**
 * Fast path: `YYYY-MM-DD[T ]HH:MM:SS` with no offset or `Z`, and optionally `.mmm` (exactly three
 * fraction digits) — the forms vendors write. Canonical output: `"YYYY-MM-DD HH:MM:SS.mmm"`.
 */
export function writeTimestamp(src: Uint8Array, start: number, end: number, flags: number, dst: Uint8Array, at: number): number {
  const length = end - start;
  const zulu = src[end - 1] === 90; // Z
  const bodyLength = zulu ? length - 1 : length;
  if (
    (bodyLength === 19 || (bodyLength === 23 && src[start + 19] === DOT && allDigits(src, start + 20, start + 23))) &&
    (src[start + 10] === 84 || src[start + 10] === 32) && // T or space
    src[start + 13] === 58 &&
    src[start + 16] === 58 && // colons
    twoDigits(src, start + 11, 23) &&
    twoDigits(src, start + 14, 59) &&
    twoDigits(src, start + 17, 59) &&
    calendarDateKeyAt(src, start) !== -1
  ) {
    dst[at++] = QUOTE;
    for (let i = start; i < start + 10; i++) dst[at++] = src[i]!;
    dst[at++] = 32;
    for (let i = start + 11; i < start + 19; i++) dst[at++] = src[i]!;
    dst[at++] = DOT;
    if (bodyLength === 23) {
      for (let i = start + 20; i < start + 23; i++) dst[at++] = src[i]!;
    } else {
      dst[at++] = ZERO;
      dst[at++] = ZERO;
      dst[at++] = ZERO;
    }
    dst[at++] = QUOTE;
    return at;
  }
  return writeParsed(parsers.parseTimestamp(spanText(src, start, end, flags)), true, dst, at);
}

/** Writes a non-negative integer's decimal digits (source line numbers) without making a string. */
export function writeUnsigned(value: number, dst: Uint8Array, at: number): number {
  if (value < 0 || value > 0x7fffffff) return writeAscii(String(value), dst, at);
  let digits = 1;
  for (let rest = value; rest >= 10; rest = (rest / 10) | 0) digits++;
  const end = at + digits;
  let rest = value;
  let i = end;
  do {
    const tenth = (rest / 10) | 0;
    dst[--i] = ZERO + rest - tenth * 10;
    rest = tenth;
  } while (rest > 0);
  return end;
}
