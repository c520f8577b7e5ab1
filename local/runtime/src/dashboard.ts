/**
 * The local stand-in for QuickSight: one self-contained HTML page (no script, no external asset)
 * with bar charts drawn as inline SVG from the named queries' results. Every value from the data
 * is HTML-escaped, so hostile strings in events render as text.
 */

export interface DashboardPanel {
  title: string;
  /** Rows from a named query. */
  rows: Array<Record<string, unknown>>;
  /** Column shown as the bar label, and the numeric column drawn. Absent: the panel is a table. */
  chart?: { label: string | string[]; value: string };
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function barChart(panel: DashboardPanel): string {
  const { label, value } = panel.chart!;
  const labels = Array.isArray(label) ? label : [label];
  const rows = panel.rows.map((row) => ({ text: labels.map((l) => String(row[l] ?? '')).join(' · '), n: Number(row[value] ?? 0) }));
  if (rows.length === 0) return '<p class="empty">No data yet.</p>';
  const max = Math.max(...rows.map((r) => r.n), 1);
  const barHeight = 22;
  const width = 640;
  const labelWidth = 240;
  const bars = rows
    .map((row, i) => {
      const y = i * (barHeight + 6);
      const barWidth = Math.max(1, Math.round(((width - labelWidth - 90) * row.n) / max));
      return (
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(row.text.length > 36 ? `${row.text.slice(0, 35)}…` : row.text)}</text>` +
        `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="${barHeight}" rx="3"></rect>` +
        `<text x="${labelWidth + barWidth + 6}" y="${y + 15}">${escapeHtml(row.n.toLocaleString('en'))}</text>`
      );
    })
    .join('');
  const height = rows.length * (barHeight + 6);
  return `<svg role="img" aria-label="${escapeHtml(panel.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${bars}</svg>`;
}

function table(panel: DashboardPanel): string {
  if (panel.rows.length === 0) return '<p class="empty">No data yet.</p>';
  const columns = Object.keys(panel.rows[0]!);
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = panel.rows.map((row) => `<tr>${columns.map((c) => `<td>${escapeHtml(row[c])}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function renderDashboard(options: { title: string; generatedAt: Date; panels: DashboardPanel[]; summary?: string[] }): string {
  const panels = options.panels
    .map((panel) => `<section><h2>${escapeHtml(panel.title)}</h2>${panel.chart ? barChart(panel) : table(panel)}</section>`)
    .join('\n');
  const summary = options.summary?.length ? `<ul class="summary">${options.summary.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(options.title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2933; background: #f7f9fb; }
h1 { font-size: 20px; } h2 { font-size: 15px; margin: 0 0 8px; }
section { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 16px; margin: 0 0 16px; max-width: 720px; }
svg text { font-size: 12px; fill: #334e68; } svg rect { fill: #2680c2; }
table { border-collapse: collapse; } th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 10px; text-align: left; }
.empty { color: #829ab1; } .summary { max-width: 720px; } .meta { color: #627d98; }
</style>
</head>
<body>
<h1>${escapeHtml(options.title)}</h1>
<p class="meta">Generated ${escapeHtml(options.generatedAt.toISOString())} from the local lake (DuckDB over curated Parquet and errors/).</p>
${summary}
${panels}
</body>
</html>
`;
}
