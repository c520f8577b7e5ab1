import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { S3Emulator } from '@ingest-lake/local-emulators';
import { LakeCatalog, reconcileLake } from '@ingest-lake/local';
import { seededRandom } from '@ingest-lake/collector/src/simulator/app-market-generator';
import { EmulatorPair } from '../support/emulator-pair';

const RUNNER = path.resolve(__dirname, '../support/firehose-runner-process.ts');

/**
 * The Firehose runner, in its own process, is killed with SIGKILL at seeded random moments while
 * it delivers, and restarted: it resumes from its shard checkpoints, so every record reaches the
 * lake; a delivery cut between its objects and its checkpoint is delivered again under the same
 * object keys, so nothing is doubled.
 */
describe('fault: Firehose runner killed with SIGKILL and restarted', () => {
  const emulators = new EmulatorPair('runner-kill-', { name: 'killable', shards: 2 });
  const kinesis = emulators.kinesis;
  let directory: string;
  let s3: S3Emulator;

  beforeAll(async () => {
    ({ s3, directory } = await emulators.start());
  });
  afterAll(async () => {
    await emulators.stop();
  });

  /** Runs the runner until it is killed after `killAfterMs`, or, without it, until it has drained the stream. */
  function runUntil(killAfterMs: number | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const drain = killAfterMs === undefined ? ['--drain'] : [];
      // One process (node with the tsx loader, not the tsx wrapper), so SIGKILL really kills the runner.
      const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, kinesis.endpoint, s3.endpoint, 'killable', 'lake', path.join(directory, 'checkpoint.json'), ...drain], {
        env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        child.kill('SIGKILL');
      };
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        if (killAfterMs === undefined && lines.some((line) => (JSON.parse(line) as { drained?: boolean }).drained)) finish();
      });
      if (killAfterMs !== undefined) setTimeout(finish, killAfterMs);
      child.on('exit', () => resolve());
      child.on('error', reject);
    });
  }

  test('four kills at seeded instants, then a run to the end: every record once, the lake reconciles', async () => {
    const client = kinesis.client();
    for (let batch = 0; batch < 20; batch++) {
      await client.send(
        new PutRecordsCommand({
          StreamName: 'killable',
          Records: Array.from({ length: 100 }, (_, i) => ({ PartitionKey: `k${batch}-${i}`, Data: Buffer.from(`${JSON.stringify({ type: 'kill', n: batch * 100 + i })}\n`) })),
        }),
      );
    }
    client.destroy();
    const random = seededRandom(42);
    for (let kill = 0; kill < 4; kill++) await runUntil(800 + Math.floor(random() * 1_200));
    await runUntil(undefined);
    const catalog = await LakeCatalog.open(path.join(directory, 'cache'));
    try {
      await catalog.sync(s3.client(), 'lake');
      await catalog.refresh();
      expect(await catalog.query('SELECT count(*) AS n, count(DISTINCT _dedup_key) AS keys FROM events')).toEqual([{ n: '2000', keys: '2000' }]);
      expect(await reconcileLake(s3.client(), 'lake', catalog)).toMatchObject({ reconciled: true, recordsIn: 2_000 });
    } finally {
      catalog.close();
    }
  }, 120_000);
});
