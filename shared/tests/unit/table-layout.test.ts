import {
  athenaCreateTable,
  appMarketDaily,
  compileCuratedEncoder,
  compilePackEntryEncoder,
  compileObjectValidator,
  curatedColumns,
  duckdbCreateTable,
  duckdbJsonColumns,
  events,
  glueColumns,
  parquetType,
  t,
} from '../../src';

describe('generated table layouts', () => {
  test('Glue columns follow the declaration, then lineage; dt is not a column', () => {
    const columns = glueColumns(appMarketDaily);
    expect(columns.map((c) => c.name)).toEqual([...appMarketDaily.columnNames, '_dedup_key', '_ingested_at', '_origin']);
    expect(columns.find((c) => c.name === 'revenue_usd')).toMatchObject({ type: 'decimal(18,4)' });
    expect(columns.find((c) => c.name === 'rank_overall')).toMatchObject({ type: 'int' });
    expect(columns.find((c) => c.name === 'metric_date')).toMatchObject({ type: 'date', comment: 'Day the estimates are for.' });
  });

  test('Athena DDL is partitioned by dt and stored as Parquet at the given location', () => {
    const ddl = athenaCreateTable(events, 'lake', "s3://bucket/curated/dataset=events/");
    expect(ddl).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `lake`.`events`');
    expect(ddl).toContain('`event_time` timestamp');
    expect(ddl).toContain('PARTITIONED BY (`dt` date)');
    expect(ddl).toContain("LOCATION 's3://bucket/curated/dataset=events/'");
    expect(ddl).toContain("COMMENT 'The payload''s \"type\" field when it is a string.'");
  });

  test('DuckDB DDL carries NOT NULL for non-nullable columns and includes dt', () => {
    const ddl = duckdbCreateTable(appMarketDaily);
    expect(ddl).toContain('"revenue_usd" DECIMAL(18,4) NOT NULL');
    expect(ddl).toContain('"active_users" BIGINT,');
    expect(ddl).toContain('"dt" DATE NOT NULL');
    expect(duckdbJsonColumns(events)).toContain("'ingest_time': 'TIMESTAMP'");
  });

  test('Parquet layout maps decimals by precision and timestamps to millis', () => {
    expect(parquetType(t.decimal(18, 4))).toEqual({ physical: 'INT64', logical: 'DECIMAL(18,4)' });
    expect(parquetType(t.decimal(38, 4)).physical).toBe('FIXED_LEN_BYTE_ARRAY');
    expect(parquetType(t.timestamp()).logical).toBe('TIMESTAMP(MILLIS,UTC)');
    expect(curatedColumns(events)).toHaveLength(events.columnNames.length + 3);
  });
});

describe('compilePackEntryEncoder', () => {
  test('writes exactly what JSON.stringify([line, ...values in column order]) writes, for every column kind and null', () => {
    const validate = compileObjectValidator(appMarketDaily);
    const encode = compilePackEntryEncoder(appMarketDaily);
    const result = validate({
      metric_date: '2026-11-20',
      app_id: '9223372036854775807',
      app_name: 'Quote " and, comma \u2028 한',
      publisher_name: 'P',
      country_code: 'KR',
      device: 'iphone',
      store_id: 'ios',
      category_id: 6014,
      downloads: 12,
      revenue_usd: '-10.5',
      active_users: null,
      rank_overall: null,
      rating_average: 4.25,
      is_estimate: false,
      updated_at: '2026-11-21T00:00:00Z',
    });
    if (!result.ok) throw new Error('fixture must be valid');
    const value = result.value as Record<string, unknown>;
    expect(encode(result.value, 42)).toBe(JSON.stringify([42, ...appMarketDaily.columnNames.map((c) => value[c])]));
  });
});

describe('compileCuratedEncoder', () => {
  test('writes one JSON line; bigint and decimal as exact JSON numbers; lineage appended', () => {
    const validate = compileObjectValidator(appMarketDaily);
    const encode = compileCuratedEncoder(appMarketDaily);
    const result = validate({
      metric_date: '2026-11-20',
      app_id: '9223372036854775807',
      app_name: 'A',
      publisher_name: 'P',
      country_code: 'KR',
      device: 'iphone',
      store_id: 'ios',
      category_id: 6014,
      downloads: 12,
      revenue_usd: '10.5',
      active_users: null,
      rank_overall: null,
      rating_average: 4.5,
      is_estimate: true,
      updated_at: '2026-11-21T00:00:00Z',
    });
    if (!result.ok) throw new Error('fixture must be valid');
    const line = encode(result.value, { dedupKey: 'k"1', ingestedAt: '2026-11-22 00:00:00.000', origin: 'test' });
    expect(line.endsWith('}\n')).toBe(true);
    expect(line).toContain('"app_id":9223372036854775807,');
    expect(line).toContain('"revenue_usd":10.5000,');
    expect(line).toContain('"active_users":null,');
    expect(line).toContain('"is_estimate":true,');
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ country_code: 'KR', _dedup_key: 'k"1', _origin: 'test', updated_at: '2026-11-21 00:00:00.000' });
  });

  test('strings with quotes, newlines and non-ASCII survive a round trip', () => {
    const validate = compileObjectValidator(events);
    const encode = compileCuratedEncoder(events);
    const hostile = '=HYPERLINK("x")\n<script>alert(1)</script> 한국어 "quoted"';
    const result = validate({
      event_id: 'e1',
      event_time: 1_700_000_000_000,
      ingest_time: 1_700_000_000_000,
      source: 'http',
      trace_id: null,
      event_type: hostile,
      payload: '{}',
    });
    if (!result.ok) throw new Error('fixture must be valid');
    const line = encode(result.value, { dedupKey: 'd', ingestedAt: '2026-11-22 00:00:00.000', origin: 'o' });
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line).event_type).toBe(hostile);
  });
});
