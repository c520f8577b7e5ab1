import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BudgetExhaustedError, CallBudget, periodKey } from '../../src/budget/call-budget';
import { FileLedgerStore } from '../../src/budget/ledger-store';

describe('CallBudget with a file ledger', () => {
  let directory: string;
  let now: Date;
  const budget = (cap = 10, file = 'ledger.json') =>
    new CallBudget(new FileLedgerStore(path.join(directory, file)), { callsPerPeriod: cap, period: 'month' }, () => now);

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'budget-'));
    now = new Date('2026-11-22T10:00:00Z');
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  test('reserve, spend and release; state survives a new instance (a restart)', async () => {
    const first = budget();
    await first.reserve('run-1', 4);
    for (let i = 0; i < 3; i++) await first.spend('run-1');
    await first.release('run-1');
    expect(await budget().status()).toEqual({ period: '2026-11', cap: 10, spent: 3, reserved: 0, remaining: 7 });
  });

  test('a reservation that does not fit is refused and changes nothing', async () => {
    const b = budget();
    await b.reserve('run-1', 8);
    await expect(b.reserve('run-2', 3)).rejects.toThrow(BudgetExhaustedError);
    await expect(b.reserve('run-2', 3)).rejects.toThrow('2 of 10 left');
    expect((await b.status()).reserved).toBe(8);
  });

  test('spending beyond a reservation uses only unreserved calls, then refuses', async () => {
    const b = budget(3);
    await b.reserve('run-1', 1);
    await b.spend('run-1');
    await b.spend('run-1');
    await b.spend('run-1');
    await expect(b.spend('run-1')).rejects.toThrow(BudgetExhaustedError);
    expect((await b.status()).spent).toBe(3);
  });

  test('a killed run\'s reservation lapses after 24 hours; a new period starts empty', async () => {
    const b = budget();
    await b.reserve('killed', 10);
    now = new Date('2026-11-23T10:00:01Z');
    expect((await b.status()).remaining).toBe(10);
    await b.spend('other');
    now = new Date('2026-12-01T00:00:00Z');
    expect(await b.status()).toMatchObject({ period: '2026-12', spent: 0, remaining: 10 });
  });

  test('period keys are UTC days or months', () => {
    expect(periodKey('day', new Date('2026-11-22T23:59:59Z'))).toBe('2026-11-22');
    expect(periodKey('month', new Date('2026-12-01T00:00:00Z'))).toBe('2026-12');
  });
});
