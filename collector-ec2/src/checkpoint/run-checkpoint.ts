import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { FileProgress } from '../pipeline/csv-file-ingest';

/** What is known to be done for one vendor file of a snapshot. */
export interface FileCheckpoint {
  downloaded?: { bytes: number; sha256: string; resumes: number };
  archived?: { key: string };
  /** Durable progress through the file's rows. */
  progress?: FileProgress;
  ingested?: boolean;
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
 */
export class CheckpointFile {
  private constructor(
    readonly path: string,
    readonly state: RunCheckpoint,
  ) {}

  static async openOrCreate(directory: string, dataset: string, snapshot: string): Promise<CheckpointFile> {
    const file = path.join(directory, 'checkpoint.json');
    await mkdir(directory, { recursive: true });
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
    const temporary = `${this.path}.tmp`;
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
