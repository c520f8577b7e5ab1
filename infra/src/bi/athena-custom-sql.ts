import {
  curatedDatasets,
  DELIVERY_ERRORS_TABLE,
  FAILURE_REASON_SQL,
  queryAsSubquery,
  sqlViews,
  streamedDatasets,
  type SqlFile,
} from '@ingest-lake/shared';
import { InfraError } from '../infra-error';

/** A name after FROM or JOIN that is neither a catalog relation nor a name the query defines (a CTE). */
export class UnknownRelationError extends InfraError {
  readonly code = 'UNKNOWN_RELATION';
  constructor(
    readonly query: string,
    readonly relation: string,
  ) {
    super(`${query}: FROM/JOIN names "${relation}", which is no table or view of the catalog and no CTE of the query`);
    this.name = 'UnknownRelationError';
  }
}

/** Every table and view the catalog declares: the curated tables, the error table, the views. */
export function catalogRelations(): Set<string> {
  return new Set([...curatedDatasets.map((d) => d.name), DELIVERY_ERRORS_TABLE, ...sqlViews().map((v) => v.name)]);
}

const RELATION_AFTER_FROM_OR_JOIN = /\b(FROM|JOIN)(\s+)([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()/gi;

/**
 * Qualifies every catalog relation a query reads with the Glue database (`"db"."table"`).
 * QuickSight's custom SQL has no database setting, and Athena resolves a bare name in `default`;
 * the shared SQL names bare tables because DuckDB and the Glue job set the database themselves.
 * Names the query defines itself (CTEs) are left alone; anything else is refused by name.
 */
export function qualifyRelations(name: string, sql: string, database: string, relations: ReadonlySet<string> = catalogRelations()): string {
  const defined = new Set([...sql.matchAll(/(?:\bWITH|,)\s*([A-Za-z_][A-Za-z0-9_]*)\s+AS\s*\(/gi)].map((m) => m[1]!.toLowerCase()));
  return sql.replace(RELATION_AFTER_FROM_OR_JOIN, (whole, keyword: string, space: string, relation: string) => {
    if (defined.has(relation.toLowerCase())) return whole;
    if (!relations.has(relation)) throw new UnknownRelationError(name, relation);
    return `${keyword}${space}"${database}"."${relation}"`;
  });
}

/** A named query as QuickSight custom SQL: no comments, no final `;`, relations qualified. */
export function namedQueryCustomSql(query: SqlFile, database: string): string {
  return qualifyRelations(query.name, queryAsSubquery(query), database);
}

/** Every streamed record by the minute it was curated, and its dataset (one per stream): the records-in chart. */
export function recordsInCustomSql(database: string): string {
  return streamedDatasets.map((d) => `SELECT '${d.name}' AS dataset, _ingested_at AS ingested_at FROM "${database}"."${d.name}"`).join('\nUNION ALL\n');
}

/**
 * Every failed Firehose record with its reason and arrival time: the failures chart. Trino's
 * `from_unixtime` gives a timestamp with time zone; it is cast to a plain timestamp (UTC, like
 * `_ingested_at`), the type the other DATETIME columns have, rather than rely on how QuickSight maps a zoned one.
 */
export function failuresCustomSql(database: string): string {
  return `SELECT ${FAILURE_REASON_SQL} AS reason, CAST(from_unixtime(CAST(arrivalTimestamp AS double) / 1000) AS timestamp) AS failed_at FROM "${database}"."${DELIVERY_ERRORS_TABLE}"`;
}
