import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileStateStore, StateConflictError } from '../../src/state/state-store';

describe('FileStateStore (the local variant of the ledger and lease store)', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'state-store-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  test('absent reads as undefined; create-if-absent and replace-if-unchanged, otherwise a conflict', async () => {
    const store = new FileStateStore<{ n: number }>(path.join(directory, 'nested', 'doc.json'));
    expect(await store.read()).toEqual({ state: undefined, revision: undefined });
    const first = await store.write({ n: 1 }, undefined);
    await expect(store.write({ n: 9 }, undefined)).rejects.toThrow(StateConflictError);
    const second = await store.write({ n: 2 }, first);
    await expect(store.write({ n: 9 }, first)).rejects.toThrow(StateConflictError);
    expect(await store.read()).toEqual({ state: { n: 2 }, revision: second });
  });

  test('twenty writers incrementing at once lose no update, and leave no temporary or mutex file', async () => {
    const file = path.join(directory, 'counter.json');
    const increment = async () => {
      const store = new FileStateStore<{ n: number }>(file);
      for (;;) {
        const { state, revision } = await store.read();
        try {
          await store.write({ n: (state?.n ?? 0) + 1 }, revision);
          return;
        } catch (error) {
          if (!(error instanceof StateConflictError)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, increment));
    expect((await new FileStateStore<{ n: number }>(file).read()).state).toEqual({ n: 20 });
    expect(await readdir(directory)).toEqual(['counter.json']);
  });
});
