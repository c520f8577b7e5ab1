import { countDataRecords, sqlQueries, streamedDatasets } from '@ingest-lake/shared';
import { decodeFailureEnvelope } from '@ingest-lake/firehose-transform';
import { renderDashboard, type DashboardPanel } from './dashboard';
import type { LakeCatalog } from './lake-catalog';

/** Records that entered the pipeline, by source. */
export interface RecordsIn {
  /** Accepted by the ingest endpoint (API Gateway → Kinesis). */
  httpRequests: number;
  /** Sent by the collector (bulk rows and API records acknowledged by Kinesis). */
  collectorRows: number;
  /** Put on a stream by other producers (SDK clients). */
  otherProducers: number;
}

export interface Reconciliation {
  recordsIn: number;
  curatedRows: Record<string, number>;
  failedRows: Record<string, number>;
  /** Kinesis records the transforms dropped (routed elsewhere, blank). */
  droppedRecords: number;
  unexplained: number;
  reconciled: boolean;
}

/** Data records inside one failed Firehose record (its failure envelope holds the source bytes). */
export function failedRecordRows(rawData: string): number {
  const envelope = decodeFailureEnvelope(Buffer.from(rawData, 'base64'));
  return countDataRecords(Buffer.from(envelope ? envelope.sourceData : rawData, 'base64'));
}

/** What the lake holds: curated rows and distinct dedup keys per dataset, failed data records per reason. */
export interface LakeCounts {
  curatedRows: Record<string, number>;
  distinctKeys: Record<string, number>;
  failedRows: Record<string, number>;
}

export async function countLake(catalog: LakeCatalog): Promise<LakeCounts> {
  const counts: LakeCounts = { curatedRows: {}, distinctKeys: {}, failedRows: {} };
  for (const dataset of streamedDatasets) {
    const [row] = await catalog.query(`SELECT count(*) AS n, count(DISTINCT _dedup_key) AS keys FROM "${dataset.name}"`);
    counts.curatedRows[dataset.name] = Number(row!.n);
    counts.distinctKeys[dataset.name] = Number(row!.keys);
  }
  for (const row of await catalog.query('SELECT reason, rawData FROM delivery_errors')) {
    const reason = String(row.reason);
    counts.failedRows[reason] = (counts.failedRows[reason] ?? 0) + failedRecordRows(String(row.rawData));
  }
  return counts;
}

/** Sum of a count map. */
export const total = (values: Record<string, number>): number => Object.values(values).reduce((a, b) => a + b, 0);

/** Proves records in = curated + errors (+ documented drops), from what is in the lake (`counts`, when already taken). */
export async function reconcile(catalog: LakeCatalog, recordsIn: RecordsIn, droppedRecords: number, counts?: LakeCounts): Promise<Reconciliation> {
  const { curatedRows, failedRows } = counts ?? (await countLake(catalog));
  const entered = recordsIn.httpRequests + recordsIn.collectorRows + recordsIn.otherProducers;
  const accounted = total(curatedRows) + total(failedRows) + droppedRecords;
  return { recordsIn: entered, curatedRows, failedRows, droppedRecords, unexplained: entered - accounted, reconciled: entered === accounted };
}

const CHARTS: Record<string, DashboardPanel['chart']> = {
  records_per_day: { label: ['day', 'dataset'], value: 'records' },
  top_event_types: { label: 'event_type', value: 'events' },
  top_apps_by_revenue: { label: 'app_name', value: 'revenue_usd' },
};

/** Runs every named query and renders the dashboard, plus the error reasons from errors/. */
export async function buildDashboard(catalog: LakeCatalog, summary: string[]): Promise<string> {
  const panels: DashboardPanel[] = [];
  for (const query of sqlQueries()) {
    const title = query.sql.split('\n').find((line) => line.startsWith('-- ') && !line.startsWith('-- name:'))?.slice(3) ?? query.name;
    panels.push({ title, rows: await catalog.query(query.sql), ...(CHARTS[query.name] ? { chart: CHARTS[query.name] } : {}) });
  }
  panels.splice(2, 0, {
    title: 'Failed records by reason (errors/processing-failed)',
    rows: await catalog.query('SELECT reason, count(*) AS records FROM delivery_errors GROUP BY reason ORDER BY records DESC, reason'),
    chart: { label: 'reason', value: 'records' },
  });
  return renderDashboard({ title: 'ingest-lake — local pipeline', generatedAt: new Date(), panels, summary });
}
