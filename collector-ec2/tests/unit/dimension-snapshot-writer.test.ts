import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appMarket, appMarketMetadata, duckdbType, curatedColumns, type Dataset } from '@ingest-lake/shared';
import { DimensionSnapshotWriter } from '../../src/curate/dimension-snapshot-writer';
import { headerLine, metadataLines } from '@ingest-lake/vendor-simulator';
import { ingestText } from '../support/ingest-text';

/** Reads a Parquet file with DuckDB (the local catalog's engine): column types and rows. */
async function readWithDuckDb(file: string): Promise<{ types: Record<string, string>; rows: Array<Record<string, unknown>> }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson();
    const rows = (await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson() as Array<Record<string, unknown>>;
    return { types: Object.fromEntries(described.map((row) => [String(row.column_name), String(row.column_type)])), rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'dimension-writer-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Ingests CSV text of a metadata dataset through the collector's CSV path into a Parquet file. */
async function curate(dataset: Dataset, text: string, rowGroupRows?: number) {
  const file = path.join(directory, `${dataset.name}-${Math.random().toString(36).slice(2)}.parquet`);
  const writer = new DimensionSnapshotWriter({ dataset, path: file, ingestedAt: '2026-11-20 06:00:00.000', ...(rowGroupRows ? { rowGroupRows } : {}) });
  const result = await ingestText(text, {
    dataset,
    file: `${dataset.name}.csv.gz`,
    origin: `vendor-bulk:app_market/snapshot=2026-11-20/${dataset.name}.csv.gz`,
    curate: (pack) => writer.addPack(pack),
  });
  const rows = writer.close();
  return { ...result, rows, file };
}

describe('DimensionSnapshotWriter', () => {
  it.each(appMarket.metadataFiles.map((f) => [f.dataset.name, f]))('curates %s with the schema types DuckDB reads back', async (_name, vendorFile) => {
    const { dataset } = vendorFile;
    const { progress, rows, file } = await curate(dataset, headerLine(vendorFile) + metadataLines(dataset.name, '2026-11-20'));
    expect(progress.rowsQuarantined).toBe(0);
    expect(rows).toBe(progress.rowsSent);
    expect(rows).toBeGreaterThan(0);
    const read = await readWithDuckDb(file);
    expect(read.rows).toHaveLength(rows);
    for (const { name, column } of curatedColumns(dataset)) {
      // The file's type is the one the catalog declares (DuckDB reads TIMESTAMP_MILLIS as TIMESTAMP).
      expect([name, read.types[name]]).toEqual([name, duckdbType(column)]);
    }
  });

  it('keeps values exactly: decimals, dates, nullable columns, quoted text and lineage', async () => {
    const dataset = appMarketMetadata.apps;
    const text = 'app_id,app_name,publisher_id,release_date,price_usd\n9007199254740993,"Puzzle, ""the"" 월드",7,,12.5\n2,Plain,8,2024-02-29,-0.01\n';
    const { rows, file } = await curate(dataset, text);
    expect(rows).toBe(2);
    const read = await readWithDuckDb(file);
    expect(read.rows).toEqual([
      expect.objectContaining({ app_id: '9007199254740993', app_name: 'Puzzle, "the" 월드', publisher_id: '7', release_date: null, price_usd: '12.50' }),
      expect.objectContaining({ app_id: '2', app_name: 'Plain', release_date: '2024-02-29', price_usd: '-0.01' }),
    ]);
    expect(read.rows[0]).toMatchObject({
      _dedup_key: expect.any(String),
      _ingested_at: '2026-11-20 06:00:00',
      _origin: 'vendor-bulk:app_market/snapshot=2026-11-20/app_market_apps.csv.gz#2',
    });
    expect(read.rows[0]!._dedup_key).not.toBe(read.rows[1]!._dedup_key);
  });

  it('leaves bad rows out of the Parquet and in the quarantine, with line and reason', async () => {
    const dataset = appMarketMetadata.exchangeRates;
    const text = 'currency_code,rate_date,usd_rate\nKRW,2026-11-20,0.00075\nJPY,2026-02-30,0.0067\nEUR,2026-11-20,lots\nUSD,2026-11-20,1\n';
    const { progress, rows, file, quarantined } = await curate(dataset, text);
    expect(progress).toMatchObject({ rowsRead: 4, rowsSent: 2, rowsQuarantined: 2 });
    expect(rows).toBe(2);
    expect(quarantined.map((q) => [q.line, q.field])).toEqual([
      [3, 'rate_date'],
      [4, 'usd_rate'],
    ]);
    expect((await readWithDuckDb(file)).rows.map((r) => r.currency_code)).toEqual(['KRW', 'USD']);
  });

  it('writes many row groups with bounded buffering, and an empty snapshot as a valid empty file', async () => {
    const vendorFile = appMarket.metadataFiles.find((f) => f.dataset === appMarketMetadata.apps)!;
    const many = await curate(vendorFile.dataset, headerLine(vendorFile) + metadataLines(vendorFile.dataset.name, '2026-11-20'), 999);
    expect((await readWithDuckDb(many.file)).rows).toHaveLength(many.rows);
    const empty = await curate(vendorFile.dataset, headerLine(vendorFile));
    expect(empty.rows).toBe(0);
    expect((await readWithDuckDb(empty.file)).rows).toEqual([]);
  });

  it('refuses a row group size that is not a positive integer', () => {
    expect(() => new DimensionSnapshotWriter({ dataset: appMarketMetadata.regions, path: path.join(directory, 'x.parquet'), ingestedAt: '2026-11-20 00:00:00.000', rowGroupRows: 0 })).toThrow(
      /rowGroupRows/,
    );
  });
});
