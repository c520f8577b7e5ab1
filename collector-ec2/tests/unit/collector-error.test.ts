import type { S3Client } from '@aws-sdk/client-s3';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HeaderMismatchError } from '@ingest-lake/shared';
import type { CallBudget } from '../../src/budget/call-budget';
import { CollectorError } from '../../src/collector-error';
import { loadManifest, ManifestError } from '../../src/config/manifest';
import { FileFormatError } from '../../src/pipeline/csv-file-ingest';
import { KinesisProducer, ProducerStalledError } from '../../src/produce/kinesis-producer';
import { S3StateStore, StateConflictError } from '../../src/state/state-store';
import { VendorClient, VendorUnavailableError } from '../../src/vendor/vendor-client';
import { ingestText } from '../support/ingest-text';

/** The rejection of `promise`, which must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('collector errors pass on the error they wrap as `cause`', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'collector-error-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  test('a manifest file that cannot be read: ManifestError, caused by the file system error', async () => {
    const error = await rejectionOf(loadManifest(path.join(directory, 'missing.json')));
    expect(error).toBeInstanceOf(ManifestError);
    expect(error).toBeInstanceOf(CollectorError);
    expect(error).toMatchObject({ code: 'MANIFEST_INVALID', cause: expect.objectContaining({ code: 'ENOENT' }) });
  });

  test('a manifest file that is not JSON: ManifestError, caused by the SyntaxError', async () => {
    const file = path.join(directory, 'broken.json');
    await writeFile(file, '{ "dataset": ');
    const error = (await rejectionOf(loadManifest(file))) as ManifestError;
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(error.message).toBe(`manifest ${file}: (file): not JSON: ${(error.cause as Error).message}`);
  });

  test("a header the dataset cannot read: FileFormatError, caused by shared's HeaderMismatchError", async () => {
    const error = (await rejectionOf(ingestText('bogus,columns\n1,2\n'))) as FileFormatError;
    expect(error).toBeInstanceOf(FileFormatError);
    expect(error.code).toBe('FILE_FORMAT_INVALID');
    expect(error.cause).toBeInstanceOf(HeaderMismatchError);
    expect(error.message).toBe(`app_market_daily.csv.gz: ${(error.cause as Error).message}`);
  });

  test('Kinesis failing every call: ProducerStalledError, caused by the last failed call', async () => {
    const refusal = new Error('Rate exceeded for stream s');
    const client = { send: () => Promise.reject(refusal) } as unknown as KinesisClient;
    const producer = new KinesisProducer(client, { streamName: 's', maxStallMs: 20, backoff: { baseDelayMs: 1, maxDelayMs: 2 } });
    producer.put({ data: Buffer.from('a'), partitionKey: 'k' });
    const error = (await rejectionOf(producer.flush())) as ProducerStalledError;
    expect(error).toBeInstanceOf(ProducerStalledError);
    expect(error.cause).toBe(refusal);
    expect(error.message).toMatch(/^Kinesis made no progress for \d+ ms: Rate exceeded for stream s$/);
  });

  test('a vendor that cannot be reached: VendorUnavailableError, caused by the network error', async () => {
    const budget = { spend: async () => undefined } as unknown as CallBudget;
    const client = new VendorClient({ baseUrl: 'http://127.0.0.1:1', authHeader: 'X-Api-Key', apiKey: 'k', budget, runId: 'r', timeoutMs: 1_000, maxAttempts: 1 });
    const error = (await rejectionOf(client.get('/bulk/v1/f.csv.gz'))) as VendorUnavailableError;
    expect(error).toBeInstanceOf(VendorUnavailableError);
    // fetch's own TypeError ("fetch failed"), made outside jest's realm, so compared by name.
    expect((error.cause as Error).name).toBe('TypeError');
    expect(error.lastProblem).toBe((error.cause as Error).message);
  });

  test('an S3 conditional write refused with 412: StateConflictError, caused by the S3 error', async () => {
    const refusal = Object.assign(new Error('PreconditionFailed'), { $metadata: { httpStatusCode: 412 } });
    const s3 = { send: () => Promise.reject(refusal) } as unknown as S3Client;
    const error = (await rejectionOf(new S3StateStore(s3, 'lake', 'state/ledger.json').write({ n: 1 }, '"etag"'))) as StateConflictError;
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error).toMatchObject({ code: 'STATE_CONFLICT', cause: refusal, message: 's3://lake/state/ledger.json changed while being updated' });
  });

  test('an error that wraps nothing has no cause', () => {
    expect('cause' in new VendorUnavailableError('http://vendor/x', 6, 'HTTP 503')).toBe(false);
  });
});
