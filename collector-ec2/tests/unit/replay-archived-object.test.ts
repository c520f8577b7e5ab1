import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import os from 'node:os';
import path from 'node:path';
import { parseManifest } from '../../src/config/manifest';
import { ArchivedObjectError, replaySnapshot } from '../../src/pipeline/replay-snapshot';
import type { KinesisProducer } from '../../src/produce/kinesis-producer';
import manifestJson from '../../manifests/app_market.local.json';

/**
 * S3's documented answers for archived objects (no local S3 emulator models storage classes):
 * HeadObject reports the class and the restore status, GetObject refuses with InvalidObjectState.
 */
function archivedS3(head: { StorageClass?: string; Restore?: string }): { client: S3Client; gets: () => number } {
  let gets = 0;
  const client = {
    send: async (command: unknown) => {
      if (command instanceof HeadObjectCommand) return { ContentLength: 10, ...head };
      if (command instanceof GetObjectCommand) {
        gets++;
        throw Object.assign(new Error('The operation is not valid for the object\'s storage class'), { name: 'InvalidObjectState' });
      }
      throw new Error('unexpected command');
    },
  } as unknown as S3Client;
  return { client, gets: () => gets };
}

const manifest = parseManifest(manifestJson, 'test');
const replay = (s3: S3Client) =>
  replaySnapshot({ manifest, snapshot: '2026-11-20', s3, lakeBucket: 'lake', producer: {} as KinesisProducer, workDir: path.join(os.tmpdir(), 'replay-archived') });

describe('replay of an archived raw file (decision 0013)', () => {
  test.each([
    ['Glacier Flexible Retrieval, not restored', { StorageClass: 'GLACIER' }],
    ['Deep Archive, restore in progress', { StorageClass: 'DEEP_ARCHIVE', Restore: 'ongoing-request="true"' }],
  ])('%s: refused before GetObject, naming the key and how long a restore takes', async (_case, head) => {
    const s3 = archivedS3(head);
    const error = (await replay(s3.client).catch((e: unknown) => e)) as ArchivedObjectError;
    expect(error).toBeInstanceOf(ArchivedObjectError);
    expect(error).toMatchObject({ code: 'ARCHIVED_OBJECT', key: 'raw/app_market/snapshot=2026-11-20/app_market_daily.csv.gz', storageClass: head.StorageClass });
    expect(error.message).toMatch(/restore-object .*Standard 3–5 h/);
    expect(s3.gets()).toBe(0);
  });

  test('a refusal S3 gives anyway (InvalidObjectState) becomes the same error, with the cause kept', async () => {
    const error = (await replay(archivedS3({ StorageClass: 'GLACIER', Restore: 'ongoing-request="false", expiry-date="Fri, 21 Dec 2026 00:00:00 GMT"' }).client).catch((e: unknown) => e)) as ArchivedObjectError;
    expect(error).toBeInstanceOf(ArchivedObjectError);
    expect((error.cause as Error).name).toBe('InvalidObjectState');
  });
});
