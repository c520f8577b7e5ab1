import { rm } from 'node:fs/promises';
import type { DeliveryRange } from './delivery-range';
import { readJsonFile, writeJsonFileAtomically } from './json-file';

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

  load(): Promise<DeliveryRange | undefined> {
    return readJsonFile<DeliveryRange>(this.file);
  }

  save(range: DeliveryRange): Promise<void> {
    return writeJsonFileAtomically(this.file, range);
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
