import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import {
  compilePackEntryEncoder,
  compileRowEntryEncoder,
  compareHeader,
  compileRowValidator,
  EntryTooLargeError,
  formatIssue,
  hasHeaderDrift,
  HeaderMismatchError,
  partitionDateOf,
  type HeaderDrift,
  type Dataset,
  type RowEntryEncoder,
  type RowValidator,
} from '@ingest-lake/shared';
import { CsvParser, type CsvProblem, type CsvRow } from '../parse/csv-parser';
import { toCsvLine } from '../parse/csv-field';
import type { QuarantineWriter } from '../parse/quarantine-writer';
import { DatedPackAssembler, partitionKeyOf, type EntryEncoder } from '../produce/dated-pack-assembler';
import type { KinesisProducer } from '../produce/kinesis-producer';
import { CollectorError } from '../collector-error';

/** Counts for one file; rows read = sent + quarantined + blank (checked by reconciliation). */
export interface FileCounts {
  /** Data rows (header excluded) up to `frontierLine`. */
  rowsRead: number;
  rowsSent: number;
  rowsQuarantined: number;
  rowsBlank: number;
  packsSent: number;
}

/** A durable point in a file: every row up to `frontierLine` is sent, quarantined or counted blank. */
export interface FileProgress extends FileCounts {
  frontierLine: number;
  quarantineBytes: number;
}

export interface CsvFileIngestOptions {
  dataset: Dataset;
  /** `vendor-bulk:<vendor dataset>/snapshot=<date>/<file>`: written to every pack's origin. */
  origin: string;
  file: string;
  snapshot: string;
  /** Compressed (csv.gz) input. */
  source: Readable;
  /** Absent: validate and count only (dry runs), or hand the packs to `curate`. */
  producer?: KinesisProducer;
  /** Where the packs of valid rows go when there is no producer (metadata files curated straight to Parquet); their rows count as sent. */
  curate?: (pack: Uint8Array, rows: number) => void;
  quarantine: QuarantineWriter;
  /** Where a previous run stopped; rows up to its frontier are skipped. */
  resumeFrom?: FileProgress;
  /** Rows between checkpoints (each checkpoint waits for Kinesis to acknowledge everything sent). @default 200_000 */
  checkpointEveryRows?: number;
  onCheckpoint?: (progress: FileProgress) => Promise<void>;
  /** Called after each decompressed chunk with the compressed bytes read so far. */
  onProgress?: (progress: { compressedBytes: number; rowsRead: number }) => void;
  packTargetBytes?: number;
  /**
   * Told when the header differs from the declared schema, before the file is refused for it (or read
   * anyway, when only nullable columns are missing). @default none
   */
  onHeaderDrift?: (drift: HeaderDrift) => void;
  /** Decompression output chunk size; large chunks make Node's gunzip ~2× faster. @default 262_144 */
  gunzipChunkBytes?: number;
}

/** Rows between checkpoints unless told otherwise: a kill re-sends at most this many plus one decompressed chunk's (docs/reliability.md). */
export const DEFAULT_CHECKPOINT_EVERY_ROWS = 200_000;

/** Raised when a file cannot be read at all (its header does not match the dataset). */
export class FileFormatError extends CollectorError {
  readonly code = 'FILE_FORMAT_INVALID';
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
    this.name = 'FileFormatError';
  }
}

/**
 * Streams one csv.gz file through gunzip → CSV parser → schema validation → packs → Kinesis,
 * quarantining bad rows with their line and reason. Memory is bounded: one decompressed chunk,
 * at most 32 open packs, and the producer's buffer (back-pressure via `drain`).
 *
 * Rows stay bytes end to end: the parser hands over field spans and the compiled row encoder
 * validates them and writes the pack entry directly (docs/decisions/0007). Only a row it refuses
 * is decoded and run through the row validator, which names the field and the reason.
 */
