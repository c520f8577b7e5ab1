import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LakeCatalog, LocalStack, REPO_PATHS, reconcileLake } from '@ingest-lake/local-runtime';
import { TOOLS } from '../support/ensure-test-tools';

const execFileAsync = promisify(execFile);

/** The local stack (dev config, default time scale: 1 s buffers), shared by the tests of this file. */
describe('the pipeline on the local stack (real emulators, real transform bundle, DuckDB)', () => {
  let directory: string;
  let stack: LocalStack;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'e2e-'));
    stack = new LocalStack({ dataDir: directory, transformBundle: REPO_PATHS.transformBundle });
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  });

  async function lake(): Promise<LakeCatalog> {
    const catalog = await LakeCatalog.open(path.join(directory, `cache-${Date.now()}`));
    await catalog.sync(stack.s3.client(), stack.endpoints.bucket);
    await catalog.refresh();
    return catalog;
  }

  async function keys(prefix: string): Promise<string[]> {
    const listed = await stack.s3.client().send(new ListObjectsV2Command({ Bucket: stack.endpoints.bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key!);
  }

  test("the README's example curl command works verbatim and its record reaches raw-data/, curated/ and a query", async () => {
    const { stdout } = await execFileAsync('curl', [
      '-s', '-d', '{"value":"30","type":"Tip 3"}', '-H', 'Content-Type: application/json', '-X', 'POST', `${stack.endpoints.ingest}/v1`,
    ]);
    const answer = JSON.parse(stdout) as { SequenceNumber: string; ShardId: string };
    expect(answer.SequenceNumber).toMatch(/^\d+$/);
    expect(answer.ShardId).toMatch(/^shardId-/);
    await stack.drain();
    const now = new Date();
    const hourPrefix = `raw-data/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}/`;
    expect((await keys(hourPrefix)).length).toBeGreaterThan(0);
    expect((await keys('curated/dataset=events/dt=')).some((key) => key.endsWith('.parquet'))).toBe(true);
    const catalog = await lake();
    try {
      const rows = await catalog.query(`SELECT event_type, payload, source FROM events_deduplicated WHERE event_id = 'shardId-${answer.ShardId.slice(8)}:${answer.SequenceNumber}'`);
      expect(rows).toEqual([{ event_type: 'Tip 3', payload: '{"value":"30","type":"Tip 3"}', source: 'http' }]);
    } finally {
      catalog.close();
    }
  });

  test('malformed records land in errors/processing-failed with reasons; everything reconciles', async () => {
    const kinesis = stack.kinesis.client();
    const before = await lake();
    const curatedBefore = Number((await before.query('SELECT count(*) AS n FROM events'))[0]!.n);
    const failedBefore = Number((await before.query('SELECT count(*) AS n FROM delivery_errors'))[0]!.n);
    before.close();
    for (const data of ['value=30', '"just a string"', '{"$pack":1,"dataset":"nope","origin":"t"}\n{"r":{}}\n', '{"type":"fine"}\n']) {
      await kinesis.send(new PutRecordCommand({ StreamName: stack.endpoints.eventsStream, PartitionKey: 'p', Data: Buffer.from(data) }));
    }
    await stack.drain();
    const catalog = await lake();
    try {
      const reasons = await catalog.query('SELECT reason, errorCode FROM delivery_errors ORDER BY reason');
      expect(reasons.map((r) => r.reason)).toEqual(expect.arrayContaining(['not_json', 'not_an_object', 'unknown_dataset']));
      expect(reasons.every((r) => r.errorCode === 'Lambda.ProcessingFailed')).toBe(true);
      expect(Number((await catalog.query('SELECT count(*) AS n FROM events'))[0]!.n)).toBe(curatedBefore + 1);
      expect(Number((await catalog.query('SELECT count(*) AS n FROM delivery_errors'))[0]!.n)).toBe(failedBefore + 3);
      const sent = { httpRequests: stack.ingest.counters.recordsAccepted, collectorRows: 0, otherProducers: 4 };
      const result = await reconcileLake(stack.s3.client(), stack.endpoints.bucket, catalog, { sent });
      expect(result).toMatchObject({ recordsIn: sent.httpRequests + 4, unexplained: 0, problems: [], reconciled: true });
    } finally {
      catalog.close();
    }
    kinesis.destroy();
  });

  test('the AWS CLI puts a record on the local Kinesis and lists the lake on the local S3', async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
    const put = await execFileAsync(TOOLS.aws, [
      '--endpoint-url', stack.endpoints.kinesis, 'kinesis', 'put-record', '--stream-name', stack.endpoints.eventsStream,
      '--partition-key', 'cli', '--cli-binary-format', 'raw-in-base64-out', '--data', '{"type":"from-aws-cli"}',
    ], { env });
    expect(JSON.parse(put.stdout).SequenceNumber).toMatch(/^\d+$/);
    await stack.drain();
    const listing = await execFileAsync(TOOLS.aws, ['--endpoint-url', stack.endpoints.s3, 's3', 'ls', `s3://${stack.endpoints.bucket}/curated/`, '--recursive'], { env });
    expect(listing.stdout).toContain('curated/dataset=events/dt=');
    const catalog = await lake();
    try {
      expect(await catalog.query(`SELECT count(*) AS n FROM events WHERE event_type = 'from-aws-cli'`)).toEqual([{ n: '1' }]);
    } finally {
      catalog.close();
    }
  });
});
