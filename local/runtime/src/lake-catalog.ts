import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  curatedDatasets,
  curatedLocation,
  DELIVERY_ERROR_COLUMNS,
  DELIVERY_ERROR_OUTPUT_TYPES,
  DELIVERY_ERRORS_TABLE,
  duckdbCreateTable,
  FAILURE_REASON_SQL,
  errorOutputFolder,
  LAKE_ZONES,
  sqlViews,
} from '@ingest-lake/shared';
import { DuckDbSession, sqlLiteral } from './duckdb-session';

/**
 * The local Glue catalog + Athena: DuckDB over a local copy of the lake (DuckDB's httpfs cannot be
 * installed offline, so objects are downloaded first). Tables come from the shared schemas, views
 * and queries from the same SQL files infra registers in Athena.
 */
export class LakeCatalog {
  private constructor(
    readonly duckdb: DuckDbSession,
    private readonly cacheDir: string,
  ) {}

  static async open(cacheDir: string): Promise<LakeCatalog> {
    await mkdir(cacheDir, { recursive: true });
    return new LakeCatalog(await DuckDbSession.open(), cacheDir);
  }

  /** Downloads objects under the given prefixes that are not cached yet (objects are immutable). */
  async sync(s3: S3Client, bucket: string, prefixes: string[] = [LAKE_ZONES.curated, LAKE_ZONES.errors]): Promise<number> {
    let downloaded = 0;
    for (const prefix of prefixes) {
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
          const target = path.join(this.cacheDir, object.Key!);
          if (existsSync(target) && statSync(target).size === object.Size) continue;
          await mkdir(path.dirname(target), { recursive: true });
          const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }));
          await writeFile(target, await body.Body!.transformToByteArray());
          downloaded++;
        }
        token = page.NextContinuationToken;
      } while (token);
    }
    return downloaded;
  }

  private async hasFiles(relative: string): Promise<boolean> {
    const directory = path.join(this.cacheDir, relative);
    if (!existsSync(directory)) return false;
    const entries = await readdir(directory, { recursive: true });
    return entries.some((entry) => !entry.toString().endsWith('/') && statSync(path.join(directory, entry.toString())).isFile());
  }

  /** Drops a table or view by name, whichever it is (DuckDB refuses DROP VIEW on a table). */
  private async drop(name: string): Promise<void> {
    const rows = await this.duckdb.query(`SELECT table_type FROM information_schema.tables WHERE table_name = ${sqlLiteral(name)}`);
    for (const row of rows) await this.duckdb.run(`DROP ${row.table_type === 'VIEW' ? 'VIEW' : 'TABLE'} "${name}"`);
  }

  /**
   * (Re)creates a table per curated dataset over the cached lake (streamed datasets and the
   * dimensions, all partitioned by dt), `delivery_errors` over the error output, then the shared views
   * (the generated `<dimension>_current` views first).
   */
  async refresh(): Promise<void> {
    for (const dataset of curatedDatasets) {
      await this.drop(dataset.name);
      const folder = curatedLocation(dataset.name);
      if (await this.hasFiles(folder)) {
        const glob = path.join(this.cacheDir, folder, 'dt=*', '*.parquet');
        await this.duckdb.run(
          `CREATE VIEW "${dataset.name}" AS SELECT * FROM read_parquet(${sqlLiteral(glob)}, hive_partitioning = true, hive_types = {'dt': DATE}, union_by_name = true)`,
        );
      } else {
        await this.duckdb.run(duckdbCreateTable(dataset));
      }
    }
    await this.drop(DELIVERY_ERRORS_TABLE);
    const duckdbType = (type: string) => (type === 'bigint' ? 'BIGINT' : 'VARCHAR');
    const columns = `{${DELIVERY_ERROR_COLUMNS.map((c) => `'${c.name}': '${duckdbType(c.type)}'`).join(', ')}}`;
    const folders: string[] = [];
    for (const errorOutputType of DELIVERY_ERROR_OUTPUT_TYPES) {
      const folder = errorOutputFolder(errorOutputType);
      if (await this.hasFiles(folder)) folders.push(folder);
    }
    if (folders.length > 0) {
      const globs = folders.map((folder) => sqlLiteral(path.join(this.cacheDir, folder, '*', '*'))).join(', ');
      await this.duckdb.run(
        `CREATE VIEW ${DELIVERY_ERRORS_TABLE} AS SELECT *, ${FAILURE_REASON_SQL} AS reason FROM read_json([${globs}], format = 'newline_delimited', columns = ${columns})`,
      );
    } else {
      await this.duckdb.run(
        `CREATE TABLE ${DELIVERY_ERRORS_TABLE} (${DELIVERY_ERROR_COLUMNS.map((c) => `${c.name} ${duckdbType(c.type)}`).join(', ')}, reason VARCHAR)`,
      );
    }
    for (const view of sqlViews()) await this.duckdb.run(view.sql);
  }

  query(sql: string): Promise<Array<Record<string, unknown>>> {
    return this.duckdb.query(sql);
  }

  close(): void {
    this.duckdb.close();
  }
}
