import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { appMarketDaily } from '@ingest-lake/shared';
import { ingestCsvFile, type CsvFileIngestOptions, type FileProgress } from '../../src/pipeline/csv-file-ingest';
import { QuarantineWriter, type QuarantinedRow } from '../../src/parse/quarantine-writer';

/**
 * Gzips `text` and ingests it as an app_market_daily file (other settings may be given), with a
 * quarantine file in a temporary folder; returns the progress and what was quarantined.
 */
export async function ingestText(
  text: string | Buffer,
  settings: Partial<Omit<CsvFileIngestOptions, 'source' | 'quarantine'>> = {},
): Promise<{ progress: FileProgress; quarantineText: string; quarantined: QuarantinedRow[] }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'ingest-'));
  const quarantine = await QuarantineWriter.open(path.join(directory, 'q.ndjson'));
  let closed = false;
  try {
    const progress = await ingestCsvFile({
      dataset: appMarketDaily,
      origin: 'test',
      file: 'app_market_daily.csv.gz',
      snapshot: '2026-11-20',
      source: Readable.from([gzipSync(text)]),
      quarantine,
      ...settings,
    });
    await quarantine.close();
    closed = true;
    const quarantineText = await readFile(quarantine.path, 'utf8');
    const quarantined = quarantineText
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as QuarantinedRow);
    return { progress, quarantineText, quarantined };
  } finally {
    if (!closed) await quarantine.close();
    await rm(directory, { recursive: true, force: true });
  }
}
