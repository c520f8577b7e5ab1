import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Emulator } from '@ingest-lake/local-emulators';
import { BudgetExhaustedError, CallBudget } from '../../src/budget/call-budget';
import { S3LedgerStore } from '../../src/budget/ledger-store';

/** The ledger where a replacement EC2 instance finds it: an S3 object (against s3rver). */
describe('S3LedgerStore against s3rver', () => {
  let directory: string;
  let s3: S3Emulator;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 's3-ledger-'));
    s3 = new S3Emulator(path.join(directory, 's3'));
    await s3.start();
    await s3.createBucket('lake');
  });
  afterAll(async () => {
    await s3.stop();
    await rm(directory, { recursive: true, force: true });
  });

  test('calls spent by one instance are seen by the next; the cap holds across them', async () => {
    const quota = { callsPerPeriod: 5, period: 'month' as const };
    const key = 'state/collector/app_market/call-ledger.json';
    const first = new CallBudget(new S3LedgerStore(s3.client(), 'lake', key), quota);
    await first.reserve('run-1', 3);
    for (let i = 0; i < 3; i++) await first.spend('run-1');
    await first.release('run-1');
    const replacement = new CallBudget(new S3LedgerStore(s3.client(), 'lake', key), quota);
    expect(await replacement.status()).toMatchObject({ spent: 3, remaining: 2 });
    await expect(replacement.reserve('run-2', 3)).rejects.toThrow(BudgetExhaustedError);
  });

  test('a missing ledger reads as empty', async () => {
    const store = new S3LedgerStore(s3.client(), 'lake', 'state/collector/none/call-ledger.json');
    expect(await store.read()).toEqual({ state: { version: 1, periods: {} }, revision: undefined });
  });
});
