import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CheckpointFile } from '../../src/checkpoint/run-checkpoint';

describe('CheckpointFile', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'checkpoint-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  test('two writers saving at once in one folder never rename each other\'s temporary file (a rename race once ended a run with ENOENT)', async () => {
    const [a, b] = await Promise.all([CheckpointFile.openOrCreate(directory, 'app_market', '2026-11-20'), CheckpointFile.openOrCreate(directory, 'app_market', '2026-11-20')]);
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).save()));
    expect(await readdir(directory)).toEqual(['checkpoint.json']);
    expect(JSON.parse(await readFile(path.join(directory, 'checkpoint.json'), 'utf8'))).toMatchObject({ dataset: 'app_market', snapshot: '2026-11-20' });
  });

  test('opening removes the temporary files a killed run left, and resumes the saved state', async () => {
    const first = await CheckpointFile.openOrCreate(directory, 'app_market', '2026-11-20');
    first.file('apps.csv.gz').ingested = true;
    await first.save();
    await writeFile(path.join(directory, 'checkpoint.json.4242.0badc0de.tmp'), '{"torn');
    await writeFile(path.join(directory, 'checkpoint.json.tmp'), '{"torn');
    const reopened = await CheckpointFile.openOrCreate(directory, 'app_market', '2026-11-20');
    expect(reopened.state.runId).toBe(first.state.runId);
    expect(reopened.file('apps.csv.gz').ingested).toBe(true);
    expect(await readdir(directory)).toEqual(['checkpoint.json']);
  });
});
