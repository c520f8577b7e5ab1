import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { deliveryIdOf, LakeCatalog, reconcileLake, sequenceAfter, type DeliveryManifest } from '@ingest-lake/local-runtime';
import { seededRandom } from '@ingest-lake/vendor-simulator';
import { KILL_AT_CHOSEN_POINT } from '@ingest-lake/vendor-simulator/testing';
import { EmulatorPair } from '../support/emulator-pair';

const RUNNER = path.resolve(__dirname, '../support/firehose-runner-process.ts');
const RECORDS = 2_000;

interface RunnerRun {
  stream: string;
  bucket: string;
  checkpointFile: string;
  /** SIGKILL this long after the runner started (a chance instant); without it and without `killAt`, run until the stream is drained. */
  killAfterMs?: number;
  /** A chosen point (`KILL_AT` of the kill hook) where the runner kills itself. */
  killAt?: string;
}

/**
 * The Firehose runner, in its own process, is killed with SIGKILL (at chosen points of a delivery,
 * and at seeded random moments) and restarted: it resumes from its shard checkpoints, so every
 * record reaches the lake; a delivery cut before its checkpoint is redone over exactly the same
 * shard ranges under the same object keys, so no object is doubled.
 */
describe('fault: Firehose runner killed with SIGKILL and restarted', () => {
  const emulators = new EmulatorPair('runner-kill-', { name: 'killable', shards: 2 });
  let kinesis: KinesisEmulator;
  let directory: string;
  let s3: S3Emulator;
  let s3Client: S3Client;

  beforeAll(async () => {
    ({ kinesis, s3, directory } = await emulators.start());
    s3Client = s3.client();
  });
  afterAll(async () => {
    s3Client.destroy();
    await emulators.stop();
  });

  /** Runs the runner until it is killed, or, with neither `killAfterMs` nor `killAt`, until it has drained the stream. */
  function runRunner(run: RunnerRun): Promise<NodeJS.Signals | null> {
    return new Promise((resolve, reject) => {
      const drain = run.killAfterMs === undefined && run.killAt === undefined;
      // One process (node with the tsx loader, not the tsx wrapper), so SIGKILL really kills the runner.
      const child = spawn(
        process.execPath,
        [...(run.killAt ? ['-r', KILL_AT_CHOSEN_POINT] : []), '--import', 'tsx', RUNNER, kinesis.endpoint, s3.endpoint, run.stream, run.bucket, run.checkpointFile, ...(drain ? ['--drain'] : [])],
        { env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...(run.killAt ? { KILL_AT: run.killAt } : {}) }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let pending = '';
      let timer: NodeJS.Timeout | undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        // The first status line: the runner has started (loaded, checkpoints read, polling).
        if (run.killAfterMs !== undefined) timer ??= setTimeout(() => child.kill('SIGKILL'), run.killAfterMs);
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        if (drain && lines.some((line) => (JSON.parse(line) as { drained?: boolean }).drained)) child.kill('SIGKILL');
      });
      // A chosen point that is never reached would leave the runner polling: the test then fails on the signal it got.
      const limit = setTimeout(() => child.kill('SIGTERM'), 30_000);
      child.on('exit', (_code, signal) => {
        clearTimeout(timer);
        clearTimeout(limit);
        resolve(signal);
      });
      child.on('error', reject);
    });
  }

  /** A stream of RECORDS events on two shards and a bucket of its own. */
  async function freshStreamAndBucket(name: string): Promise<{ stream: string; bucket: string; checkpointFile: string }> {
    await kinesis.createStream(name, 2);
    await s3.createBucket(name);
    const client = kinesis.client();
    for (let batch = 0; batch < RECORDS / 100; batch++) {
      await client.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: Array.from({ length: 100 }, (_, i) => ({ PartitionKey: `k${batch}-${i}`, Data: Buffer.from(`${JSON.stringify({ type: 'kill', n: batch * 100 + i })}\n`) })),
        }),
      );
    }
    client.destroy();
    return { stream: name, bucket: name, checkpointFile: path.join(directory, name, 'checkpoint.json') };
  }

  async function keysIn(bucket: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3Client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return keys.sort();
  }

  async function manifestsIn(bucket: string): Promise<DeliveryManifest[]> {
    const keys = (await keysIn(bucket)).filter((key) => key.startsWith('state/firehose/'));
    return Promise.all(keys.map(async (Key) => JSON.parse(await (await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString()) as DeliveryManifest));
  }

  /** Rows, distinct dedup keys and the reconciliation of a bucket. */
  async function lakeOf(bucket: string): Promise<{ rows: string; keys: string; reconciled: boolean; recordsIn: number }> {
    const catalog = await LakeCatalog.open(path.join(directory, `${bucket}-cache`));
    try {
      await catalog.sync(s3Client, bucket);
      await catalog.refresh();
      const [counts] = (await catalog.query('SELECT count(*) AS rows, count(DISTINCT _dedup_key) AS keys FROM events')) as Array<{ rows: string; keys: string }>;
      const { reconciled, recordsIn } = await reconcileLake(s3Client, bucket, catalog);
      return { ...counts!, reconciled, recordsIn };
    } finally {
      catalog.close();
    }
  }

  /** No two deliveries cover a record twice, and together they cover every record of both shards. */
  function expectDisjointRanges(manifests: DeliveryManifest[]): void {
    const spans = manifests.flatMap((m) => m.shardRanges).sort((a, b) => a.shardId.localeCompare(b.shardId) || (sequenceAfter(a.firstSequenceNumber, b.firstSequenceNumber) ? 1 : -1));
    for (let i = 1; i < spans.length; i++) {
      if (spans[i]!.shardId === spans[i - 1]!.shardId) expect(sequenceAfter(spans[i]!.firstSequenceNumber, spans[i - 1]!.lastSequenceNumber)).toBe(true);
    }
    expect(spans.reduce((sum, span) => sum + span.records, 0)).toBe(RECORDS);
  }

  // Each point is in the runner's second delivery (up to 250 records a shard): the first is committed.
  test.each([
    ['after its source backup was sent, before its Parquet', 'put-sent:raw-data/:2', 'cut-after-backup'],
    ['during its Parquet upload', 'put-sent:curated/:2', 'cut-in-parquet'],
    ['between its object writes (manifest included) and its checkpoint', 'rename:checkpoint.json:2', 'cut-before-checkpoint'],
  ])('killed %s: the delivery is redone under the same keys, every record once, reconcile passes', async (_point, killAt, name) => {
    const lake = await freshStreamAndBucket(name);
    expect(await runRunner({ ...lake, killAt })).toBe('SIGKILL');

    // The kill landed inside the second delivery: its range is pending, the checkpoint covers the first.
    const pendingFile = lake.checkpointFile.replace(/\.json$/, '.pending.json');
    const pendingRange = JSON.parse(await readFile(pendingFile, 'utf8')) as DeliveryManifest['shardRanges'];
    const checkpoint = JSON.parse(await readFile(lake.checkpointFile, 'utf8')) as Record<string, string>;
    expect(pendingRange.map((span) => sequenceAfter(span.firstSequenceNumber, checkpoint[span.shardId]!))).toEqual([true, true]);
    const keysAtKill = await keysIn(lake.bucket);

    expect(await runRunner(lake)).toBe('SIGKILL');
    expect(existsSync(pendingFile)).toBe(false);
    const keysAfter = await keysIn(lake.bucket);
    // Every object the cut delivery wrote was replaced by its redo, not joined by a copy.
    expect(keysAfter).toEqual(expect.arrayContaining(keysAtKill));
    // One backup per delivery, and every object named for the range of a delivery that was committed.
    const manifests = await manifestsIn(lake.bucket);
    expect(manifests.length).toBeGreaterThanOrEqual(3);
    expect(keysAfter.filter((key) => key.startsWith('raw-data/'))).toHaveLength(manifests.length);
    const deliveryIds = new Set(manifests.map((m) => deliveryIdOf(m.shardRanges)));
    expect(new Set(keysAfter.map((key) => /([0-9a-f]{32})(\.[a-z]+)*$/.exec(key)![1]))).toEqual(deliveryIds);
    expectDisjointRanges(manifests);
    expect(await lakeOf(lake.bucket)).toEqual({ rows: String(RECORDS), keys: String(RECORDS), reconciled: true, recordsIn: RECORDS });
  }, 60_000);

  test('four kills at seeded instants, then a run to the end: every record once, the lake reconciles', async () => {
    const lake = await freshStreamAndBucket('random-kills');
    const random = seededRandom(42);
    for (let kill = 0; kill < 4; kill++) await runRunner({ ...lake, killAfterMs: Math.floor(random() * 1_500) });
    await runRunner(lake);
    expectDisjointRanges(await manifestsIn(lake.bucket));
    expect(await lakeOf(lake.bucket)).toEqual({ rows: String(RECORDS), keys: String(RECORDS), reconciled: true, recordsIn: RECORDS });
  }, 120_000);
});
