import type { S3Client } from '@aws-sdk/client-s3';
import type { DashboardSnapshot } from './dashboard-snapshot';
import type { FirehoseRunner } from './firehose-runner';
import { LakeCatalog } from './lake-catalog';
import { DASHBOARD_TITLE, dashboardPanels } from './lake-report';
import { LiveDashboardServer } from './live-dashboard-server';
import { MetricsHistory, type MetricsHistoryOptions } from './pipeline-metrics-history';
import { lakeFreshness, samplePipeline } from './pipeline-sampler';

export interface LiveDashboardOptions {
  /** The running stack's delivery streams (their counters are sampled). */
  runners: readonly FirehoseRunner[];
  /** The lake's S3 (the emulator's client) and bucket. */
  s3: S3Client;
  bucket: string;
  /** The dashboard's own copy of the lake, apart from the one `local query` syncs. */
  cacheDir: string;
  /** Folder of the bundled page (REPO_PATHS.dashboardPageDir). */
  pageDir: string;
  /** Seconds between samples, and between the page's polls. @default 5 */
  refreshSeconds?: number;
  /** Window and reach of the charts. @default MetricsHistory's */
  history?: MetricsHistoryOptions;
}

/**
 * `local up`'s live dashboard: every `refreshSeconds` it syncs the lake into its DuckDB catalog,
 * samples the runners' counters and the lake's freshness into the history, reruns today's named
 * queries, and keeps the result as the snapshot its server hands to the polling page.
 */
export class LiveDashboard {
  private readonly history: MetricsHistory;
  private readonly refreshSeconds: number;
  private catalog: LakeCatalog | undefined;
  private server: LiveDashboardServer | undefined;
  private snapshot: DashboardSnapshot;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: LiveDashboardOptions) {
    this.refreshSeconds = options.refreshSeconds ?? 5;
    if (!(this.refreshSeconds > 0)) throw new RangeError(`refreshSeconds must be > 0, got ${this.refreshSeconds}`);
    this.history = new MetricsHistory(options.history);
    this.snapshot = { title: DASHBOARD_TITLE, generatedAt: new Date().toISOString(), refreshSeconds: this.refreshSeconds, charts: [], tables: [] };
  }

  /** Takes the first snapshot, serves the page on `port` (0 = any free port) and keeps refreshing; returns the page's URL. */
  async start(port = 0): Promise<string> {
    this.catalog = await LakeCatalog.open(this.options.cacheDir);
    this.server = new LiveDashboardServer({ snapshot: () => this.snapshot, pageDir: this.options.pageDir, title: DASHBOARD_TITLE, refreshSeconds: this.refreshSeconds });
    const url = await this.server.start(port);
    await this.tick();
    this.schedule();
    return `${url}/`;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule());
    }, this.refreshSeconds * 1000);
  }

  /** One refresh; a failure keeps the last good data and says why on the page. */
  private async tick(): Promise<void> {
    const catalog = this.catalog!;
    try {
      await catalog.sync(this.options.s3, this.options.bucket);
      await catalog.refresh();
      const now = Date.now();
      this.history.record(samplePipeline(this.options.runners, await lakeFreshness(catalog, now), now));
      const tables = (await dashboardPanels(catalog)).map(({ title, rows }) => ({ title, rows }));
      this.snapshot = { title: DASHBOARD_TITLE, generatedAt: new Date(now).toISOString(), refreshSeconds: this.refreshSeconds, charts: this.history.charts(), tables };
    } catch (error) {
      this.snapshot = { ...this.snapshot, refreshError: (error as Error).message };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await this.server?.stop();
    this.catalog?.close();
  }
}
