import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { MotoServer, S3Emulator } from '@ingest-lake/local-emulators';
import { BudgetExhaustedError, CallBudget } from '../../src/budget/call-budget';
import { S3LedgerStore } from '../../src/budget/ledger-store';
import { StateConflictError } from '../../src/state/state-store';

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

  test('a missing ledger reads as absent, and the budget counts it as nothing spent', async () => {
    const store = new S3LedgerStore(s3.client(), 'lake', 'state/collector/none/call-ledger.json');
    expect(await store.read()).toEqual({ state: undefined, revision: undefined });
    expect(await new CallBudget(store, { callsPerPeriod: 5, period: 'month' }).status()).toMatchObject({ spent: 0, remaining: 5 });
  });
});

/**
 * s3rver accepts If-Match / If-None-Match but does not enforce them; moto does, as S3 does. Here
 * several collector instances update one ledger at once: no update may be lost, and the cap holds.
 */
describe('S3LedgerStore against moto (conditional writes enforced)', () => {
  const moto = new MotoServer({ awsFidelity: true });
  let s3: S3Client;

  beforeAll(async () => {
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await moto.start();
    s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
  }, 60_000);
  afterAll(async () => {
    s3.destroy();
    await moto.stop();
  });

  test('a write against a stale revision is a conflict', async () => {
    const store = new S3LedgerStore(s3, 'lake', 'state/stale.json');
    await store.write({ version: 1, periods: {} }, undefined);
    const { revision } = await store.read();
    await store.write({ version: 1, periods: { '2026-11': { spent: 1, reservations: {} } } }, revision);
    await expect(store.write({ version: 1, periods: {} }, revision)).rejects.toThrow(StateConflictError);
    await expect(store.write({ version: 1, periods: {} }, undefined)).rejects.toThrow(StateConflictError);
  });

  test('six instances spending at once lose no call', async () => {
    const quota = { callsPerPeriod: 1_000, period: 'month' as const };
    const budgets = Array.from({ length: 6 }, () => new CallBudget(new S3LedgerStore(s3, 'lake', 'state/spend.json'), quota));
    await Promise.all(budgets.map(async (budget, i) => {
      for (let call = 0; call < 4; call++) await budget.spend(`run-${i}`);
    }));
    expect(await budgets[0]!.status()).toMatchObject({ spent: 24 });
  });

  test('racing reservations never overbook the cap', async () => {
    const quota = { callsPerPeriod: 5, period: 'month' as const };
    const budgets = Array.from({ length: 5 }, () => new CallBudget(new S3LedgerStore(s3, 'lake', 'state/reserve.json'), quota));
    const outcomes = await Promise.allSettled(budgets.map((budget, i) => budget.reserve(`run-${i}`, 2)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof BudgetExhaustedError)).toBe(true);
    expect(await budgets[0]!.status()).toMatchObject({ reserved: 4, remaining: 1 });
  });
});
