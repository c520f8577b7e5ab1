/**
 * The lake's key layout, shared by infra (Firehose prefixes, lifecycle rules, Glue locations),
 * the collector and the local runtime, so that all three write and read the same places.
 */
import { SharedError } from '../shared-error';

/** Zones of the one lake bucket. */
export const LAKE_ZONES = {
  /** Vendor files exactly as downloaded: `raw/<dataset>/snapshot=<date>/<file>`. */
  raw: 'raw/',
  /** Firehose source backup: every Kinesis record as it arrived. */
  rawData: 'raw-data/',
  /** Validated, enriched Parquet: `curated/dataset=<name>/dt=<date>/`. */
  curated: 'curated/',
  /** Failed records with reasons (Firehose error output, collector quarantine). */
  errors: 'errors/',
  /** Athena query results. */
  athenaResults: 'athena-results/',
  /** Collector state (call ledger) and run reports. */
  state: 'state/',
} as const;

/** Firehose S3 prefix of curated data, with dynamic partitioning keys from the transform. */
export const FIREHOSE_CURATED_PREFIX =
  'curated/dataset=!{partitionKeyFromLambda:dataset}/dt=!{partitionKeyFromLambda:dt}/';
/** Firehose error output prefix (`processing-failed`, `format-conversion-failed`, …). */
export const FIREHOSE_ERROR_PREFIX = 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';
/** Firehose source-backup prefix: `raw-data/yyyy/MM/dd/HH/`, in UTC (Firehose's default time zone: https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html). */
export const FIREHOSE_BACKUP_PREFIX = 'raw-data/!{timestamp:yyyy/MM/dd/HH}/';
export const FIREHOSE_BACKUP_ERROR_PREFIX = 'errors/backup-!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';

/** Location of a curated dataset's Parquet files, for Glue tables and local views. */
export function curatedLocation(dataset: string): string {
  return `curated/dataset=${dataset}/`;
}

/**
 * Key of one dimension snapshot's Parquet file: `curated/dataset=<name>/dt=<snapshot>/<name>-<snapshot>.parquet`.
 * A dimension's `dt` is the vendor's snapshot date; the key is fixed, so a re-run replaces the file.
 */
export function dimensionSnapshotKey(dataset: string, snapshot: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(snapshot)) throw new RangeError(`snapshot: expected YYYY-MM-DD, got "${snapshot}"`);
  return `${curatedLocation(dataset)}dt=${snapshot}/${dataset}-${snapshot}.parquet`;
}

/**
 * Key of one part of a data file written straight to curated Parquet by the collector (decision 0018):
 * `curated/dataset=<name>/dt=<dt>/<name>-<snapshot>-part-<nnnnn>.parquet`. Fixed by snapshot, part
 * and `dt`, so a resumed run or a re-run writes the same keys again instead of adding objects.
 */
export function directBulkPartKey(dataset: string, dt: string, snapshot: string, part: number): string {
  for (const [field, date] of [['dt', dt], ['snapshot', snapshot]] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`${field}: expected YYYY-MM-DD, got "${date}"`);
  }
  if (!Number.isInteger(part) || part < 1 || part > 99_999) throw new RangeError(`part: expected an integer 1..99999, got ${part}`);
  return `${curatedLocation(dataset)}dt=${dt}/${dataset}-${snapshot}-part-${String(part).padStart(5, '0')}.parquet`;
}

/** The `_origin` of a vendor bulk file's rows before `#<line>`: `vendor-bulk:<vendor dataset>/snapshot=<date>/<file>`. */
export function vendorBulkOrigin(vendorDataset: string, snapshot: string, file: string): string {
  return `vendor-bulk:${vendorDataset}/snapshot=${snapshot}/${file}`;
}

/** Where the collector quarantines bad rows: `errors/collector/<dataset>/snapshot=<date>/<file>.quarantine.ndjson`. */
export const COLLECTOR_QUARANTINE_PREFIX = `${LAKE_ZONES.errors}collector/`;
/** Where the collector keeps its state: call ledgers, snapshot leases and run reports. */
export const COLLECTOR_STATE_PREFIX = `${LAKE_ZONES.state}collector/`;

/** Key of a vendor file's quarantine (bad rows with line and reason) in the lake's error zone. */
export function collectorQuarantineKey(dataset: string, snapshot: string, file: string): string {
  return `${COLLECTOR_QUARANTINE_PREFIX}${dataset}/snapshot=${snapshot}/${file}.quarantine.ndjson`;
}

/** Key of a snapshot's lease (one collector per snapshot), next to its run report. */
export function collectorLeaseKey(dataset: string, snapshot: string): string {
  return `${COLLECTOR_STATE_PREFIX}${dataset}/snapshot=${snapshot}/lease.json`;
}

/** Key of a snapshot's run report (what reconciliation reads). */
export function collectorReportKey(dataset: string, snapshot: string): string {
  return `${COLLECTOR_STATE_PREFIX}${dataset}/snapshot=${snapshot}/report.json`;
}

/** Key of a dataset's vendor call ledger (the contract's call cap, across instances). */
export function collectorLedgerKey(dataset: string): string {
  return `${COLLECTOR_STATE_PREFIX}${dataset}/call-ledger.json`;
}

/** Values a Firehose prefix expression can refer to. */
export interface PrefixContext {
  /** Delivery time, UTC. */
  at: Date;
  partitionKeys?: Record<string, string>;
  errorOutputType?: string;
  randomString?: () => string;
}

/** Raised when a prefix names a namespace or key the context does not have. */
export class PrefixExpressionError extends SharedError {
  readonly code = 'PREFIX_EXPRESSION_UNRESOLVED';
  constructor(prefix: string, expression: string) {
    super(`cannot evaluate ${expression} in S3 prefix "${prefix}"`);
    this.name = 'PrefixExpressionError';
  }
}

function formatUtc(pattern: string, at: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const tokens: Record<string, string> = {
    yyyy: String(at.getUTCFullYear()),
    MM: pad(at.getUTCMonth() + 1),
    dd: pad(at.getUTCDate()),
    HH: pad(at.getUTCHours()),
    mm: pad(at.getUTCMinutes()),
    ss: pad(at.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => tokens[token]!);
}

/**
 * Evaluates Firehose S3 prefix expressions: `!{timestamp:<pattern>}` (UTC), `!{partitionKeyFromLambda:<key>}`,
 * `!{firehose:error-output-type}` and `!{firehose:random-string}`.
 */
export function evaluatePrefix(prefix: string, context: PrefixContext): string {
  return prefix.replace(/!\{([a-zA-Z]+):([^}]+)\}/g, (expression, namespace: string, argument: string) => {
    if (namespace === 'timestamp') return formatUtc(argument, context.at);
    if (namespace === 'partitionKeyFromLambda') {
      const value = context.partitionKeys?.[argument];
      if (value === undefined) throw new PrefixExpressionError(prefix, expression);
      return value;
    }
    if (namespace === 'firehose' && argument === 'error-output-type' && context.errorOutputType) return context.errorOutputType;
    if (namespace === 'firehose' && argument === 'random-string') return (context.randomString ?? (() => Math.random().toString(36).slice(2, 12)))();
    throw new PrefixExpressionError(prefix, expression);
  });
}
