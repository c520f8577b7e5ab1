import { PackBuilder, type ByteSink, type PackHeader } from '@ingest-lake/shared';

/** A closed pack: the Kinesis record data and how many rows it carries. */
export type PackHandler = (data: Buffer, rows: number) => void;

/** Appends one entry to `sink` and returns its partition as YYYYMMDD, or -1 to refuse the row (anything written is dropped). */
export type EntryEncoder = (sink: ByteSink) => number;

/** YYYYMMDD of a `YYYY-MM-DD` date: the partition key of the assembler. */
export function partitionKeyOf(date: string): number {
  return Number(date.replaceAll('-', ''));
}

interface OpenPack {
  builder: PackBuilder;
  rows: number;
  /** Its partition, or -1 while the first entry's partition is not known yet. */
  key: number;
}

/**
 * Groups encoded entries into packs per `dt` partition (a pack may hold only one, decision 0003),
 * hands each full pack to `onPack`, and keeps at most `maxOpenPacks` partitions open so that
 * memory stays bounded when rows arrive for many dates.
 *
 * Entries are encoded straight into the pack of the partition used last (vendor files mostly
 * hold one date), so the common case copies nothing; an entry that belongs elsewhere is moved.
 */
export class DatedPackAssembler {
  private readonly open = new Map<number, OpenPack>();
  /** The pack the next entry is encoded into: the one used last. */
  private current: OpenPack | undefined;
  /** A sent pack kept for reuse. */
  private spare: PackBuilder | undefined;

  constructor(
    private readonly header: PackHeader,
    private readonly targetBytes: number | undefined,
    private readonly onPack: PackHandler,
    private readonly maxOpenPacks = 32,
  ) {}

  /** Adds one encoded entry line to the pack of partition `dt` (`YYYY-MM-DD`). */
  add(dt: string, entryLine: string): void {
    const key = partitionKeyOf(dt);
    this.encode((sink) => (sink.writeText(entryLine), key));
  }

  /** Lets `encoder` append one entry and files it under the partition it returns; returns that partition or -1. */
  encode(encoder: EntryEncoder): number {
    const current = (this.current ??= { builder: this.takeBuilder(), rows: 0, key: -1 });
    const sink = current.builder.sink;
    const mark = sink.length;
    const key = encoder(sink);
    if (key < 0) {
      sink.length = mark; // whatever a refusing encoder wrote is dropped
      return key;
    }
    const end = sink.length;
    if (current.key === -1 && !this.open.has(key)) {
      // The first entry of a new pack names its partition.
      this.evictIfFull();
      current.key = key;
      this.open.set(key, current);
    }
    if (current.key === key && current.builder.commitAppended(mark)) {
      current.rows++;
      return key;
    }
    // The pack is full, or the entry belongs to another partition: move it there.
    const entry = sink.bytes.slice(mark, end);
    sink.length = mark;
    if (current.key === -1) {
      this.spare = current.builder;
      this.current = undefined;
    }
    let target = this.open.get(key) ?? this.openPack(key);
    if (!target.builder.tryAddBytes(entry, 0, entry.length)) {
      this.close(key);
      target = this.openPack(key);
      target.builder.tryAddBytes(entry, 0, entry.length);
    }
    target.rows++;
    this.current = target;
    return key;
  }

  /** Closes every open pack. */
  closeAll(): void {
    for (const key of [...this.open.keys()]) this.close(key);
  }

  private takeBuilder(): PackBuilder {
    const builder = this.spare ?? new PackBuilder(this.header, this.targetBytes);
    this.spare = undefined;
    return builder;
  }

  private openPack(key: number): OpenPack {
    this.evictIfFull();
    const pack = { builder: this.takeBuilder(), rows: 0, key };
    this.open.set(key, pack);
    return pack;
  }

  private evictIfFull(): void {
    if (this.open.size >= this.maxOpenPacks) this.close(this.open.keys().next().value!);
  }

  private close(key: number): void {
    const pack = this.open.get(key);
    if (pack === undefined) return;
    this.open.delete(key);
    if (pack === this.current) this.current = undefined;
    if (pack.builder.entryCount > 0) this.onPack(pack.builder.toBuffer(), pack.rows);
    pack.builder.reset();
    this.spare = pack.builder;
  }
}
