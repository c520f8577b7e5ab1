import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LakeCatalog, LocalStack, loadLocalDeployment, REPO_PATHS, reconcileLake } from '@ingest-lake/local';
import { FAULT_SIZES } from '../support/fault-profile';
import { postLoad } from '../support/http-load';

/** Bounded load on loopback against the ingest endpoint; every accepted request is curated. */
describe('load: concurrent HTTP ingest reconciles', () => {
  test(`${FAULT_SIZES.loadRequests} requests, 32 concurrent`, async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'load-test-'));
    const stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle, deployment: loadLocalDeployment({ overrides: { timeScale: 12, shardsPerStream: 4 } }) });
    const endpoints = await stack.start();
    try {
      const load = await postLoad(`${endpoints.ingest}/v1`, FAULT_SIZES.loadRequests, 32, (i) => JSON.stringify({ type: `load-${i % 7}`, i }));
      expect(load).toMatchObject({ ok: FAULT_SIZES.loadRequests, failed: 0 });
      await stack.drain();
      const catalog = await LakeCatalog.open(path.join(directory, 'cache'));
      try {
        await catalog.sync(stack.s3.client(), endpoints.bucket);
        await catalog.refresh();
        const result = await reconcileLake(stack.s3.client(), endpoints.bucket, catalog, { sent: { httpRequests: stack.ingest.counters.recordsAccepted, collectorRows: 0, otherProducers: 0 } });
        expect(result).toMatchObject({ recordsIn: FAULT_SIZES.loadRequests, curatedRows: { events: FAULT_SIZES.loadRequests }, reconciled: true });
      } finally {
        catalog.close();
      }
    } finally {
      await stack.stop();
      await rm(directory, { recursive: true, force: true });
    }
  }, 600_000);
});
