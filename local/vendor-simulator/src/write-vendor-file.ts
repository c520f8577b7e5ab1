import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { VendorFile } from '@ingest-lake/shared';
import { appMarketDailyLines, headerLine, metadataLines } from './app-market-generator';

/** Writes one generated vendor file (csv.gz) atomically; data files get `dataRows` rows (every `invalidRowEvery`th one refused by the schema). */
export async function writeVendorFile(
  path: string,
  file: VendorFile,
  options: { snapshot: string; dataRows: number; isDataFile: boolean; seed?: number; invalidRowEvery?: number },
): Promise<void> {
  const temporary = `${path}.tmp`;
  async function* text(): AsyncGenerator<string> {
    yield headerLine(file);
    if (options.isDataFile) yield* appMarketDailyLines(options.dataRows, options.snapshot, options.seed, undefined, options.invalidRowEvery);
    else yield metadataLines(file.dataset.name, options.snapshot);
  }
  await pipeline(Readable.from(text()), createGzip({ level: 6 }), createWriteStream(temporary));
  await rename(temporary, path);
}
