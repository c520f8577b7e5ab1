import { decodeRecord, EntryTooLargeError, type ByteSink } from '@ingest-lake/shared';
import { DatedPackAssembler } from '../../src/produce/dated-pack-assembler';

const header = { $pack: 1 as const, dataset: 'd', origin: 'test', columns: ['v'] };

/** Collects closed packs as their entry lines and row counts. */
function collecting(targetBytes: number, maxOpenPacks?: number) {
  const packs: Array<{ entries: string[]; rows: number }> = [];
  const assembler = new DatedPackAssembler(
    header,
    targetBytes,
    (data, rows) => {
      const decoded = decodeRecord(data);
      if (decoded.kind !== 'pack') throw new Error('not a pack');
      packs.push({ entries: decoded.entryLines, rows });
    },
    maxOpenPacks,
  );
  return { assembler, packs };
}

/** An encoder that writes `text` and files it under `key` (what the compiled row encoder does). */
const writing = (text: string, key: number) => (sink: ByteSink) => {
  sink.writeText(text);
  return key;
};

describe('DatedPackAssembler', () => {
  test('interleaved dates: every pack holds one date, every entry lands once, in order within its date', () => {
    const { assembler, packs } = collecting(200);
    const dates = [20261120, 20261119, 20261120, 20261121];
    for (let i = 0; i < 400; i++) {
      const key = dates[i % dates.length]!;
      assembler.encode(writing(`[${i},"${key}"]`, key));
    }
    assembler.closeAll();
    const seen = packs.flatMap((p) => p.entries);
    expect(seen).toHaveLength(400);
    expect(new Set(seen).size).toBe(400);
    for (const pack of packs) {
      expect(new Set(pack.entries.map((e) => e.split(',')[1])).size).toBe(1);
      expect(pack.rows).toBe(pack.entries.length);
      expect(Buffer.byteLength(`${JSON.stringify(header)}\n${pack.entries.join('\n')}\n`)).toBeLessThanOrEqual(200);
    }
    const of = (key: number) => seen.filter((e) => e.endsWith(`"${key}"]`)).map((e) => Number(e.slice(1, e.indexOf(','))));
    for (const key of dates) expect(of(key)).toEqual([...of(key)].sort((a, b) => a - b));
  });

  test('more dates than open packs: the oldest is sent early, nothing is lost', () => {
    const { assembler, packs } = collecting(10_000, 3);
    for (let i = 0; i < 50; i++) assembler.encode(writing(`[${i}]`, 20260101 + (i % 10)));
    assembler.closeAll();
    expect(packs.reduce((sum, p) => sum + p.rows, 0)).toBe(50);
    expect(packs.length).toBeGreaterThan(10);
  });

  test('an encoder that refuses appends nothing; text entries (the JSON API path) pack alike', () => {
    const { assembler, packs } = collecting(10_000);
    expect(assembler.encode((sink) => (sink.writeText('[garbage'), -1))).toBe(-1);
    assembler.add('2026-11-20', '[1,"a"]');
    expect(assembler.encode(writing('[2,"b"]', 20261120))).toBe(20261120);
    assembler.closeAll();
    expect(packs).toEqual([{ entries: ['[1,"a"]', '[2,"b"]'], rows: 2 }]);
  });

  test('an entry over the target gets a pack of its own; one over the record limit is refused and the assembler goes on', () => {
    const { assembler, packs } = collecting(100);
    assembler.encode(writing('[1]', 1));
    assembler.encode(writing(`[2,"${'x'.repeat(500)}"]`, 1));
    expect(() => assembler.encode(writing(`[3,"${'y'.repeat(1_100_000)}"]`, 1))).toThrow(EntryTooLargeError);
    assembler.encode(writing('[4]', 1));
    assembler.closeAll();
    expect(packs.map((p) => p.entries.map((e) => e.slice(0, 3)))).toEqual([['[1]'], ['[2,'], ['[4]']]);
  });
});
