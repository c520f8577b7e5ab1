import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeliveryRange } from './delivery-range';

/**
 * The delivery under way, written before its first object and removed after its checkpoint: a
 * runner killed in between redoes exactly that range (same records, same object keys) before it
 * reads anything new. One JSON file beside the shard checkpoints, replaced atomically.
 */
export class PendingDelivery {
  constructor(private readonly file: string) {}

  /** The pending file of a checkpoint file. */
  static beside(checkpointFile: string): PendingDelivery {
    return new PendingDelivery(`${checkpointFile.replace(/\.json$/, '')}.pending.json`);
  }

  async load(): Promise<DeliveryRange | undefined> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as DeliveryRange;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async save(range: DeliveryRange): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFile(`${this.file}.tmp`, JSON.stringify(range, null, 2));
    await rename(`${this.file}.tmp`, this.file);
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
