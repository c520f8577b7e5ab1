import { appMarketDaily, decodeRecord } from '@ingest-lake/shared';
import type { CsvFileIngestOptions } from '../../src/pipeline/csv-file-ingest';
import type { KinesisProducer } from '../../src/produce/kinesis-producer';
import { ingestText } from '../support/ingest-text';

/**
 * Rows reach the byte parser in decompressed chunks cut anywhere: inside quoted fields that span
 * lines, inside CRLFs, multi-byte characters and bad rows. Whatever the chunk size, the outcome
 * must be the same: the same entries with the same lines, the same quarantine file, the same counts.
 */

const header = appMarketDaily.columnNames.join(',');
const row = (n: number, name: string, date = '2026-11-20') =>
  `${date},${n},${name},"Studio ${n}, Ltd.",KR,iphone,ios,6005,${n * 3},${n}.5000,,,4.5,true,${date}T10:00:00Z`;

function nastyFile(rows: number): string {
  const lines = [`\uFEFF${header}`];
  for (let n = 1; n <= rows; n++) {
    if (n % 97 === 0) lines.push(row(n, '"multi\nline\r\nname"')); // quoted LFs: cuts fall inside
    else if (n % 89 === 0) lines.push(row(n, 'bad').replace(`,${n * 3},`, ',lots,')); // invalid value
    else if (n % 83 === 0) lines.push(`${n},too,few`); // column count
    else if (n % 79 === 0) lines.push(''); // blank
    else if (n % 73 === 0) lines.push(row(n, '"say ""hi"" 서울 🙂"', '2026-11-19')); // other partition
    else if (n % 71 === 0) lines.push(row(n, '"closed"tail')); // text after quote
    else lines.push(row(n, `App ${n}`));
  }
  return `${lines.join('\r\n')}\r\n2026-11-20,${rows + 1},"never closed`; // unterminated at end of file
}

/** Collects what the producer is given; acknowledges at once. */
function recordingProducer(): { producer: KinesisProducer; entries: () => string[] } {
  const packs: Buffer[] = [];
  const producer = {
    put: (record: { data: Buffer; onAcknowledged?: () => void }) => {
      packs.push(Buffer.from(record.data));
      record.onAcknowledged?.();
    },
    drain: async () => undefined,
    flush: async () => undefined,
  } as unknown as KinesisProducer;
  const entries = () =>
    packs.flatMap((data) => {
      const decoded = decodeRecord(data);
      if (decoded.kind !== 'pack') throw new Error('not a pack');
      return decoded.entryLines;
    });
  return { producer, entries };
}

async function ingestWith(text: string, settings: Partial<CsvFileIngestOptions>) {
  const { producer, entries } = recordingProducer();
  const { progress, quarantineText } = await ingestText(text, { producer, ...settings });
  const { packsSent: _packs, ...counts } = progress;
  return { counts, entries: entries().sort(), quarantine: quarantineText };
}

describe('ingestCsvFile: chunk boundaries change nothing', () => {
  const text = nastyFile(3_000);
  let wholeChunks: Awaited<ReturnType<typeof ingestWith>>;

  beforeAll(async () => {
    wholeChunks = await ingestWith(text, { gunzipChunkBytes: 4 * 1024 * 1024 });
  });

  test('one chunk: every row is accounted for', () => {
    const { counts } = wholeChunks;
    expect(counts.rowsRead).toBe(3_001);
    expect(counts.rowsRead).toBe(counts.rowsSent + counts.rowsQuarantined + counts.rowsBlank);
    expect(counts.rowsQuarantined).toBeGreaterThan(80);
    expect(wholeChunks.quarantine).toContain('"reason":"unterminated_quote"');
    expect(wholeChunks.quarantine).toContain('"reason":"text_after_quote"');
    expect(wholeChunks.entries.length).toBe(counts.rowsSent);
  });

  test.each([64, 100, 4_099])('%i-byte chunks give the same result', async (gunzipChunkBytes) => {
    const result = await ingestWith(text, { gunzipChunkBytes });
    expect(result.counts).toEqual(wholeChunks.counts);
    expect(result.quarantine).toBe(wholeChunks.quarantine);
    expect(result.entries).toEqual(wholeChunks.entries);
  });

  test('resuming part way through sends exactly the rows after the frontier', async () => {
    const resumeFrom = { rowsRead: 0, rowsSent: 0, rowsQuarantined: 0, rowsBlank: 0, packsSent: 0, frontierLine: 1_500, quarantineBytes: 0 };
    const resumed = await ingestWith(text, { gunzipChunkBytes: 64, resumeFrom });
    const lineOf = (entry: string) => Number(entry.slice(1, entry.indexOf(',')));
    expect(resumed.entries).toEqual(wholeChunks.entries.filter((entry) => lineOf(entry) > 1_500));
  });
});
