import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { KinesisEmulator, S3Emulator } from '../src';

describe('emulators with the real AWS SDK v3 clients', () => {
  const kinesis = new KinesisEmulator();
  let directory: string;
  let s3: S3Emulator;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 's3-emulator-'));
    s3 = new S3Emulator(directory);
    await Promise.all([kinesis.start(), s3.start()]);
  });
  afterAll(async () => {
    await Promise.all([kinesis.stop(), s3.stop()]);
    await rm(directory, { recursive: true, force: true });
  });

  test('kinesalite: create a stream, put a record, read it back from its shard', async () => {
    await kinesis.createStream('emulator-test', 2);
    const client = kinesis.client();
    const put = await client.send(new PutRecordCommand({ StreamName: 'emulator-test', PartitionKey: 'k', Data: Buffer.from('{"a":1}\n') }));
    expect(put.SequenceNumber).toMatch(/^\d+$/);
    const shards = await client.send(new ListShardsCommand({ StreamName: 'emulator-test' }));
    expect(shards.Shards).toHaveLength(2);
    const iterator = await client.send(
      new GetShardIteratorCommand({ StreamName: 'emulator-test', ShardId: put.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const records = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
    expect(Buffer.from(records.Records![0]!.Data!).toString()).toBe('{"a":1}\n');
    client.destroy();
  });

  test('kinesalite over a LevelDB folder: a restart on the same port keeps the stream, its records and an iterator; in memory it starts empty', async () => {
    const persisted = new KinesisEmulator({ directory: path.join(directory, 'kinesis-store') });
    const inMemory = new KinesisEmulator();
    await Promise.all([persisted.start(), inMemory.start()]);
    try {
      const endpoint = persisted.endpoint;
      await Promise.all([persisted.createStream('kept', 1), inMemory.createStream('kept', 1)]);
      const client = persisted.client();
      const put = await client.send(new PutRecordCommand({ StreamName: 'kept', PartitionKey: 'k', Data: Buffer.from('before restart') }));
      const iterator = await client.send(new GetShardIteratorCommand({ StreamName: 'kept', ShardId: put.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      await Promise.all([persisted.restart(), inMemory.restart()]);
      expect(persisted.endpoint).toBe(endpoint);
      const records = await client.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
      expect(records.Records!.map((r) => [r.SequenceNumber, Buffer.from(r.Data!).toString()])).toEqual([[put.SequenceNumber, 'before restart']]);
      client.destroy();
      const emptied = inMemory.client();
      await expect(emptied.send(new ListShardsCommand({ StreamName: 'kept' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      emptied.destroy();
    } finally {
      await Promise.all([persisted.stop(), inMemory.stop()]);
    }
  });

  test('s3rver: a streamed body and a multipart upload are stored byte for byte', async () => {
    await s3.createBucket('lake');
    const client = s3.client();
    const streamed = Buffer.from('x'.repeat(100_000));
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'a/streamed', Body: Readable.from([streamed]), ContentLength: streamed.length }));
    const big = Buffer.alloc(12 * 1024 * 1024, 7);
    await new Upload({ client, params: { Bucket: 'lake', Key: 'a/multipart', Body: Readable.from([big]) }, partSize: 5 * 1024 * 1024 }).done();
    for (const [key, expected] of [['a/streamed', streamed], ['a/multipart', big]] as const) {
      const object = await client.send(new GetObjectCommand({ Bucket: 'lake', Key: key }));
      expect(Buffer.compare(Buffer.from(await object.Body!.transformToByteArray()), expected)).toBe(0);
    }
    client.destroy();
  });
});
