import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deliveryStreamSettings, parseDeliveryInputs } from '@ingest-lake/shared';
import { loadLocalDeployment, LocalStack, REPO_PATHS } from '@ingest-lake/local-runtime';

/**
 * Proof that local and infra share one source: a copy of the dev environment config (the file the
 * stacks are synthesized from) with three values changed — project, environment and the Firehose
 * buffer interval — goes through the loader the local stack uses for `infra/config/dev.json`, and the
 * running local stack changes with it: stream, bucket and object names, and how long Firehose buffers.
 * Nothing under local/ is edited, and no local setting names a value of its own.
 */
describe('change the environment config, not local/: the local stack follows', () => {
  const DEV_CONFIG = path.join(REPO_PATHS.root, 'infra/config/dev.json');
  let directory: string;
  let changedConfig: Record<string, unknown>;
  const stacks: LocalStack[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'shared-settings-'));
    const dev = JSON.parse(await readFile(DEV_CONFIG, 'utf8')) as Record<string, unknown> & { delivery: Record<string, unknown> };
    changedConfig = { ...dev, project: 'probe-lake', environment: 'qa', delivery: { ...dev.delivery, bufferIntervalSeconds: 600 } };
    await writeFile(path.join(directory, 'qa.json'), JSON.stringify(changedConfig));
  });
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
    await rm(directory, { recursive: true, force: true });
  });

  /** Starts a stack on a config file; returns it with the milliseconds from one POST to its first curated object. */
  async function postAndTimeDelivery(name: string, configFile: string): Promise<{ stack: LocalStack; curatedAfterMs: number; keys: string[] }> {
    const stack = new LocalStack({ dataDir: path.join(directory, name), transformBundle: REPO_PATHS.transformBundle, deployment: loadLocalDeployment({ configFile }) });
    stacks.push(stack);
    const endpoints = await stack.start();
    const posted = Date.now();
    const response = await fetch(`${endpoints.ingest}/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"type":"${name}"}` });
    expect(response.status).toBe(200);
    const s3 = stack.s3.client();
    for (;;) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: endpoints.bucket }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!);
      if (keys.some((key) => key.startsWith('curated/'))) return { stack, curatedAfterMs: Date.now() - posted, keys };
      if (Date.now() - posted > 30_000) throw new Error(`${name}: nothing curated after 30 s; objects: ${keys.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test('names and the buffer interval come from the config file; local applies only its time scale', async () => {
    const [dev, changed] = await Promise.all([postAndTimeDelivery('dev', DEV_CONFIG), postAndTimeDelivery('qa', path.join(directory, 'qa.json'))]);

    // Names: the config's project and environment, as the stacks would deploy them.
    expect(dev.stack.endpoints).toMatchObject({ bucket: 'ingest-lake-dev-lake', eventsStream: 'ingest-lake-dev-events' });
    expect(changed.stack.endpoints).toMatchObject({ bucket: 'probe-lake-qa-lake', eventsStream: 'probe-lake-qa-events', vendorStream: 'probe-lake-qa-app-market-daily' });
    expect(changed.keys.filter((key) => key.startsWith('curated/'))).toEqual([
      expect.stringMatching(/^curated\/dataset=events\/dt=\d{4}-\d{2}-\d{2}\/probe-lake-qa-events-1-.+\.parquet$/),
    ]);
    expect(changed.keys).toContainEqual(expect.stringMatching(/^raw-data\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/probe-lake-qa-events-1-.+\.gz$/));

    // Buffering: 60 s deployed → 1 s here; 600 s in the changed config → 10 s here (time scale 60).
    expect(dev.stack.deployment.streams[0]!.bufferIntervalMs).toBe(1_000);
    expect(changed.stack.deployment.streams[0]!.bufferIntervalMs).toBe(10_000);
    expect(dev.curatedAfterMs).toBeLessThan(5_000);
    expect(changed.curatedAfterMs).toBeGreaterThanOrEqual(9_000);

    // Everything else the runners use is exactly what infra renders from the same config values.
    const deployed = deliveryStreamSettings(parseDeliveryInputs(changedConfig, 'qa.json'));
    expect(changed.stack.deployment.streams.map((s) => s.settings)).toEqual(deployed);
    expect(deployed[0]!.destination.bufferIntervalSeconds).toBe(600);
  });
});
