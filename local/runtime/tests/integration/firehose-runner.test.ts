import { PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { KinesisEmulator, S3Emulator } from '@ingest-lake/local-emulators';
import { DuckDbSession } from '../../src/duckdb-session';
import { FirehoseRunner } from '../../src/firehose-runner';
import { changeDeliveryStream, loadLocalDeployment, type LocalDeliveryStream } from '../../src/local-deployment';
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

  /** The deployed events delivery stream (dev config), re-pointed at a stream and bucket of this suite. */
  const events = loadLocalDeployment().streams.find((s) => s.settings.dataset === 'events')!;

  function runner(
    name: string,
    stream: string,
    options: { bundlePath?: string; timeoutMs?: number; change?: (delivery: LocalDeliveryStream) => LocalDeliveryStream; kinesisClient?: KinesisClient } = {},
  ) {
    const { bundlePath = REPO_PATHS.transformBundle, timeoutMs = 60_000, change = (d: LocalDeliveryStream) => d, kinesisClient = kinesis.client() } = options;
    const invoker = new TransformInvoker({ bundlePath, functionName: `${name}-fn`, environment: { DATASETS: 'events' }, timeoutMs });
    return {
      invoker,
      runner: new FirehoseRunner({
        delivery: change(changeDeliveryStream(events, { deliveryStreamName: name, sourceStreamName: stream, bucketName: 'lake', bufferIntervalMs: 1_000 })),
        kinesis: kinesisClient,
        s3: s3.client(),
        duckdb,
        invoker,
        checkpointFile: path.join(directory, `${name}.checkpoint.json`),
        retryDelayMs: 10,
      }),
    };
  }

  async function put(stream: string, bodies: string[]): Promise<void> {
    const client = kinesis.client();
    for (const body of bodies) await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: body, Data: Buffer.from(`${body}\n`) }));
    client.destroy();
  }

  async function objects(prefix: string): Promise<Array<{ key: string; body: Buffer }>> {
    const client = s3.client();
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: prefix }));
    const found: Array<{ key: string; body: Buffer }> = [];
    for (const object of listed.Contents ?? []) {
      const body = await (await client.send(new GetObjectCommand({ Bucket: 'lake', Key: object.Key! }))).Body!.transformToByteArray();
      found.push({ key: object.Key!, body: Buffer.from(body) });
    }
    return found;
  }

  /** Error records under a prefix, one JSON document per line. */
  async function errorRecords(prefix: string): Promise<Array<Record<string, unknown>>> {
    const text = (await objects(prefix)).map((o) => o.body.toString()).join('');
    return text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
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
    // The backup is GZIP as deployed: objects end in .gz and hold the records exactly as they arrived.
    const backups = (await objects('raw-data/')).filter((o) => o.key.includes('/restart-1-1-'));
    expect(backups.every((o) => o.key.endsWith('.gz'))).toBe(true);
    expect(backups.map((o) => gunzipSync(o.body).toString()).join('').split('\n').filter(Boolean).sort()).toEqual(['{"type":"a"}', '{"type":"b"}', '{"type":"c"}']);
  });

  test('while records keep arriving it reads each shard at most five times a second (the Kinesis read quota), not once per record', async () => {
    await kinesis.createStream('steady', 2);
    const reader = kinesis.client();
    let reads = 0;
    reader.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'GetRecordsCommand') reads++;
        return next(args);
      },
      { step: 'initialize' },
    );
    const { runner: steady, invoker } = runner('steady', 'steady', { kinesisClient: reader });
    await steady.start();
    const producer = kinesis.client();
    const started = Date.now();
    let sent = 0;
    // Records arrive back to back for two seconds, as under HTTP load.
    while (Date.now() - started < 2_000) await producer.send(new PutRecordCommand({ StreamName: 'steady', PartitionKey: `k${sent}`, Data: Buffer.from(`{"type":"steady","n":${sent++}}\n`) }));
    const seconds = (Date.now() - started) / 1_000;
    producer.destroy();
    for (let i = 0; i < 100 && steady.counters.kinesisRecords < sent; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    await steady.stop();
    await invoker.stop();
    expect(steady.counters.curatedRows).toEqual({ events: sent });
    expect(sent).toBeGreaterThan(20);
    // A pass reads both shards: at most one per 200 ms, one right after each delivery (1 s buffer) and
    // a few to read the last records after the producer stopped. Polling again whenever a pass found
    // a record made 37 passes here.
    const passes = reads / 2;
    expect(passes).toBeLessThanOrEqual(Math.ceil(seconds * 5) + steady.counters.deliveries + 3);
  });

  test('curated objects are Parquet with the deployed compression (SNAPPY), under the evaluated curated prefix', async () => {
    await kinesis.createStream('formats', 1);
    await put('formats', ['{"type":"parquet"}']);
    const { runner: formats, invoker } = runner('formats', 'formats');
    await formats.start();
    await formats.drainNow();
    await formats.stop();
    await invoker.stop();
    const [curated] = (await objects('curated/dataset=events/dt=')).filter((o) => o.key.includes('/formats-1-'));
    expect(curated!.key).toMatch(/^curated\/dataset=events\/dt=\d{4}-\d{2}-\d{2}\/formats-1-\d{8}T\d{6}Z-[\w-]+\.parquet$/);
    const file = path.join(directory, 'formats.parquet');
    await writeFile(file, curated!.body);
    const codecs = await duckdb.query(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
    expect(codecs).toEqual([{ compression: events.settings.destination.parquetCompression }]);
  });

  test('an invocation that keeps failing is retried, then its records go to errors/ with the Lambda error', async () => {
    await kinesis.createStream('failing', 1);
    const broken = path.join(directory, 'throwing-bundle.js');
    await writeFile(broken, "exports.handler = async () => { throw new Error('boom'); };\n");
    await put('failing', ['{"type":"x"}', '{"type":"y"}']);
    const { runner: failing, invoker } = runner('failing', 'failing', { bundlePath: broken });
    await failing.start();
    await failing.drainNow();
    await failing.stop();
    await invoker.stop();
    // 1 attempt + NumberOfRetries (3, Firehose's default, as deployed).
    expect(events.settings.processor.numberOfRetries).toBe(3);
    expect(invoker.stats.invocations).toBe(4);
    expect(failing.counters.failedRows).toEqual({ 'Lambda.FunctionError': 2 });
    const failed = (await errorRecords('errors/processing-failed/')).filter((e) => String(e.lambdaArn).endsWith('failing-fn'));
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ attemptsMade: 4, errorCode: 'Lambda.FunctionError', errorMessage: expect.stringContaining('boom') });
    expect(Buffer.from(String(failed[0]!.rawData), 'base64').toString()).toBe('{"type":"x"}\n');
  });

  test('the retry count is the processor setting of the model: NumberOfRetries 1 → 2 attempts', async () => {
    await kinesis.createStream('one-retry', 1);
    const broken = path.join(directory, 'throwing-bundle-2.js');
    await writeFile(broken, "exports.handler = async () => { throw new Error('boom'); };\n");
    await put('one-retry', ['{"type":"x"}']);
    const oneRetry = (d: LocalDeliveryStream) => ({ ...d, settings: { ...d.settings, processor: { ...d.settings.processor, numberOfRetries: 1 } } });
    const { runner: failing, invoker } = runner('one-retry', 'one-retry', { bundlePath: broken, change: oneRetry });
    await failing.start();
    await failing.drainNow();
    await failing.stop();
    await invoker.stop();
    expect(invoker.stats.invocations).toBe(2);
    const [failed] = (await errorRecords('errors/processing-failed/')).filter((e) => String(e.lambdaArn).endsWith('one-retry-fn'));
    expect(failed).toMatchObject({ attemptsMade: 2 });
  });

  test('an Ok record without partition keys is an error record under partitioning-failed, never a made-up partition', async () => {
    await kinesis.createStream('no-keys', 1);
    const keyless = path.join(directory, 'keyless-bundle.js');
    await writeFile(
      keyless,
      "exports.handler = async (event) => ({ records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data, metadata: { partitionKeys: { dataset: 'events' } } })) });\n",
    );
    await put('no-keys', ['{"type":"keyless"}']);
    const { runner: noKeys, invoker } = runner('no-keys', 'no-keys', { bundlePath: keyless });
    await noKeys.start();
    await noKeys.drainNow();
    await noKeys.stop();
    await invoker.stop();
    expect(noKeys.counters).toMatchObject({ recordsIn: 1, curatedRows: {}, failedRows: { missing_partition_keys: 1 }, droppedRows: 0 });
    expect((await objects('curated/')).filter((o) => o.key.includes('no-keys-1-'))).toEqual([]);
    expect((await objects('curated/')).filter((o) => o.key.includes('unpartitioned'))).toEqual([]);
    const [record] = await errorRecords(`errors/${events.settings.dynamicPartitioning.missingKeysErrorOutputType}/`);
    expect(record).toMatchObject({ attemptsMade: 1, errorCode: 'DynamicPartitioning.MissingPartitionKeys', errorMessage: expect.stringMatching(/^missing_partition_keys: .*partitionKeyFromLambda:dt/) });
    expect(Buffer.from(String(record!.rawData), 'base64').toString()).toBe('{"type":"keyless"}\n');
  });

  test('a transform that hangs times out, its process is replaced, and the records are not lost', async () => {
    await kinesis.createStream('hanging', 1);
    const hanging = path.join(directory, 'hanging-bundle.js');
    await writeFile(hanging, 'exports.handler = () => new Promise(() => {});\n');
    await put('hanging', ['{"type":"z"}']);
    const { runner: stuck, invoker } = runner('hanging', 'hanging', { bundlePath: hanging, timeoutMs: 200 });
    await stuck.start();
    await stuck.drainNow();
    await stuck.stop();
    await invoker.stop();
    expect(invoker.stats.coldStarts).toBe(4);
    expect(stuck.counters.failedRows).toEqual({ 'Lambda.Timeout': 1 });
  });
});