export async function ingestCsvFile(options: CsvFileIngestOptions): Promise<FileProgress> {
  const { dataset, producer, quarantine, file, snapshot } = options;
  const checkpointEveryRows = options.checkpointEveryRows ?? DEFAULT_CHECKPOINT_EVERY_ROWS;
  const resumeAfterLine = options.resumeFrom?.frontierLine ?? 0;
  const counts: FileCounts = {
    rowsRead: options.resumeFrom?.rowsRead ?? 0,
    rowsSent: options.resumeFrom?.rowsSent ?? 0,
    rowsQuarantined: options.resumeFrom?.rowsQuarantined ?? 0,
    rowsBlank: options.resumeFrom?.rowsBlank ?? 0,
    packsSent: options.resumeFrom?.packsSent ?? 0,
  };
  let header: string[] | undefined;
  let validate: RowValidator<Record<string, unknown>> | undefined;
  let encodeRow: RowEntryEncoder | undefined;
  const snapshotKey = partitionKeyOf(snapshot);
  // One encoder closure for the whole file (none per row): it encodes `rowToEncode`.
  let rowToEncode: CsvRow;
  const encodeRowEntry: EntryEncoder = (sink) => {
    const dt = encodeRow!(rowToEncode.bytes, rowToEncode.spans, rowToEncode.line, sink);
    return dt === 0 ? snapshotKey : dt;
  };
  const encodeEntry = compilePackEntryEncoder(dataset) as (record: Record<string, unknown>, line: number) => string;
  let lastLine = resumeAfterLine;
  let rowsSinceCheckpoint = 0;
  let compressedBytes = 0;
  const packs = new DatedPackAssembler(
    { $pack: 1, dataset: dataset.name, origin: options.origin, snapshot, columns: [...dataset.columnNames] },
    options.packTargetBytes,
    (data, rows) => {
      if (!producer) {
        options.curate?.(data, rows);
        counts.rowsSent += rows;
        return;
      }
      counts.packsSent++;
      // Partition keys spread packs over shards; deterministic so that a re-sent pack lands alike.
      producer.put({ data, partitionKey: `${file}:${counts.packsSent}`, onAcknowledged: () => (counts.rowsSent += rows) });
    },
  );

  const quarantineRow = (line: number, reason: string, detail: string, raw: string, field?: string) => {
    counts.rowsQuarantined++;
    quarantine.add({ dataset: dataset.name, file, snapshot, line, reason, detail, raw, ...(field === undefined ? {} : { field }) });
  };

  const onRow = (row: CsvRow) => {
    if (!header) {
      header = row.fields();
      const drift = compareHeader(dataset, header);
      if (hasHeaderDrift(drift)) options.onHeaderDrift?.(drift);
      try {
        validate = compileRowValidator(dataset, header) as RowValidator<Record<string, unknown>>;
        encodeRow = compileRowEntryEncoder(dataset, header);
      } catch (error) {
        if (error instanceof HeaderMismatchError) throw new FileFormatError(file, error.message, { cause: error });
        throw error;
      }
      return;
    }
    const line = row.line;
    if (line <= resumeAfterLine) return;
    lastLine = line;
    counts.rowsRead++;
    rowsSinceCheckpoint++;
    if (row.isBlank) {
      counts.rowsBlank++;
      return;
    }
    if (row.fieldCount !== header.length) {
      quarantineRow(line, 'column_count', `expected ${header.length} fields, got ${row.fieldCount}`, toCsvLine(row.fields()));
      return;
    }
    rowToEncode = row;
    try {
      if (packs.encode(encodeRowEntry) >= 0) return;
    } catch (error) {
      // Valid, but its JSON (escapes can grow a field 6×) cannot fit one Kinesis record.
      if (!(error instanceof EntryTooLargeError)) throw error;
      quarantineRow(line, 'row_too_large', error.message, toCsvLine(row.fields()));
      return;
    }
    // The reference path: decode the row and let the validator name the field and the reason.
    const fields = row.fields();
    const result = validate!(fields);
    if (!result.ok) {
      quarantineRow(line, result.issue.reason, formatIssue(result.issue), toCsvLine(fields), result.issue.field);
      return;
    }
    // Not reached while the fast path fails exactly when the validator does (tested); kept so a
    // divergence could only cost speed, never a row.
    packs.add(partitionDateOf(dataset, result.value as never, snapshot) ?? snapshot, encodeEntry(result.value, line));
  };

  const onProblem = (problem: CsvProblem) => {
    if (problem.line <= resumeAfterLine) return;
    lastLine = Math.max(lastLine, problem.line);
    counts.rowsRead++;
    rowsSinceCheckpoint++;
    quarantineRow(problem.line, problem.reason, `CSV ${problem.reason.replace(/_/g, ' ')}`, problem.excerpt);
  };

  /** Sends everything open, waits for Kinesis, syncs the quarantine file and records the frontier. */
  const checkpoint = async (): Promise<FileProgress> => {
    packs.closeAll();
    if (producer) await producer.flush();
    await quarantine.flush();
    const progress: FileProgress = { ...counts, frontierLine: lastLine, quarantineBytes: quarantine.byteLength };
    rowsSinceCheckpoint = 0;
    await options.onCheckpoint?.(progress);
    return progress;
  };

  const parser = new CsvParser();
  options.source.on('data', (chunk: Buffer) => (compressedBytes += chunk.length));
  const gunzip = createGunzip({ chunkSize: options.gunzipChunkBytes ?? 262_144 });
  const decompressed = options.source.pipe(gunzip);
  options.source.on('error', (error) => gunzip.destroy(error));
  for await (const chunk of decompressed as AsyncIterable<Buffer>) {
    parser.push(chunk, onRow, onProblem);
    if (producer) await producer.drain();
    options.onProgress?.({ compressedBytes, rowsRead: counts.rowsRead });
    if (rowsSinceCheckpoint >= checkpointEveryRows) await checkpoint();
  }
  parser.end(onRow, onProblem);
  if (!header) throw new FileFormatError(file, 'file is empty (no header row)');
  return checkpoint();
}
