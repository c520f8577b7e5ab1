import { appMarketDaily, appMarketMetadata } from '@ingest-lake/shared';
import { FileFormatError, type FileProgress } from '../../src/pipeline/csv-file-ingest';
import { ingestText } from '../support/ingest-text';

const header = appMarketDaily.columnNames.join(',');
const good = (appId: number, name = 'Puzzle Quest') =>
  `2026-11-20,${appId},${name},Studio,KR,iphone,ios,6005,10,1.5,,,4.5,true,2026-11-20T10:00:00Z`;

const ingest = (text: string | Buffer, resumeFrom?: FileProgress) => ingestText(text, resumeFrom ? { resumeFrom } : {});

describe('ingestCsvFile: bad rows are quarantined with line and reason, nothing else is lost', () => {
  test('a corpus of malformed rows', async () => {
    const lines = [
      `\uFEFF${header}`, // 1: header with BOM
      good(1), // 2
      good(2, '"Quest, the ""Saga"""'), // 3: quoted comma and escaped quotes
      `${good(3).replace('2026-11-20,3,', '2026-11-20,3,"multi\nline name",')}`.replace(',Puzzle Quest', ''), // 4-5: embedded newline
      '2026-11-20,4,too,few', // 6: wrong column count
      good(5).replace(',10,1.5,', ',ten,1.5,'), // 7: downloads not a number
      good(6).replace(',KR,', ',KOR,'), // 8: country too long
      '', // 9: blank
      good(7).replace(',Puzzle Quest,', ',"unterminated,') + '\r', // 10: opens a quote, closes nothing on its line
      good(8).replace('Studio', '=HYPERLINK("http://x")'), // 11: hostile string, valid (kept as text)
      good(9).replace('2026-11-20,9,', '2026-13-45,9,'), // 12: bad date
    ];
    const { progress, quarantined } = await ingest(`${lines.join('\r\n')}\r\n`);
    expect(progress.rowsRead).toBe(progress.rowsSent + progress.rowsQuarantined + progress.rowsBlank);
    expect(progress.rowsBlank).toBe(1);
    expect(quarantined.map((q) => [q.line, q.reason, q.field])).toEqual([
      [6, 'column_count', undefined],
      [7, 'invalid_value', 'downloads'],
      [8, 'too_long', 'country_code'],
      // The open quote runs into line 11's first quote; the row is reported and line 11 still parses.
      [10, 'text_after_quote', undefined],
      [12, 'invalid_value', 'metric_date'],
    ]);
    expect(quarantined[1]!.detail).toBe('field "downloads": invalid_value (expected bigint (64-bit integer), got "ten")');
    expect(quarantined[0]!.raw).toBe('2026-11-20,4,too,few');
    expect(progress.rowsSent).toBe(4); // lines 2, 3, 4-5 and 11
  });

  test('invalid UTF-8 bytes quarantine their row only', async () => {
    const text = Buffer.concat([Buffer.from(`${header}\n${good(1)}\n`), Buffer.from([0x32, 0x30, 0xff, 0xfe, 0x0a]), Buffer.from(`${good(2)}\n`)]);
    const { progress, quarantined } = await ingest(text);
    expect(quarantined).toEqual([expect.objectContaining({ line: 3, reason: 'invalid_utf8' })]);
    expect(progress.rowsSent).toBe(2);
  });

  test('a resumed file skips rows up to the checkpoint and keeps counting from it', async () => {
    const text = `${header}\n${[1, 2, 3, 4].map((id) => good(id)).join('\n')}\n`;
    const { progress } = await ingest(text, { frontierLine: 3, rowsRead: 2, rowsSent: 2, rowsQuarantined: 0, rowsBlank: 0, packsSent: 0, quarantineBytes: 0 });
    expect(progress).toMatchObject({ rowsRead: 4, rowsSent: 4, frontierLine: 5 });
  });

  test('a header that does not match the dataset fails the file with a clear error', async () => {
    await expect(ingest('bogus,columns\n1,2\n')).rejects.toThrow(FileFormatError);
    await expect(ingest('bogus,columns\n1,2\n')).rejects.toThrow('app_market_daily.csv.gz: header does not match dataset "app_market_daily": unknown column "bogus"');
  });

  test('a metadata file validates against its own schema', async () => {
    const { progress } = await ingestText('country_code,country_name,region_code,currency_code\nKR,Korea,R0,KRW\nKOR,Bad,R0,KRW\n', {
      dataset: appMarketMetadata.countries,
      file: 'countries.csv.gz',
    });
    expect(progress).toMatchObject({ rowsRead: 2, rowsSent: 1, rowsQuarantined: 1 });
  });
});

describe('ingestCsvFile: a valid row whose entry cannot fit a Kinesis record', () => {
  test('is quarantined as row_too_large and its neighbours are sent', async () => {
    // country_name has no length limit: 200,000 control characters are valid, and JSON-escape
    // (\u0001 each) to 1.2 MB, over Firehose's 1,000 KiB record limit.
    const text = `country_code,country_name,region_code,currency_code\nKR,Korea,R0,KRW\nXX,"${'\u0001'.repeat(200_000)}",R0,KRW\nJP,Japan,R0,JPY\n`;
    const { progress, quarantined } = await ingestText(text, { dataset: appMarketMetadata.countries, file: 'countries.csv.gz' });
    expect(progress).toMatchObject({ rowsRead: 3, rowsSent: 2, rowsQuarantined: 1 });
    expect(quarantined).toEqual([expect.objectContaining({ line: 3, reason: 'row_too_large', detail: expect.stringContaining('exceeds the') })]);
  });
});
