import { escapeHtml } from './dashboard';

/** The page's script and stylesheet, served beside it (the bundle holds the chart library: no CDN). */
export const DASHBOARD_PAGE_ASSETS = { script: 'dashboard-page.js', stylesheet: 'dashboard-page.css' } as const;

/**
 * The live dashboard's HTML shell. Everything it shows is drawn by the bundled script from
 * `dashboard.json`; the CSP lets the page load only its own script, stylesheet and JSON, so it works
 * offline and a hostile string in the data can only ever be text.
 */
export function renderLiveDashboardPage(options: { title: string; refreshSeconds: number }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="${DASHBOARD_PAGE_ASSETS.stylesheet}">
<script defer src="${DASHBOARD_PAGE_ASSETS.script}"></script>
</head>
<body data-refresh-seconds="${escapeHtml(options.refreshSeconds)}">
<h1>${escapeHtml(options.title)}</h1>
<p class="meta" id="status">Loading…</p>
<div id="charts" class="grid"></div>
<div id="tables" class="grid"></div>
</body>
</html>
`;
}
