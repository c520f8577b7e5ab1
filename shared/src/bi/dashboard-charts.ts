import { DELIVERY_CONSTANTS } from '../delivery/delivery-settings';
import { FIREHOSE_ERROR_PREFIX } from '../lake/lake-layout';
import { sqlQueries, type SqlFile } from '../lake/sql-files';

/**
 * What the local dashboards and the QuickSight dashboard both show, defined once: each chart's id
 * and title, and where a chart reads a named query, which one. The local live dashboard draws the
 * time series from the running stack's counters; QuickSight draws the same charts from the lake
 * through Athena (records by `_ingested_at` minute, error records by reason), so "by source stream"
 * there means by dataset, which maps one to one to a stream.
 */
export interface DashboardChart {
  /** Stable id: the live page's chart id, QuickSight's visual id. */
  id: string;
  title: string;
}

/** A chart over a named query of `shared/sql/queries`: the bars' label columns and the value drawn. */
export interface QueryChart extends DashboardChart {
  query: string;
  /** The label of a bar (several columns: joined locally, the second is QuickSight's colour). */
  label: readonly string[];
  value: string;
}

export const DASHBOARD_CHARTS = {
  recordsIn: { id: 'records-in', title: 'Records in per minute, by source stream' },
  failures: { id: 'failures', title: 'Failed records per minute, by reason' },
  freshness: { id: 'freshness', title: 'Freshness: age of the newest curated record, by dataset' },
  /** Local only: Kinesis shard counters are not in the lake (CloudWatch has them in AWS). */
  shardLoad: { id: 'shard-load', title: 'Kinesis records read per minute, by shard' },
} as const satisfies Record<string, DashboardChart>;

/** The named query the freshness chart reads: newest `_ingested_at` per dataset. */
export const FRESHNESS_QUERY = 'freshness';

/** The dimension chart: revenue joined with the current categories and publishers (decision 0012). */
export const DIMENSION_CHART_QUERY = 'revenue_by_category_and_publisher';

/**
 * The bar charts over named queries (the static dashboard draws them; QuickSight draws the dimension
 * chart); the other queries are tables. A function, not a constant: titles are read from the SQL
 * files, which the Lambda and collector bundles that import this package do not carry.
 */
export function queryCharts(): QueryChart[] {
  const chart = (id: string, query: string, label: string[], value: string): QueryChart => ({ id, title: queryTitle(namedQuery(query)), query, label, value });
  return [
    chart('records-per-day', 'records_per_day', ['day', 'dataset'], 'records'),
    chart('top-event-types', 'top_event_types', ['event_type'], 'events'),
    chart('top-apps-by-revenue', 'top_apps_by_revenue', ['app_name'], 'revenue_usd'),
    chart('revenue-by-category-and-publisher', DIMENSION_CHART_QUERY, ['category_name', 'publisher_name'], 'revenue_usd'),
  ];
}

/** The dimension chart (a chart over dimension snapshots joined with the facts). */
export function dimensionChart(): QueryChart {
  return queryCharts().find((chart) => chart.query === DIMENSION_CHART_QUERY)!;
}

/**
 * The table over the Firehose error output (`errors/<error output type>/dt=…/`, JSON lines with
 * Firehose's fields), and the reason of a failed record: the transform's error message up to its
 * first colon. Both engines have `split_part` (DuckDB and Trino), so both dashboards count alike.
 */
export const DELIVERY_ERRORS_TABLE = 'delivery_errors';
export const FAILURE_REASON_SQL = "split_part(errorMessage, ':', 1)";

/** The error output types the delivery streams write under `errors/`: processing failures and missing partition keys. */
export const DELIVERY_ERROR_OUTPUT_TYPES = [DELIVERY_CONSTANTS.processingFailedErrorOutputType, DELIVERY_CONSTANTS.missingKeysErrorOutputType] as const;

const ERROR_OUTPUT_TYPE_EXPRESSION = '!{firehose:error-output-type}';

/** The folder of one error output type: the error prefix up to and including the type (`errors/<type>`). */
export function errorOutputFolder(errorOutputType: string): string {
  return FIREHOSE_ERROR_PREFIX.slice(0, FIREHOSE_ERROR_PREFIX.indexOf(ERROR_OUTPUT_TYPE_EXPRESSION) + ERROR_OUTPUT_TYPE_EXPRESSION.length).replace(
    ERROR_OUTPUT_TYPE_EXPRESSION,
    errorOutputType,
  );
}

/**
 * The error prefix as a partition-projection location template, relative to the bucket:
 * `errors/${error_output_type}/dt=${dt}/` (Athena fills in the two partition keys).
 */
export function errorOutputLocationTemplate(): string {
  const template = FIREHOSE_ERROR_PREFIX.replace(ERROR_OUTPUT_TYPE_EXPRESSION, '${error_output_type}').replace('!{timestamp:yyyy-MM-dd}', '${dt}');
  if (template.includes('!{')) throw new Error(`FIREHOSE_ERROR_PREFIX has an expression the error table cannot project: ${FIREHOSE_ERROR_PREFIX}`);
  return template;
}

/** Firehose's error record fields, in the order it writes them, with their types. */
export const DELIVERY_ERROR_COLUMNS = [
  { name: 'attemptsMade', type: 'bigint' },
  { name: 'arrivalTimestamp', type: 'bigint' },
  { name: 'errorCode', type: 'string' },
  { name: 'errorMessage', type: 'string' },
  { name: 'attemptEndingTimestamp', type: 'bigint' },
  { name: 'rawData', type: 'string' },
  { name: 'lambdaArn', type: 'string' },
] as const;

/** A named query by name; a name with no file is a programming error. */
export function namedQuery(name: string): SqlFile {
  const query = sqlQueries().find((q) => q.name === name);
  if (!query) throw new Error(`shared/sql/queries has no query named ${name}`);
  return query;
}

/** A named query's title: its second comment line (the first is `-- name:`), or its name. */
export function queryTitle(query: SqlFile): string {
  return query.sql.split('\n').find((line) => line.startsWith('-- ') && !line.startsWith('-- name:'))?.slice(3) ?? query.name;
}

/** A named query as the body of a subquery (QuickSight wraps custom SQL): no comment lines, no final `;`. */
export function queryAsSubquery(query: SqlFile): string {
  return query.sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .trim()
    .replace(/;\s*$/, '');
}
