import { PackBuilder, type PackHeader } from '@ingest-lake/shared';

/** A closed pack: the Kinesis record data and how many rows it carries. */
export type PackHandler = (data: Buffer, rows: number) => void;

/**
 * Groups encoded entries into packs per `dt` partition (a pack may hold only one, decision 0003),
 * hands each full pack to `onPack`, and keeps at most `maxOpenPacks` partitions open so that
 * memory stays bounded when rows arrive for many dates.
 */
export class DatedPackAssembler {
  private readonly open = new Map<string, { builder: PackBuilder; rows: number }>();

  constructor(
    private readonly header: PackHeader,
    private readonly targetBytes: number | undefined,
    private readonly onPack: PackHandler,
    private readonly maxOpenPacks = 32,
  ) {}

  /** Adds one encoded entry line to the pack of its partition. */
  add(dt: string, entryLine: string): void {
    let pack = this.open.get(dt);
    if (pack && !pack.builder.tryAdd(entryLine)) {
      this.close(dt);
      pack = undefined;
    } else if (pack) {
      pack.rows++;
      return;
    }
    if (this.open.size >= this.maxOpenPacks) this.close(this.open.keys().next().value!);
    pack = { builder: new PackBuilder(this.header, this.targetBytes), rows: 1 };
    pack.builder.tryAdd(entryLine);
    this.open.set(dt, pack);
  }

  /** Closes every open pack. */
  closeAll(): void {
    for (const dt of [...this.open.keys()]) this.close(dt);
  }

  private close(dt: string): void {
    const pack = this.open.get(dt)!;
    this.open.delete(dt);
    this.onPack(pack.builder.toBuffer(), pack.rows);
  }
}
