import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** One in-process DuckDB database (the local Athena/Glue stand-in and the Parquet writer). */
export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path = ':memory:'): Promise<DuckDbSession> {
    const instance = await DuckDBInstance.create(path, { threads: '2' });
    return new DuckDbSession(instance, await instance.connect());
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a query; values come back as JSON-friendly JavaScript (bigints as strings where needed). */
  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Array<Record<string, unknown>>;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Quotes text as a SQL string literal. */
export function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
