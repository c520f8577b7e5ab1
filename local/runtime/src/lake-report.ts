import { countDataRecords, queryCharts, queryTitle, sqlQueries, streamedDatasets } from '@ingest-lake/shared';
import { decodeFailureEnvelope } from '@ingest-lake/firehose-transform';
import { renderDashboard, type DashboardPanel } from './dashboard';
import type { LakeCatalog } from './lake-catalog';
import { addTo, type RecordCounts } from './record-counts';

/** Data records inside one failed Firehose record (its failure envelope holds the source bytes). */
export function failedRecordRows(rawData: string): number {
  const envelope = decodeFailureEnvelope(Buffer.from(rawData, 'base64'));
  return countDataRecords(Buffer.from(envelope ? envelope.sourceData : rawData, 'base64'));
}

/** What the lake holds: the curated and failed parts of the shared count, and distinct dedup keys per dataset. */
export interface LakeCounts extends Pick<RecordCounts, 'curatedRows' | 'failedRows'> {
  distinctKeys: Record<string, number>;
}

/** Counts the lake through the catalog (the Athena view of it). */
export async function countLake(catalog: LakeCatalog): Promise<LakeCounts> {
  const counts: LakeCounts = { curatedRows: {}, distinctKeys: {}, failedRows: {} };
  for (const dataset of streamedDatasets) {
    const [row] = await catalog.query(`SELECT count(*) AS n, count(DISTINCT _dedup_key) AS keys FROM "${dataset.name}"`);
    counts.curatedRows[dataset.name] = Number(row!.n);
    counts.distinctKeys[dataset.name] = Number(row!.keys);
  }
  for (const row of await catalog.query('SELECT reason, rawData FROM delivery_errors')) {
    addTo(counts.failedRows, String(row.reason), failedRecordRows(String(row.rawData)));
  }
  return counts;
}

/** Runs every named query, plus the error reasons from errors/: the panels both dashboards show. */
export async function dashboardPanels(catalog: LakeCatalog): Promise<DashboardPanel[]> {
  const panels: DashboardPanel[] = [];
  const charts = queryCharts();
  for (const query of sqlQueries()) {
    const chart = charts.find((c) => c.query === query.name);
    panels.push({ title: queryTitle(query), rows: await catalog.query(query.sql), ...(chart ? { chart: { label: [...chart.label], value: chart.value } } : {}) });
  }
  panels.splice(2, 0, {
    title: 'Failed records by reason (the error prefix)',
    rows: await catalog.query('SELECT reason, count(*) AS records FROM delivery_errors GROUP BY reason ORDER BY records DESC, reason'),
    chart: { label: 'reason', value: 'records' },
  });
  return panels;
}

/** Renders the static dashboard (`.local/dashboard.html`) from the panels. */
export async function buildDashboard(catalog: LakeCatalog, summary: string[]): Promise<string> {
  return renderDashboard({ title: DASHBOARD_TITLE, generatedAt: new Date(), panels: await dashboardPanels(catalog), summary });
}

/** Title of both dashboards. */
export const DASHBOARD_TITLE = 'ingest-lake — local pipeline';
