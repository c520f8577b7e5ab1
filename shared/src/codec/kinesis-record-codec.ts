import { isUtf8 } from 'node:buffer';
import { ByteSink } from './byte-sink';
import { DEFAULT_PACK_TARGET_BYTES, FIREHOSE_MAX_RECORD_BYTES } from './kinesis-limits';
import { SharedError } from '../shared-error';

/**
 * The record codec used on Kinesis. Two shapes travel on the stream:
 *
 * - **single**: one JSON object, optionally followed by a newline. This is what the ingest API's
 *   `POST /v1` mapping template writes (`body + "\n"`; `../api/ingest-routes.ts`).
 * - **pack**: newline-delimited JSON. Line 1 is a header naming the dataset; every further
 *   line is one entry, either named `{"r": record, "k"?: dedupKey, "l"?: sourceLine}` or, when
 *   the header lists `columns`, positional `[sourceLine|null, value1, value2, …]` (column names
 *   once per pack instead of once per row: less than half the bytes for small rows). Producers
 *   pack many small records into one Kinesis record (see docs/decisions/0003-record-packing.md).
 */

export const PACK_FORMAT_VERSION = 1;
const PACK_PREFIX = '{"$pack":';

/** Header line of a pack. All entries of a pack belong to one dataset and one `dt` partition. */
export interface PackHeader {
  $pack: typeof PACK_FORMAT_VERSION;
  dataset: string;
  /** Where the entries come from, e.g. `vendor-bulk:app_market/snapshot=2026-11-20/app_market_daily.csv.gz`. */
  origin: string;
  /** Snapshot date (`YYYY-MM-DD`) for datasets partitioned by snapshot rather than event time. */
  snapshot?: string;
  /** Column order of positional entries; absent = named entries. */
  columns?: string[];
}

/** One packed record. */
export interface PackEntry {
  /** The record, as the dataset's columns. */
  r: Record<string, unknown>;
  /** Dedup key; absent when the dataset's primary key supplies one. */
  k?: string;
  /** 1-based line (or row) in the source file, for lineage and error reports. */
  l?: number;
}

export type DecodeFailureReason = 'empty' | 'not_utf8' | 'not_json' | 'bad_pack_header' | 'bad_pack_entry';

/** Raised when Kinesis data cannot be decoded; `line` is 1-based within the record. */
export class RecordDecodeError extends SharedError {
  readonly code = 'RECORD_UNDECODABLE';
  constructor(
    readonly reason: DecodeFailureReason,
    readonly detail: string,
    readonly line?: number,
    options?: ErrorOptions,
  ) {
    super(line === undefined ? `${reason}: ${detail}` : `${reason} at line ${line}: ${detail}`, options);
    this.name = 'RecordDecodeError';
  }
}

export type DecodedRecord =
  | { kind: 'single'; value: unknown }
  | { kind: 'pack'; header: PackHeader; entryLines: string[] };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parsePackHeader(line: string): PackHeader {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch (error) {
    throw new RecordDecodeError('bad_pack_header', (error as Error).message, 1, { cause: error });
  }
  const h = header as Partial<PackHeader>;
  if (h.$pack !== PACK_FORMAT_VERSION) throw new RecordDecodeError('bad_pack_header', `unsupported $pack ${String(h.$pack)}`, 1);
  if (typeof h.dataset !== 'string' || h.dataset === '') throw new RecordDecodeError('bad_pack_header', 'dataset missing', 1);
  if (typeof h.origin !== 'string') throw new RecordDecodeError('bad_pack_header', 'origin missing', 1);
  if (h.snapshot !== undefined && (typeof h.snapshot !== 'string' || !DATE.test(h.snapshot))) {
    throw new RecordDecodeError('bad_pack_header', 'snapshot must be YYYY-MM-DD', 1);
  }
  if (h.columns !== undefined && (!Array.isArray(h.columns) || h.columns.length === 0 || !h.columns.every((c) => typeof c === 'string'))) {
    throw new RecordDecodeError('bad_pack_header', 'columns must be a non-empty array of names', 1);
  }
  return h as PackHeader;
}

/** Decodes the data of one Kinesis record. Entry lines of a pack are parsed by {@link parsePackEntry}. */
export function decodeRecord(data: Uint8Array): DecodedRecord {
  if (data.length === 0) throw new RecordDecodeError('empty', 'record has no data');
  if (!isUtf8(data)) throw new RecordDecodeError('not_utf8', 'data is not valid UTF-8');
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (text.startsWith(PACK_PREFIX)) {
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const header = parsePackHeader(lines[0]!);
    return { kind: 'pack', header, entryLines: lines.slice(1) };
  }
  try {
    return { kind: 'single', value: JSON.parse(text) };
  } catch (error) {
    if (text.trim() === '') throw new RecordDecodeError('empty', 'record is blank');
    throw new RecordDecodeError('not_json', (error as Error).message, undefined, { cause: error });
  }
}

/** Data records inside one Kinesis record: a pack's entry count, else one (also for undecodable data). */
export function countDataRecords(data: Uint8Array): number {
  try {
    const decoded = decodeRecord(data);
    return decoded.kind === 'pack' ? decoded.entryLines.length : 1;
  } catch {
    return 1;
  }
}

/**
 * Parses one entry line of a pack; `index` is 0-based among entries (the line is index + 2).
 * Positional entries need the header's `columns`.
 */
