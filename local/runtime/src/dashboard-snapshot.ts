/**
 * What the live dashboard's page polls (`GET /dashboard.json`): time-series charts over the stack's
 * recent past and today's tables from the lake. Types only, shared by the server and the browser page.
 */

/** One chart: a shared time axis and one line per series. */
export interface TimeSeriesChart {
  /** Stable id (the page keeps one chart per id across refreshes). */
  id: string;
  title: string;
  /** What the y values count, e.g. `records in the last minute`. */
  unit: string;
  /** Sample times, Unix seconds (uPlot's time axis). */
  timestamps: number[];
  /** One line per source, reason, dataset or shard; `null` where the series had no value then. */
  series: Array<{ label: string; values: Array<number | null> }>;
}

/** One table of rows from a named query, as the static dashboard shows it. */
export interface DashboardTable {
  title: string;
  rows: Array<Record<string, unknown>>;
}

/** The whole page's data at one moment. */
export interface DashboardSnapshot {
  title: string;
  /** ISO time the snapshot was computed. */
  generatedAt: string;
  /** How often the page should poll, seconds. */
  refreshSeconds: number;
  charts: TimeSeriesChart[];
  tables: DashboardTable[];
  /** Why the newest refresh failed, when it did (the rest is the last good data). */
  refreshError?: string;
}
