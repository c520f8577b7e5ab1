import { decideLease, sameHolder, type LeaseHolder, type LeaseRecord } from '../../src/lease/lease-decision';

const NOW = new Date('2026-11-21T02:30:00.000Z');
const me: LeaseHolder = { runId: 'run-a', host: 'ip-10-0-1-5', pid: 200, workDir: '/var/lib/ingest-collector/app_market/snapshot=2026-11-20', startedAt: '2026-11-21T02:29:59.000Z' };

function lease(holder: Partial<LeaseHolder>, expiresAt: string, released?: LeaseRecord['released']): LeaseRecord {
  return {
    version: 1,
    dataset: 'app_market',
    snapshot: '2026-11-20',
    holder: { ...me, pid: 100, startedAt: '2026-11-21T02:00:00.000Z', ...holder },
    acquiredAt: '2026-11-21T02:00:00.000Z',
    renewedAt: '2026-11-21T02:28:00.000Z',
    expiresAt,
    ttlSeconds: 300,
    ...(released ? { released } : {}),
  };
}

const LATER = '2026-11-21T02:33:00.000Z';
const EARLIER = '2026-11-21T02:29:59.999Z';

describe('decideLease', () => {
  test.each<[string, LeaseRecord | undefined, ReturnType<typeof decideLease>['kind']]>([
    ['never leased', undefined, 'free'],
    ['released by another run, even unexpired', lease({ runId: 'run-b' }, LATER, { at: EARLIER, outcome: 'completed' }), 'free'],
    ['released after a failure', lease({ runId: 'run-b' }, LATER, { at: EARLIER, outcome: 'failed' }), 'free'],
    ['held by another run on another host', lease({ runId: 'run-b', host: 'ip-10-0-2-9' }, LATER), 'held'],
    ['held by another run on this host (another work folder)', lease({ runId: 'run-b', workDir: '/tmp/other' }, LATER), 'held'],
    ['held by another host with the same run id (a copied work folder)', lease({ host: 'ip-10-0-2-9' }, LATER), 'held'],
    ['held by this run from another work folder', lease({ workDir: '/tmp/other' }, LATER), 'held'],
    ['held by this very process', lease({ pid: me.pid }, LATER), 'held'],
    ['expired, another run', lease({ runId: 'run-b', host: 'ip-10-0-2-9' }, EARLIER), 'expired'],
    ['expiring exactly now', lease({ runId: 'run-b' }, NOW.toISOString()), 'expired'],
    ['an unreadable expiry counts as expired', lease({ runId: 'run-b' }, 'not a date'), 'expired'],
    ["this run's killed attempt in the same folder and host", lease({}, LATER), 'own-earlier-attempt'],
  ])('%s → %s', (_label, current, kind) => {
    expect(decideLease(current, me, NOW).kind).toBe(kind);
  });

  test('a held lease says how long it has left', () => {
    expect(decideLease(lease({ runId: 'run-b' }, LATER), me, NOW)).toEqual({ kind: 'held', expiresInMs: 180_000 });
  });

  test('sameHolder compares every field: a new process of the same run is another holder', () => {
    expect(sameHolder(me, { ...me })).toBe(true);
    expect(sameHolder(me, { ...me, pid: 201 })).toBe(false);
    expect(sameHolder(me, { ...me, startedAt: '2026-11-21T02:30:00.000Z' })).toBe(false);
  });
});
