import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { DuckDbSession } from '../../src/duckdb-session';
import { FirehoseRunner } from '../../src/firehose-runner';
import { REPO_PATHS } from '../../src/repo-paths';
import { TransformInvoker } from '../../src/transform-invoker';

jest.setTimeout(60_000);

describe('FirehoseRunner with the real transform bundle, kinesalite and s3rver', () => {
  const kinesis = new KinesisEmulator();
  let s3: S3Emulator;
  let directory: string;
  let duckdb: DuckDbSession;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'runner-'));
    s3 = new S3Emulator(path.join(directory, 's3'));
    await Promise.all([kinesis.start(), s3.start()]);
    await s3.createBucket('lake');
    duckdb = await DuckDbSession.open();
  });
  afterAll(async () => {
    duckdb.close();
    await Promise.all([kinesis.stop(), s3.stop()]);
    await rm(directory, { recursive: true, force: true });
  });

  function runner(name: string, stream: string, bundlePath = REPO_PATHS.transformBundle, extra: { timeoutMs?: number } = {}) {
    const invoker = new TransformInvoker({ bundlePath, functionName: `${name}-fn`, environment: { DATASETS: 'events' }, ...extra });
    return {
      invoker,
      runner: new FirehoseRunner({
        name,
        kinesis: kinesis.client(),
        streamName: stream,
        s3: s3.client(),
        bucket: 'lake',
        duckdb,
        invoker,
        checkpointFile: path.join(directory, `${name}.checkpoint.json`),
        bufferIntervalSeconds: 1,
        retryDelayMs: 10,
      }),
    };
  }

  async function put(stream: string, bodies: string[]): Promise<void> {
    const client = kinesis.client();
    for (const body of bodies) await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: body, Data: Buffer.from(`${body}\n`) }));
    client.destroy();
  }

  async function objects(prefix: string): Promise<string[]> {
    const client = s3.client();
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: prefix }));
    const bodies: string[] = [];
    for (const object of listed.Contents ?? []) {
      bodies.push(await (await client.send(new GetObjectCommand({ Bucket: 'lake', Key: object.Key! }))).Body!.transformToString());
    }
    return bodies;
  }

  test('a runner restarted from its shard checkpoints delivers only what it had not delivered', async () => {
    await kinesis.createStream('restart', 2);
    await put('restart', ['{"type":"a"}', '{"type":"b"}']);
    const first = runner('restart-1', 'restart');
    await first.runner.start();
    await first.runner.drainNow();
    await first.runner.stop();
    await first.invoker.stop();
    expect(first.runner.counters.curatedRows).toEqual({ events: 2 });

    await put('restart', ['{"type":"c"}']);
    const second = runner('restart-1', 'restart');
    await second.runner.start();
    await second.runner.drainNow();
    await second.runner.stop();
    await second.invoker.stop();
    expect(second.runner.counters.kinesisRecords).toBe(1);
    expect(second.runner.counters.curatedRows).toEqual({ events: 1 });
    const backups = await objects('raw-data/');
    expect(backups.join('').split('\n').filter(Boolean).sort()).toEqual(['{"type":"a"}', '{"type":"b"}', '{"type":"c"}']);
  });

  test('an invocation that keeps failing is retried, then its records go to errors/ with the Lambda error', async () => {
    await kinesis.createStream('failing', 1);
    const broken = path.join(directory, 'throwing-bundle.js');
    await writeFile(broken, "exports.handler = async () => { throw new Error('boom'); };\n");
    await put('failing', ['{"type":"x"}', '{"type":"y"}']);
    const { runner: failing, invoker } = runner('failing', 'failing', broken);
    await failing.start();
    await failing.drainNow();
    await failing.stop();
    await invoker.stop();
    expect(invoker.stats.invocations).toBe(4);
    expect(failing.counters.failedRows).toEqual({ 'Lambda.FunctionError': 2 });
    const errors = (await objects('errors/processing-failed/')).join('').trim().split('\n').map((line) => JSON.parse(line));
    const failed = errors.filter((e) => e.lambdaArn.endsWith('failing-fn'));
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ attemptsMade: 4, errorCode: 'Lambda.FunctionError', errorMessage: expect.stringContaining('boom') });
    expect(Buffer.from(failed[0].rawData, 'base64').toString()).toBe('{"type":"x"}\n');
  });

  test('a transform that hangs times out, its process is replaced, and the records are not lost', async () => {
    await kinesis.createStream('hanging', 1);
    const hanging = path.join(directory, 'hanging-bundle.js');
    await writeFile(hanging, 'exports.handler = () => new Promise(() => {});\n');
    await put('hanging', ['{"type":"z"}']);
    const { runner: stuck, invoker } = runner('hanging', 'hanging', hanging, { timeoutMs: 200 });
    await stuck.start();
    await stuck.drainNow();
    await stuck.stop();
    await invoker.stop();
    expect(invoker.stats.coldStarts).toBe(4);
    expect(stuck.counters.failedRows).toEqual({ 'Lambda.Timeout': 1 });
  });
});