export function parsePackEntry(line: string, index: number, columns?: ReadonlyArray<string>): PackEntry {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    throw new RecordDecodeError('bad_pack_entry', (error as Error).message, index + 2, { cause: error });
  }
  if (Array.isArray(entry)) {
    if (!columns) throw new RecordDecodeError('bad_pack_entry', 'positional entry in a pack without columns', index + 2);
    if (entry.length !== columns.length + 1) {
      throw new RecordDecodeError('bad_pack_entry', `expected ${columns.length + 1} values (line and ${columns.length} columns), got ${entry.length}`, index + 2);
    }
    const line = entry[0] as unknown;
    if (line !== null && !Number.isInteger(line)) throw new RecordDecodeError('bad_pack_entry', 'the first value must be the source line or null', index + 2);
    const r: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      // null is how a positional entry says "no value", as a named entry would by omitting the field.
      if (entry[i + 1] !== null) r[columns[i]!] = entry[i + 1];
    }
    return line === null ? { r } : { r, l: line as number };
  }
  const e = entry as Partial<PackEntry>;
  if (typeof e !== 'object' || e === null || typeof e.r !== 'object' || e.r === null || Array.isArray(e.r)) {
    throw new RecordDecodeError('bad_pack_entry', 'entry must be {"r": {...}}', index + 2);
  }
  if (e.k !== undefined && typeof e.k !== 'string') throw new RecordDecodeError('bad_pack_entry', 'k must be a string', index + 2);
  if (e.l !== undefined && !Number.isInteger(e.l)) throw new RecordDecodeError('bad_pack_entry', 'l must be an integer', index + 2);
  return e as PackEntry;
}

/** Serialises one entry as a pack line (without the newline). */
export function encodePackEntry(entry: PackEntry): string {
  return JSON.stringify(entry);
}

/** Raised when a single entry cannot fit in any Kinesis record Firehose will read. */
export class EntryTooLargeError extends SharedError {
  readonly code = 'ENTRY_TOO_LARGE';
  constructor(readonly entryBytes: number) {
    super(`entry of ${entryBytes} bytes exceeds the ${FIREHOSE_MAX_RECORD_BYTES}-byte record limit`);
    this.name = 'EntryTooLargeError';
  }
}

// Producers make thousands of packs from one header object: its encoded line is made once.
const headerLines = new WeakMap<PackHeader, Buffer>();

function headerLineOf(header: PackHeader): Buffer {
  let line = headerLines.get(header);
  if (line === undefined) {
    line = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
    headerLines.set(header, line);
  }
  return line;
}

/**
 * Accumulates entries into one pack of at most `targetBytes` (an entry larger than the target
 * gets a pack of its own, up to Firehose's record limit).
 */
export class PackBuilder {
  /** The pack so far: the header line, then one `entry\n` per entry. Producers may encode into it (see `commitAppended`). */
  readonly sink: ByteSink;
  private readonly headerBytes: number;
  private entries = 0;

  constructor(
    readonly header: PackHeader,
    readonly targetBytes: number = DEFAULT_PACK_TARGET_BYTES,
  ) {
    const headerLine = headerLineOf(header);
    this.headerBytes = headerLine.length;
    this.sink = new ByteSink(Math.max(targetBytes, headerLine.length) + 1024);
    this.sink.bytes.set(headerLine);
    this.sink.length = headerLine.length;
  }

  get entryCount(): number {
    return this.entries;
  }

  get byteLength(): number {
    return this.sink.length;
  }

  /** Adds an encoded entry line; returns false (and adds nothing) when the pack is full. */
  tryAdd(entryLine: string): boolean {
    const mark = this.sink.length;
    this.sink.writeText(entryLine);
    return this.commitAppended(mark);
  }

  /** Adds the entry encoded as UTF-8 in `source[start, end)`; returns false (and adds nothing) when the pack is full. */
  tryAddBytes(source: Uint8Array, start: number, end: number): boolean {
    const mark = this.sink.length;
    this.sink.reserve(end - start);
    this.sink.bytes.set(source.subarray(start, end), mark);
    this.sink.length = mark + end - start;
    return this.commitAppended(mark);
  }

  /**
   * Decides on an entry just appended to `sink` from `mark`: keeps it (adding its newline) when
   * the pack has room, else removes it and returns false. A first entry larger than the target
   * gets the pack to itself, up to Firehose's record limit.
   */
  commitAppended(mark: number): boolean {
    const needed = this.sink.length + 1;
    if (this.entries > 0 && needed > this.targetBytes) {
      this.sink.length = mark;
      return false;
    }
    if (needed > FIREHOSE_MAX_RECORD_BYTES) {
      this.sink.length = mark;
      throw new EntryTooLargeError(needed - mark);
    }
    this.sink.reserve(1);
    this.sink.bytes[this.sink.length++] = 10;
    this.entries++;
    return true;
  }

  /** The pack as Kinesis record data (a copy: the builder can be reset and reused). */
  toBuffer(): Buffer {
    // Not zero-filled (every byte is written) and not a slice of the shared pool.
    const data = Buffer.allocUnsafeSlow(this.sink.length);
    data.set(this.sink.bytes.subarray(0, this.sink.length));
    return data;
  }

  /** Empties the pack (the header stays). */
  reset(): void {
    this.sink.length = this.headerBytes;
    this.entries = 0;
  }
}
