import { loadLocalDeployment, reconcileLake } from '@ingest-lake/local-runtime';
import { FAULT_SIZES } from '../support/fault-profile';
import { postLoad } from '../support/http-load';
import { TemporaryStack } from '../support/temporary-stack';

/**
 * The slowest rate the test allows, in requests a second. The whole path (HTTP, the ingest endpoint,
 * kinesalite, the runners) shares one Node process at about 3 ms of CPU a request, so its pace is the
 * CPU other jobs leave: 680 requests/s on an idle 2-core machine, 152 with the load average at 9–13.
 */
const SLOWEST_REQUESTS_PER_SECOND = 80;
/** Starting the stack, the last delivery, syncing the lake and reconciling it. */
const FIXED_ALLOWANCE_MS = 120_000;

/** Bounded load on loopback against the ingest endpoint; every accepted request is curated. */
describe('load: concurrent HTTP ingest reconciles', () => {
  test(`${FAULT_SIZES.loadRequests} requests, 32 concurrent`, async () => {
    const temporary = new TemporaryStack('load-test-', { deployment: loadLocalDeployment({ overrides: { timeScale: 12, shardsPerStream: 4 } }) });
    const stack = await temporary.start();
    try {
      const load = await postLoad(`${stack.endpoints.ingest}/v1`, FAULT_SIZES.loadRequests, 32, (i) => JSON.stringify({ type: `load-${i % 7}`, i }));
      expect(load).toMatchObject({ ok: FAULT_SIZES.loadRequests, failed: 0 });
      await stack.drain();
      await temporary.withLake(async (catalog) => {
        const result = await reconcileLake(stack.s3.client(), stack.endpoints.bucket, catalog, { sent: { httpRequests: stack.ingest.counters.recordsAccepted, collectorRows: 0, otherProducers: 0 } });
        expect(result).toMatchObject({ recordsIn: FAULT_SIZES.loadRequests, curatedRows: { events: FAULT_SIZES.loadRequests }, reconciled: true });
      });
    } finally {
      await temporary.stop();
    }
  }, FIXED_ALLOWANCE_MS + (FAULT_SIZES.loadRequests / SLOWEST_REQUESTS_PER_SECOND) * 1_000);
});
