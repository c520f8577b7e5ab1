import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CollectorError } from '../collector-error';

/** One row that could not be ingested, with everything needed to find and fix it. */
export interface QuarantinedRow {
  dataset: string;
  file: string;
  snapshot: string;
  /** 1-based physical line in the decompressed file. */
  line: number;
  reason: string;
  field?: string;
  detail: string;
  /** The row as read (re-serialised as CSV), truncated to 64 KiB. */
  raw: string;
}

const MAX_RAW_CHARS = 65_536;

/** The quarantine file is shorter than its checkpoint recorded: lines the report counts are missing. */
export class QuarantineFileError extends CollectorError {
  readonly code = 'QUARANTINE_FILE_TRUNCATED';
  constructor(
    readonly path: string,
    readonly bytes: number,
    readonly checkpointBytes: number,
  ) {
    super(`quarantine file ${path} holds ${bytes} bytes, its checkpoint recorded ${checkpointBytes}: delete the snapshot's work folder to collect it again`);
    this.name = 'QuarantineFileError';
  }
}

/**
 * Appends quarantined rows as NDJSON. Writes are buffered and flushed at checkpoints; on resume
 * the file is truncated to the length recorded at the last checkpoint, so a row is never
 * quarantined twice.
 */
export class QuarantineWriter {
  private buffer: string[] = [];
  private bytes: number;

  private constructor(
    private readonly handle: FileHandle,
    startBytes: number,
    readonly path: string,
  ) {
    this.bytes = startBytes;
  }

  /** Opens (creating) the file and truncates it to `resumeAtBytes` (0 for a fresh file): lines written after that checkpoint are dropped. */
  static async open(path: string, resumeAtBytes = 0): Promise<QuarantineWriter> {
    const handle = await open(path, 'a+');
    const { size } = await handle.stat();
    if (size < resumeAtBytes) {
      await handle.close();
      throw new QuarantineFileError(path, size, resumeAtBytes);
    }
    await handle.truncate(resumeAtBytes);
    return new QuarantineWriter(handle, resumeAtBytes, path);
  }

  add(row: QuarantinedRow): void {
    const raw = row.raw.length > MAX_RAW_CHARS ? `${row.raw.slice(0, MAX_RAW_CHARS)}…` : row.raw;
    const line = `${JSON.stringify({ ...row, raw })}\n`;
    this.buffer.push(line);
    this.bytes += Buffer.byteLength(line);
  }

  /** Bytes written including the buffer: the value a checkpoint records. */
  get byteLength(): number {
    return this.bytes;
  }

  /** Writes the buffer and syncs it to disk. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    await this.handle.appendFile(text);
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle.close();
  }
}

/** Lines in a quarantine file (what the run report must count), read as a stream. */
export async function countQuarantineLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}
