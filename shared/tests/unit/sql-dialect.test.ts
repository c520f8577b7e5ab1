import { dimensionDatasets, sqlQueries, sqlViews } from '../../src';
import { asOfSnapshotSql, currentViewName } from '../../src/lake/dimension-views';

/** The versioned SQL runs on Athena (Trino) and DuckDB: constructs only one engine reads, or reads differently, are refused. */
const ENGINE_SPECIFIC: Array<[RegExp, string]> = [
  [/::/, 'DuckDB/Postgres cast shorthand'],
  [/\bEXCLUDE\s*\(/i, 'DuckDB SELECT * EXCLUDE'],
  [/\bQUALIFY\b/i, 'QUALIFY (use row_number() in a subquery)'],
  [/\bILIKE\b/i, 'ILIKE (DuckDB only)'],
  [/\/\//, 'DuckDB integer division'],
  [/\btry\s*\(/i, 'Trino try()'],
  [/\bapprox_distinct\b/i, 'Trino approx_distinct'],
  [/\bstrftime\b|\bdate_format\b/i, 'engine-specific date formatting'],
];

const code = (sql: string) =>
  sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');

describe('versioned SQL dialect', () => {
  const files = [...sqlViews(), ...sqlQueries()];

  test.each(files.map((f) => [f.name, f.sql]))('%s uses only what Athena and DuckDB share', (_name, sql) => {
    for (const [pattern, what] of ENGINE_SPECIFIC) expect([what, pattern.test(code(sql))]).toEqual([what, false]);
  });

  test.each(files.map((f) => [f.name, f.sql]))('%s divides doubles only (Trino divides integers and decimals exactly, DuckDB as double)', (_name, sql) => {
    for (const line of code(sql).split('\n').filter((l) => / \/ /.test(l))) {
      expect(line).toMatch(/AS double\) \/ CAST\([^)]*AS double\)/);
    }
  });

  test('every dimension has a current view, before any view read from a file', () => {
    const views = sqlViews();
    expect(views.slice(0, dimensionDatasets.length).map((v) => v.name)).toEqual(dimensionDatasets.map(currentViewName));
    expect(views.every((v) => v.kind === 'view')).toBe(true);
    expect(sqlQueries().every((q) => q.kind === 'query' && q.sql.startsWith(`-- name: ${q.name}\n`))).toBe(true);
  });

  test('"as of" takes a date only', () => {
    expect(asOfSnapshotSql(dimensionDatasets[0]!, '2026-11-20')).toContain("WHERE dt <= DATE '2026-11-20'");
    expect(() => asOfSnapshotSql(dimensionDatasets[0]!, "2026-11-20' OR 1=1")).toThrow(RangeError);
  });
});
