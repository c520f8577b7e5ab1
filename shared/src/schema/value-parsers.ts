/**
 * Text and JSON value parsers used by the compiled validators. Each returns the normalised
 * value, or `undefined` when the input does not parse (the caller turns that into an issue).
 */

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INTEGER_TEXT = /^[+-]?\d+$/;
const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const DOUBLE_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 / SQL style: date, optional time with optional fraction, optional Z or ±hh:mm offset.
const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_MILLIS_TEXT = /^\d{10,16}$/;
// Years outside this range are almost always unit mistakes (seconds vs millis) or typos.
const MIN_YEAR = 1900;
const MAX_YEAR = 2999;
// Epoch numbers below this (1973-03-03) are almost always seconds sent where milliseconds belong.
const MIN_EPOCH_MILLIS = 100_000_000_000;

export function parseInt32(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && INTEGER_TEXT.test(value)) n = Number(value);
  else return undefined;
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : undefined;
}

/** 64-bit integer as a canonical decimal string (no sign for positives, no leading zeros). */
export function parseInt64(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value !== 'string' || !INTEGER_TEXT.test(value)) return undefined;
  if (value.length < 16) return String(Number(value));
  const big = BigInt(value);
  return big >= BIGINT_MIN && big <= BIGINT_MAX ? big.toString() : undefined;
}

export function parseDouble(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !DOUBLE_TEXT.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

/** Decimal as a string with exactly `scale` fraction digits; `undefined` if it needs more precision. */
export function parseDecimal(value: unknown, precision: number, scale: number): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === 'string') text = value;
  else return undefined;
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const sign = match[1] === '-' ? '-' : '';
  const integerDigits = (match[2] ?? '').replace(/^0+(?=\d)/, '');
  const fractionDigits = match[3] ?? '';
  if (integerDigits === '' && fractionDigits === '') return undefined;
  if (fractionDigits.replace(/0+$/, '').length > scale) return undefined;
  const integerPart = integerDigits === '' ? '0' : integerDigits;
  if (integerPart !== '0' && integerPart.length > precision - scale) return undefined;
  const fraction = scale === 0 ? '' : '.' + fractionDigits.slice(0, scale).padEnd(scale, '0');
  const isZero = /^0*$/.test(integerPart + fractionDigits);
  return (isZero ? '' : sign) + integerPart + fraction;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a real calendar date within the accepted years (1900–2999). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return false;
  const isLeapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && isLeapYear ? 29 : DAYS_IN_MONTH[month - 1]!);
}

export function parseDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DATE_TEXT.exec(value);
  if (!match) return undefined;
  return isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) ? value : undefined;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const MILLIS_PER_DAY = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
// The data path formats millions of timestamps that mostly share a day; the date part is cached.
let cachedDayStartMillis = Number.NaN;
let cachedDayPrefix = '';

/** Formats epoch milliseconds as the canonical UTC timestamp text `YYYY-MM-DD HH:MM:SS.mmm`. */
export function formatTimestamp(epochMillis: number): string {
  const millisOfDay = ((epochMillis % MILLIS_PER_DAY) + MILLIS_PER_DAY) % MILLIS_PER_DAY;
  const dayStartMillis = epochMillis - millisOfDay;
  if (dayStartMillis !== cachedDayStartMillis) {
    const d = new Date(dayStartMillis);
    cachedDayPrefix = `${pad(d.getUTCFullYear(), 4)}-${TWO_DIGITS[d.getUTCMonth() + 1]}-${TWO_DIGITS[d.getUTCDate()]} `;
    cachedDayStartMillis = dayStartMillis;
  }
  const seconds = Math.floor(millisOfDay / 1000);
  return (
    `${cachedDayPrefix}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:` +
    `${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[millisOfDay % 1000]}`
  );
}

const MIN_ACCEPTED_MILLIS = Date.UTC(MIN_YEAR, 0, 1);
const MAX_ACCEPTED_MILLIS = Date.UTC(MAX_YEAR + 1, 0, 1) - 1;

function epochMillisInRange(epochMillis: number): boolean {
  return epochMillis >= MIN_ACCEPTED_MILLIS && epochMillis <= MAX_ACCEPTED_MILLIS;
}

function isPlausibleEpochMillis(epochMillis: number): boolean {
  return Number.isInteger(epochMillis) && epochMillis >= MIN_EPOCH_MILLIS && epochMillis <= MAX_ACCEPTED_MILLIS;
}

/**
 * Parses an instant into epoch milliseconds. Accepts epoch milliseconds (number or 10–16 digit
 * text) and ISO 8601 / SQL text; text without an offset is taken as UTC.
 */
export function parseTimestampMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return isPlausibleEpochMillis(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  if (EPOCH_MILLIS_TEXT.test(value)) {
    const millis = Number(value);
    return isPlausibleEpochMillis(millis) ? millis : undefined;
  }
  const match = TIMESTAMP_TEXT.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', offset] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  let millis = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  if (offset !== undefined && offset !== 'Z' && offset !== 'z') {
    const offsetSign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2) || '0');
    if (offsetHours > 18 || offsetMinutes > 59) return undefined;
    millis -= offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return epochMillisInRange(millis) ? millis : undefined;
}

/** Normalises an instant to the canonical UTC timestamp text. */
export function parseTimestamp(value: unknown): string | undefined {
  const millis = parseTimestampMillis(value);
  return millis === undefined ? undefined : formatTimestamp(millis);
}
