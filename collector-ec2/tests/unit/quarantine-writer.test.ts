import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { countQuarantineLines, QuarantineFileError, QuarantineWriter, type QuarantinedRow } from '../../src/parse/quarantine-writer';

const row = (line: number): QuarantinedRow => ({ dataset: 'app_market_daily', file: 'f.csv.gz', snapshot: '2026-11-20', line, reason: 'invalid_value', field: 'downloads', detail: 'd', raw: 'x,"y\nz"' });

describe('QuarantineWriter: lines committed with the checkpoint', () => {
  let directory: string;
  let file: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'quarantine-'));
    file = path.join(directory, 'q.ndjson');
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  test('reopened at a checkpoint, lines written after it are dropped, so a resumed run writes each line once', async () => {
    const first = await QuarantineWriter.open(file);
    first.add(row(2));
    await first.flush();
    const checkpointBytes = first.byteLength;
    first.add(row(5)); // written, then the run is killed before its checkpoint
    await first.close();
    const resumed = await QuarantineWriter.open(file, checkpointBytes);
    resumed.add(row(5));
    await resumed.close();
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as QuarantinedRow).line)).toEqual([2, 5]);
    expect(await countQuarantineLines(file)).toBe(2);
  });

  test('a file shorter than its checkpoint recorded is refused, naming both lengths', async () => {
    await writeFile(file, '{"line":2}\n');
    await expect(QuarantineWriter.open(file, 500)).rejects.toThrow(QuarantineFileError);
    await expect(QuarantineWriter.open(file, 500)).rejects.toThrow(`quarantine file ${file} holds 11 bytes, its checkpoint recorded 500`);
  });
});
