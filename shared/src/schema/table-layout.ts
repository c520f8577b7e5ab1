import type { ColumnDef } from './column';
import type { Dataset } from './dataset';
import { lineageColumns, partitionColumn } from './dataset';

/**
 * Table layouts generated from a dataset: Glue/Athena (Hive) types, DuckDB types and DDL,
 * and the Parquet physical layout. Curated tables are the declared columns plus lineage,
 * partitioned by `dt`.
 */

export interface TableColumn {
  name: string;
  column: ColumnDef;
}

/** Declared columns followed by the lineage columns, in file order. */
export function curatedColumns(dataset: Dataset): TableColumn[] {
  return [
    ...dataset.columnNames.map((name) => ({ name, column: dataset.columns[name]! })),
    ...Object.entries(lineageColumns).map(([name, column]) => ({ name, column: column as ColumnDef })),
  ];
}

/** Glue Data Catalog / Athena (Hive DDL) type of a column. */
export function glueType(column: ColumnDef): string {
  switch (column.kind) {
    case 'decimal':
      return `decimal(${column.precision},${column.scale})`;
    case 'int':
      return 'int';
    default:
      return column.kind;
  }
}

/** DuckDB type of a column. */
export function duckdbType(column: ColumnDef): string {
  switch (column.kind) {
    case 'string':
      return 'VARCHAR';
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'decimal':
      return `DECIMAL(${column.precision},${column.scale})`;
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
  }
}

/** Parquet physical and logical type of a column (what Firehose and DuckDB both write). */
export function parquetType(column: ColumnDef): { physical: string; logical?: string } {
  switch (column.kind) {
    case 'string':
      return { physical: 'BYTE_ARRAY', logical: 'STRING' };
    case 'int':
      return { physical: 'INT32' };
    case 'bigint':
      return { physical: 'INT64' };
    case 'double':
      return { physical: 'DOUBLE' };
    case 'boolean':
      return { physical: 'BOOLEAN' };
    case 'decimal':
      return {
        physical: (column.precision ?? 38) <= 18 ? 'INT64' : 'FIXED_LEN_BYTE_ARRAY',
        logical: `DECIMAL(${column.precision},${column.scale})`,
      };
    case 'date':
      return { physical: 'INT32', logical: 'DATE' };
    case 'timestamp':
      return { physical: 'INT64', logical: 'TIMESTAMP(MILLIS,UTC)' };
  }
}

/** Glue table columns (name, type, comment) for a curated table; `dt` is a partition key, not a column. */
export function glueColumns(dataset: Dataset): Array<{ name: string; type: string; comment?: string }> {
  return curatedColumns(dataset).map(({ name, column }) => ({
    name,
    type: glueType(column),
    ...(column.description === undefined ? {} : { comment: column.description }),
  }));
}

/** The Glue partition key of every curated table. */
export const gluePartitionKeys = [{ name: partitionColumn.name, type: 'date' }] as const;

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Athena `CREATE EXTERNAL TABLE` over the curated Parquet of a dataset. */
export function athenaCreateTable(dataset: Dataset, database: string, location: string): string {
  const columns = curatedColumns(dataset)
    .map(({ name, column }) => {
      const comment = column.description === undefined ? '' : ` COMMENT ${sqlString(column.description)}`;
      return `  \`${name}\` ${glueType(column)}${comment}`;
    })
    .join(',\n');
  return (
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${database}\`.\`${dataset.name}\` (\n${columns}\n)\n` +
    `COMMENT ${sqlString(dataset.description)}\n` +
    `PARTITIONED BY (\`${partitionColumn.name}\` date)\n` +
    `STORED AS PARQUET\nLOCATION ${sqlString(location)};\n`
  );
}

/** DuckDB `CREATE TABLE` with the same columns and types (plus `dt`), for the local catalog. */
export function duckdbCreateTable(dataset: Dataset, tableName: string = dataset.name): string {
  const columns = [...curatedColumns(dataset), { name: partitionColumn.name, column: { kind: 'date', nullable: false } }]
    .map(({ name, column }) => `  "${name}" ${duckdbType(column as ColumnDef)}${column.nullable ? '' : ' NOT NULL'}`)
    .join(',\n');
  return `CREATE TABLE IF NOT EXISTS "${tableName}" (\n${columns}\n);\n`;
}

/** DuckDB `read_json` column spec (`{'name': 'TYPE', …}`) to read curated NDJSON with exact types. */
export function duckdbJsonColumns(dataset: Dataset): string {
  return `{${curatedColumns(dataset)
    .map(({ name, column }) => `'${name}': '${duckdbType(column)}'`)
    .join(', ')}}`;
}
