import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { FileProgress } from '../pipeline/csv-file-ingest';

/** What is known to be done for one vendor file of a snapshot. */
export interface FileCheckpoint {
  downloaded?: { bytes: number; sha256: string; resumes: number };
  archived?: { key: string };
  /** Durable progress through the file's rows. */
  progress?: FileProgress;
  ingested?: boolean;
  /** A metadata file's curated Parquet in the lake and its rows (written once the whole file is ingested). */
  curated?: { key: string; rows: number };
  /** A data file written straight to curated Parquet (decision 0018): the parts in the lake so far. */
  direct?: DirectCheckpoint;
}

/** The parts of a data file the direct path has put in the lake; each part is one checkpoint of the file. */
export interface DirectCheckpoint {
  /** Data rows per part, fixed when the file starts so that a resume cuts the same parts. */
  partRows: number;
  /** Parts in the lake and recorded (the next part is `parts + 1`). */
  parts: number;
  /** Their objects, one per part and `dt`. */
  keys: string[];
  /** Rows in them (= the file's rowsSent once it is ingested). */
  rows: number;
  /** The objects of part `parts + 1`, recorded before its upload: a resume writes each of them again. */
  pendingKeys?: string[];
}

/** Progress through the paginated JSON API. */
export interface ApiCheckpoint {
  nextCursor: string | null;
  pagesFetched: number;
  recordsRead: number;
  recordsSent: number;
  recordsQuarantined: number;
  /** Length of the API quarantine file at this checkpoint (truncated to it on resume). */
  quarantineBytes: number;
  done: boolean;
}

/** Everything a killed run needs to resume: which files are downloaded, archived and ingested up to where. */
export interface RunCheckpoint {
  runId: string;
  dataset: string;
  snapshot: string;
  startedAt: string;
  files: Record<string, FileCheckpoint>;
  api?: ApiCheckpoint;
}

/**
 * The checkpoint of one (dataset, snapshot), as a JSON file replaced atomically (write, fsync,
 * rename), so a kill -9 at any instant leaves either the old or the new checkpoint, never a torn one.
 * Its temporary file is unique per process and save, so no two writers ever rename each other's.
 */
export class CheckpointFile {
  private constructor(
    readonly path: string,
    readonly state: RunCheckpoint,
  ) {}

  /** Opens the folder's checkpoint (the caller holds the folder's lock), removing temporary files a killed run left. */
  static async openOrCreate(directory: string, dataset: string, snapshot: string): Promise<CheckpointFile> {
    const file = path.join(directory, 'checkpoint.json');
    await mkdir(directory, { recursive: true });
    for (const name of await readdir(directory)) {
      if (name.startsWith('checkpoint.json.') && name.endsWith('.tmp')) await unlink(path.join(directory, name)).catch(() => undefined);
    }
    try {
      return new CheckpointFile(file, JSON.parse(await readFile(file, 'utf8')) as RunCheckpoint);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return new CheckpointFile(file, { runId: randomUUID(), dataset, snapshot, startedAt: new Date().toISOString(), files: {} });
    }
  }

  file(name: string): FileCheckpoint {
    return (this.state.files[name] ??= {});
  }

  async save(): Promise<void> {
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(this.state, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }
}
