import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ingestCsvFile, QuarantineWriter, type QuarantinedRow } from '@ingest-lake/collector-ec2';
import { decodeFailureEnvelope } from '@ingest-lake/firehose-transform';
import type { LocalStack } from '@ingest-lake/local-runtime';
import { appMarketDaily } from '@ingest-lake/shared';
import { TemporaryStack } from '../support/temporary-stack';

const CORPUS = path.resolve(__dirname, '../fixtures/bad');

/** Ingests a corpus file as an app_market_daily csv.gz through the collector's public entry; returns its progress and quarantined rows. */
const ingest = async (data: Buffer) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'bad-input-'));
  try {
    const quarantine = await QuarantineWriter.open(path.join(directory, 'q.ndjson'));
    const progress = await ingestCsvFile({ dataset: appMarketDaily, origin: 'corpus', file: 'corpus.csv.gz', snapshot: '2026-11-20', source: Readable.from([gzipSync(data)]), quarantine }).finally(() => quarantine.close());
    const rows = (await readFile(quarantine.path, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as QuarantinedRow);
    return { progress, rows };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
};

describe('bad-input corpus: vendor CSV (collector parse path)', () => {
  const expected = JSON.parse(readFileSync(path.join(CORPUS, 'csv/expected.json'), 'utf8')) as Record<string, { rowsRead: number; rowsSent: number; quarantined: Array<[number, string]> }>;

  test('every corpus file has an expectation', () => {
    expect(readdirSync(path.join(CORPUS, 'csv')).filter((f) => f.endsWith('.csv')).sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(Object.entries(expected))('%s: clear reasons with line numbers, counts reconcile', async (file, expectation) => {
    const { progress, rows } = await ingest(readFileSync(path.join(CORPUS, 'csv', file)));
    expect(rows.map((r) => [r.line, r.reason])).toEqual(expectation.quarantined);
    expect(rows.every((r) => r.detail.length > 0)).toBe(true);
    expect(progress).toMatchObject({ rowsRead: expectation.rowsRead, rowsSent: expectation.rowsSent });
    expect(progress.rowsRead).toBe(progress.rowsSent + progress.rowsQuarantined + progress.rowsBlank);
  });

  test('a 2 MB field is refused as row_too_large and the rows around it survive', async () => {
    const header = appMarketDaily.columnNames.join(',');
    const row = (name: string) => `2026-11-20,1,${name},Studio,KR,iphone,ios,6005,10,1.5,,,4.5,true,2026-11-20T10:00:00Z`;
    const { progress, rows } = await ingest(Buffer.from(`${header}\n${row('ok')}\n${row('x'.repeat(2_000_000))}\n${row('ok2')}\n`));
    expect(rows.map((r) => [r.line, r.reason])).toEqual([[3, 'row_too_large']]);
    expect(progress).toMatchObject({ rowsRead: 3, rowsSent: 2, rowsQuarantined: 1 });
  });
});

describe('bad-input corpus: Kinesis records from a faulty producer (transform → errors/)', () => {
  const expected = JSON.parse(readFileSync(path.join(CORPUS, 'records/expected.json'), 'utf8')) as Record<string, { stream: 'events' | 'vendor'; reason: string }>;
  const temporary = new TemporaryStack('bad-records-');
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await temporary.start();
  });
  afterAll(async () => {
    await temporary.stop();
  });

  test('each record lands in errors/processing-failed with its reason and its exact bytes; nothing is curated', async () => {
    expect(readdirSync(path.join(CORPUS, 'records')).filter((f) => f.endsWith('.txt')).sort()).toEqual(Object.keys(expected).sort());
    const kinesis = stack.kinesis.client();
    for (const [file, { stream }] of Object.entries(expected)) {
      await kinesis.send(
        new PutRecordCommand({
          StreamName: stream === 'events' ? stack.endpoints.eventsStream : stack.endpoints.vendorStream,
          PartitionKey: file,
          Data: readFileSync(path.join(CORPUS, 'records', file)),
        }),
      );
    }
    await stack.drain();
    await temporary.withLake(async (catalog) => {
      const errors = await catalog.query('SELECT reason, rawData FROM delivery_errors');
      const bySource = new Map(
        errors.map((e) => [decodeFailureEnvelope(Buffer.from(String(e.rawData), 'base64'))!.sourceData, String(e.reason)]),
      );
      for (const [file, { reason }] of Object.entries(expected)) {
        expect([file, bySource.get(readFileSync(path.join(CORPUS, 'records', file)).toString('base64'))]).toEqual([file, reason]);
      }
      expect(await catalog.query('SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM app_market_daily) AS n')).toEqual([{ n: '0' }]);
    });
    kinesis.destroy();
  });
});
