/**
 * The live dashboard's browser script, bundled with uPlot by esbuild (`npm run build`): polls
 * `dashboard.json`, draws each time series with uPlot and each table with DOM text nodes (never
 * HTML), and marks `<body data-snapshot-at>` with the snapshot it shows.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './dashboard-page.css';
import type { DashboardSnapshot, DashboardTable, TimeSeriesChart } from '../dashboard-snapshot';

const COLORS = ['#2680c2', '#d64545', '#3ebd93', '#f0b429', '#8662c7', '#e668a7', '#27ab83', '#9aa5b1'];
const CHART_SIZE = { width: 540, height: 220 };

/** One uPlot per chart id, rebuilt only when its set of series changes. */
const plots = new Map<string, { plot: uPlot; labels: string }>();
/** The rows each table shows, as JSON: a table is redrawn only when they change (no flicker, selections stay). */
const shownTables = new Map<number, string>();

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** The section for `id` inside `parent`, created on first use. */
function section(parent: HTMLElement, id: string, title: string): HTMLElement {
  let node = document.getElementById(id);
  if (!node) {
    node = element('section');
    node.id = id;
    parent.append(node);
  }
  node.replaceChildren(element('h2', title));
  return node;
}

function drawChart(chart: TimeSeriesChart): void {
  const existing = plots.get(chart.id);
  const labels = JSON.stringify(chart.series.map((s) => s.label));
  const data = [chart.timestamps, ...chart.series.map((s) => s.values)] as uPlot.AlignedData;
  if (existing && existing.labels === labels) {
    existing.plot.setData(data);
    return;
  }
  existing?.plot.destroy();
  const node = section(document.getElementById('charts')!, `chart-${chart.id}`, chart.title);
  node.classList.add('chart');
  if (chart.series.length === 0) node.append(element('p', 'No data yet.', 'empty'));
  const options: uPlot.Options = {
    ...CHART_SIZE,
    series: [{}, ...chart.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false }))],
    axes: [{}, { label: chart.unit, size: 60 }],
    scales: { y: { range: (_plot, min, max) => [Math.min(0, min ?? 0), Math.max(1, max ?? 1)] } },
  };
  plots.set(chart.id, { plot: new uPlot(options, data, node), labels });
}

function drawTable(table: DashboardTable, index: number): void {
  const shown = JSON.stringify(table);
  if (shownTables.get(index) === shown) return;
  shownTables.set(index, shown);
  const node = section(document.getElementById('tables')!, `table-${index}`, table.title);
  if (table.rows.length === 0) {
    node.append(element('p', 'No data yet.', 'empty'));
    return;
  }
  const columns = Object.keys(table.rows[0]!);
  const head = element('tr');
  for (const column of columns) head.append(element('th', column));
  const body = element('tbody');
  for (const row of table.rows) {
    const tr = element('tr');
    for (const column of columns) tr.append(element('td', String(row[column] ?? '')));
    body.append(tr);
  }
  const tableNode = element('table');
  tableNode.append(element('thead'), body);
  tableNode.tHead!.append(head);
  node.append(tableNode);
}

async function refresh(): Promise<void> {
  const status = document.getElementById('status')!;
  try {
    const response = await fetch('dashboard.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`dashboard.json answered ${response.status}`);
    const snapshot = (await response.json()) as DashboardSnapshot;
    snapshot.charts.forEach(drawChart);
    snapshot.tables.forEach(drawTable);
    status.textContent =
      `Live: updated ${new Date(snapshot.generatedAt).toLocaleTimeString()} from the running stack (runner counters, DuckDB over the lake), every ${snapshot.refreshSeconds} s.` +
      (snapshot.refreshError ? ` The last refresh failed: ${snapshot.refreshError}` : '');
    document.body.dataset.snapshotAt = snapshot.generatedAt;
  } catch (error) {
    status.textContent = `Not updated: ${(error as Error).message}. Is \`local up\` still running?`;
  }
}

const refreshSeconds = Number(document.body.dataset.refreshSeconds) || 5;
const loop = (): void => void refresh().finally(() => setTimeout(loop, refreshSeconds * 1000));
loop();
