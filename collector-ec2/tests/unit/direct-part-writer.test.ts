import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appMarket, appMarketDaily, curatedColumns, datasetRuntime, decodeRecord, directBulkPartKey, duckdbJsonColumns, duckdbType, parsePackEntry } from '@ingest-lake/shared';
import { DirectPartWriter, type DirectPart } from '../../src/curate/direct-part-writer';
import { appMarketDailyLines, headerLine } from '@ingest-lake/vendor-simulator';
import { ingestText } from '../support/ingest-text';

const SNAPSHOT = '2026-11-20';
const ORIGIN = `vendor-bulk:app_market/snapshot=${SNAPSHOT}/app_market_daily.csv.gz`;
const INGESTED_AT = '2026-11-20 06:00:00.000';

let directory: string;
let instance: DuckDBInstance;
let duckdb: DuckDBConnection;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'direct-part-writer-'));
  instance = await DuckDBInstance.create(':memory:');
  duckdb = await instance.connect();
});
afterAll(async () => {
  duckdb.closeSync();
  instance.closeSync();
  await rm(directory, { recursive: true, force: true });
});

const query = async (sql: string) => (await duckdb.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>;

/**
 * Ingests CSV text of the data file through the collector's CSV path into a DirectPartWriter whose
 * part is closed at every checkpoint, as the collector does; returns the parts and the packs.
 */
async function writeParts(text: string, options: { checkpointEveryRows?: number; rowGroupRows?: number; firstPartDts?: string[] } = {}) {
  const writer = new DirectPartWriter({
    dataset: appMarketDaily,
    snapshot: SNAPSHOT,
    directory: await mkdtemp(path.join(directory, 'parts-')),
    firstPart: 1,
    now: () => INGESTED_AT,
    ...(options.rowGroupRows ? { rowGroupRows: options.rowGroupRows } : {}),
    ...(options.firstPartDts ? { firstPartDts: options.firstPartDts } : {}),
  });
  const packs: Uint8Array[] = [];
  const parts: DirectPart[] = [];
  const result = await ingestText(text, {
    origin: ORIGIN,
    curate: (pack) => {
      packs.push(pack);
      writer.addPack(pack);
    },
    ...(options.checkpointEveryRows ? { checkpointEveryRows: options.checkpointEveryRows } : {}),
    onCheckpoint: async () => {
      const part = writer.closePart();
      // Each part's files are moved aside as the collector uploads them, before the next part reuses the names.
      for (const file of part.files) {
        const kept = path.join(path.dirname(file.path), `part-${part.part}-${path.basename(file.path)}`);
        await copyFile(file.path, kept);
        file.path = kept;
      }
      parts.push(part);
    },
  });
  return { ...result, parts, packs };
}

/** The Firehose path's conversion of the same packs: the transform's curated NDJSON read with the table's exact types (as the local delivery writer converts it). */
async function transformedAsFirehoseWould(packs: Uint8Array[]): Promise<string> {
  const runtime = datasetRuntime(appMarketDaily.name)!;
  let ndjson = '';
  for (const pack of packs) {
    const decoded = decodeRecord(pack);
    if (decoded.kind !== 'pack') throw new Error('expected a pack');
    decoded.entryLines.forEach((line, index) => {
      const entry = parsePackEntry(line, index, decoded.header.columns);
      const validation = runtime.validate(entry.r);
      if (!validation.ok) throw new Error('invalid');
      ndjson += runtime.encodeCurated(validation.value, { dedupKey: entry.k ?? runtime.dedupKeyOf(validation.value), ingestedAt: INGESTED_AT, origin: `${decoded.header.origin}#${entry.l}` });
    });
  }
  const file = path.join(directory, `transformed-${Math.random().toString(36).slice(2)}.ndjson`);
  await writeFile(file, ndjson);
  return `read_json('${file}', format = 'newline_delimited', columns = ${duckdbJsonColumns(appMarketDaily)})`;
}

const dataText = (rows: number, invalidRowEvery?: number) => headerLine(appMarket.dataFile) + [...appMarketDailyLines(rows, SNAPSHOT, 1, 4_096, invalidRowEvery)].join('');

describe('DirectPartWriter', () => {
  it('writes exactly the rows, columns and types the Firehose path curates from the same packs', async () => {
    const { parts, packs, progress } = await writeParts(dataText(3_000, 97));
    expect(progress).toMatchObject({ rowsRead: 3_000, rowsQuarantined: 30, rowsSent: 2_970 });
    expect(parts).toHaveLength(1);
    const [file] = parts[0]!.files;
    expect(file).toMatchObject({ dt: SNAPSHOT, key: directBulkPartKey('app_market_daily', SNAPSHOT, SNAPSHOT, 1), rows: 2_970 });
    const described = await query(`DESCRIBE SELECT * FROM read_parquet('${file!.path}')`);
    expect(described.map((row) => [row.column_name, row.column_type])).toEqual(curatedColumns(appMarketDaily).map(({ name, column }) => [name, duckdbType(column)]));
    const firehose = await transformedAsFirehoseWould(packs);
    const parquet = `read_parquet('${file!.path}')`;
    expect(await query(`SELECT count(*)::INTEGER AS n FROM (SELECT * FROM ${parquet} EXCEPT ALL SELECT * FROM ${firehose})`)).toEqual([{ n: 0 }]);
    expect(await query(`SELECT count(*)::INTEGER AS n FROM (SELECT * FROM ${firehose} EXCEPT ALL SELECT * FROM ${parquet})`)).toEqual([{ n: 0 }]);
    expect(await query(`SELECT _origin FROM ${parquet} ORDER BY _origin LIMIT 1`)).toEqual([{ _origin: `${ORIGIN}#10` }]);
  });

  it('cuts one part per checkpoint, numbered from firstPart, with one file per dt', async () => {
    const lines = [...appMarketDailyLines(2_500, SNAPSHOT)].join('').split('\n').filter(Boolean);
    // Rows of an earlier day spread through the file: two dt partitions per part.
    const text = headerLine(appMarket.dataFile) + lines.map((line, i) => (i % 10 === 0 ? line.replaceAll(SNAPSHOT, '2026-11-19') : line)).join('\n') + '\n';
    const { parts, progress } = await writeParts(text, { checkpointEveryRows: 1_000 });
    expect(parts.map((p) => p.part)).toEqual(parts.map((_, i) => i + 1));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts.filter((p) => p.files.length > 0)) {
      expect(part.files.map((f) => f.key).sort()).toEqual([
        directBulkPartKey('app_market_daily', '2026-11-19', SNAPSHOT, part.part),
        directBulkPartKey('app_market_daily', SNAPSHOT, SNAPSHOT, part.part),
      ]);
    }
    const files = parts.flatMap((p) => p.files);
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(progress.rowsSent);
    const read = await query(`SELECT metric_date::VARCHAR AS d, count(*)::INTEGER AS n FROM read_parquet([${files.map((f) => `'${f.path}'`).join(', ')}]) GROUP BY 1 ORDER BY 1`);
    expect(read).toEqual([
      { d: '2026-11-19', n: 250 },
      { d: SNAPSHOT, n: 2_250 },
    ]);
  });

  it('buffers at most rowGroupRows rows across the files of a part, and writes a forced dt as a valid empty file', async () => {
    const { parts } = await writeParts(dataText(2_000), { rowGroupRows: 300, firstPartDts: ['2026-11-18'] });
    const [empty, full] = [...parts[0]!.files].sort((a, b) => a.dt.localeCompare(b.dt));
    expect(empty).toMatchObject({ dt: '2026-11-18', rows: 0 });
    expect(await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${empty!.path}')`)).toEqual([{ n: 0 }]);
    const groups = await query(`SELECT DISTINCT row_group_id, row_group_num_rows::INTEGER AS rows FROM parquet_metadata('${full!.path}') ORDER BY row_group_id`);
    expect(groups.length).toBeGreaterThanOrEqual(Math.ceil(2_000 / 300));
    expect(Math.max(...groups.map((g) => Number(g.rows)))).toBeLessThanOrEqual(300);
  });

  it('refuses a first part or row group size that is not a positive integer', () => {
    const base = { dataset: appMarketDaily, snapshot: SNAPSHOT, directory, now: () => INGESTED_AT };
    expect(() => new DirectPartWriter({ ...base, firstPart: 0 })).toThrow(/firstPart/);
    expect(() => new DirectPartWriter({ ...base, firstPart: 1, rowGroupRows: 0 })).toThrow(/rowGroupRows/);
  });
});
