import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { CollectEvent } from '../pipeline/collect-snapshot';

/** Renders collection progress: bars (bytes, records/s, ETA) on a TTY, JSON log lines otherwise. */
export interface ProgressReporter {
  onEvent(event: CollectEvent): void;
  log(message: string, fields?: Record<string, unknown>): void;
  stop(): void;
}

const JSON_INTERVAL_MS = 2_000;

export function createProgressReporter(mode: 'auto' | 'bars' | 'json', stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const useBars = mode === 'bars' || (mode === 'auto' && stream.isTTY === true);
  return useBars ? new BarReporter(stream) : new JsonReporter();
}

class JsonReporter implements ProgressReporter {
  private lastProgressAt = 0;

  log(message: string, fields: Record<string, unknown> = {}): void {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', message, ...fields })}\n`);
  }

  onEvent(event: CollectEvent): void {
    const now = Date.now();
    if ((event.type === 'download' || event.type === 'ingest') && now - this.lastProgressAt < JSON_INTERVAL_MS) return;
    if (event.type === 'download' || event.type === 'ingest') this.lastProgressAt = now;
    this.log(event.type, event as unknown as Record<string, unknown>);
  }

  stop(): void {}
}

class BarReporter implements ProgressReporter {
  private readonly bars: MultiBar;
  private readonly byFile = new Map<string, { bar: SingleBar; startedAt: number }>();

  constructor(stream: NodeJS.WriteStream) {
    this.bars = new MultiBar(
      {
        stream,
        clearOnComplete: false,
        hideCursor: true,
        format: '{phase} {file} |{bar}| {percentage}% {mb}/{totalMb} MB | {rate} rec/s | ETA {eta_formatted}',
      },
      Presets.shades_classic,
    );
  }

  private bar(file: string, phase: string, total: number) {
    const key = `${phase}:${file}`;
    let entry = this.byFile.get(key);
    if (!entry) {
      entry = { bar: this.bars.create(total, 0, { phase, file, mb: '0', totalMb: (total / 1e6).toFixed(1), rate: '-' }), startedAt: Date.now() };
      this.byFile.set(key, entry);
    }
    return entry;
  }

  log(message: string, fields: Record<string, unknown> = {}): void {
    this.bars.log(`${message} ${Object.keys(fields).length ? JSON.stringify(fields) : ''}\n`);
  }

  onEvent(event: CollectEvent): void {
    if (event.type === 'download') {
      const total = event.totalBytes ?? event.bytes;
      const { bar } = this.bar(event.file, 'download', total);
      bar.setTotal(total);
      bar.update(event.bytes, { mb: (event.bytes / 1e6).toFixed(1), totalMb: (total / 1e6).toFixed(1), rate: '-' });
    } else if (event.type === 'ingest') {
      const { bar, startedAt } = this.bar(event.file, 'ingest  ', event.totalBytes);
      const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
      bar.update(event.compressedBytes, {
        mb: (event.compressedBytes / 1e6).toFixed(1),
        totalMb: (event.totalBytes / 1e6).toFixed(1),
        rate: Math.round(event.rowsRead / seconds).toLocaleString('en'),
      });
    } else if (event.type === 'file-done') {
      const entry = this.byFile.get(`ingest  :${event.file}`);
      entry?.bar.update(entry.bar.getTotal());
    } else {
      this.log(event.type, event as unknown as Record<string, unknown>);
    }
  }

  stop(): void {
    this.bars.stop();
  }
}
