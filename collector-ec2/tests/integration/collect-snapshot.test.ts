import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import path from 'node:path';
import { appMarket, dimensionSnapshotKey } from '@ingest-lake/shared';
import { BudgetExhaustedError } from '../../src/budget/call-budget';
import { collectSnapshot } from '../../src/pipeline/collect-snapshot';
import { replayReconciles, replaySnapshot } from '../../src/pipeline/replay-snapshot';
import { KinesisProducer } from '../../src/produce/kinesis-producer';
import { API_KEY, BUCKET, CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { readParquetFromLake } from '../support/lake-parquet';
import { readStreamRows, rowKey } from '../support/stream-contents';

jest.setTimeout(120_000);

const ALL_FILES = [appMarket.dataFile, ...appMarket.metadataFiles].map((f) => f.file);

describe('collectSnapshot against the vendor simulator, kinesalite and s3rver', () => {
  const fixture = new CollectorFixture();
  beforeAll(() => fixture.start());
  afterAll(() => fixture.stop());

  test('13 files archived untouched, data rows and API pages on Kinesis, counts reconcile, a re-run spends nothing', async () => {
    const stream = await fixture.newStream('collect-happy');
    const kinesis = fixture.kinesis.client();
    const s3 = fixture.s3.client();
    const budget = fixture.budget('ledger-happy.json');
    const producer = new KinesisProducer(kinesis, { streamName: stream });
    const workDir = path.join(fixture.directory, 'work-happy');
    const callsBefore = fixture.simulator.callsReceived;
    const options = { manifest: fixture.manifest, snapshot: SNAPSHOT, workDir, s3, lakeBucket: BUCKET, budget, apiKey: API_KEY, producer };

    const report = await collectSnapshot(options);

    expect(report.reconciled).toBe(true);
    const data = report.files.find((f) => f.file === appMarket.dataFile.file)!;
    expect(data).toMatchObject({ rowsRead: 20_000, rowsSent: 20_000, rowsQuarantined: 0 });
    expect(report.api).toMatchObject({ done: true, pagesFetched: 3, recordsRead: 2_500, recordsSent: 2_500 });
    // 13 bulk calls + 3 pages, all spent from the ledger.
    expect(fixture.simulator.callsReceived - callsBefore).toBe(16);
    expect(report.budget.spent).toBe(16);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `raw/app_market/snapshot=${SNAPSHOT}/` }));
    expect(listed.Contents!.map((o) => path.basename(o.Key!)).sort()).toEqual([...ALL_FILES].sort());
    for (const file of ALL_FILES) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `raw/app_market/snapshot=${SNAPSHOT}/${file}` }));
      expect(head.Metadata?.sha256).toBe(fixture.simulator.fileInfo(file)!.sha256);
      expect(head.ContentLength).toBe(fixture.simulator.fileInfo(file)!.bytes);
    }

    const rows = await readStreamRows(kinesis, stream);
    expect(rows).toHaveLength(22_500);
    expect(new Set(rows.filter((r) => r.origin.startsWith('vendor-bulk')).map((r) => rowKey(r.record))).size).toBe(20_000);
    expect(rows.every((r) => r.dataset === 'app_market_daily')).toBe(true);

    const again = await collectSnapshot(options);
    expect(again.reconciled).toBe(true);
    expect(fixture.simulator.callsReceived - callsBefore).toBe(16);
    expect(await readStreamRows(kinesis, stream)).toHaveLength(22_500);
    kinesis.destroy();
    s3.destroy();
  });

  test('cut connections, a truncated gzip, 5xx bursts and 429 Retry-After are survived, every call counted', async () => {
    const stream = await fixture.newStream('collect-faults');
    const kinesis = fixture.kinesis.client();
    const s3 = fixture.s3.client();
    const budget = fixture.budget('ledger-faults.json');
    fixture.simulator.injectFault({ kind: 'reset-mid-body', target: appMarket.dataFile.file, times: 2 });
    fixture.simulator.injectFault({ kind: 'truncated-gzip', target: 'apps.csv.gz' });
    fixture.simulator.injectFault({ kind: 'server-error', target: 'countries.csv.gz', times: 2 });
    fixture.simulator.injectFault({ kind: 'rate-limit', target: 'api', retryAfterSeconds: 1 });
    fixture.simulator.injectFault({ kind: 'slow', target: 'devices.csv.gz', delayMs: 50 });
    const callsBefore = fixture.simulator.callsReceived;

    const report = await collectSnapshot({
      manifest: fixture.manifest,
      snapshot: SNAPSHOT,
      workDir: path.join(fixture.directory, 'work-faults'),
      s3,
      lakeBucket: BUCKET,
      budget,
      apiKey: API_KEY,
      producer: new KinesisProducer(kinesis, { streamName: stream }),
    });

    expect(report.reconciled).toBe(true);
    const dataFile = report.files.find((f) => f.file === appMarket.dataFile.file)!;
    const apps = report.files.find((f) => f.file === 'apps.csv.gz')!;
    // Each cut connection costs one Range request; the exact byte where a socket dies varies, the count does not go below.
    expect(dataFile.resumes).toBeGreaterThanOrEqual(2);
    expect(apps.resumes).toBeGreaterThanOrEqual(1);
    expect(apps.sha256).toBe(fixture.simulator.fileInfo('apps.csv.gz')!.sha256);
    expect(dataFile.sha256).toBe(fixture.simulator.fileInfo(appMarket.dataFile.file)!.sha256);
    // At least 16 planned + 2 resumes + 1 re-download + 2 server errors + 1 rate limit, and the
    // ledger holds exactly what the vendor received.
    const calls = fixture.simulator.callsReceived - callsBefore;
    expect(calls).toBeGreaterThanOrEqual(22);
    expect(report.budget.spent).toBe(calls);
    const rows = await readStreamRows(kinesis, stream);
    expect(new Set(rows.map((r) => `${r.origin.split(':')[0]}|${rowKey(r.record)}`)).size).toBe(22_500);
    kinesis.destroy();
    s3.destroy();
  });

  test('API records the schema refuses are quarantined, counted, and uploaded to the error zone', async () => {
    const stream = await fixture.newStream('collect-bad-api');
    const kinesis = fixture.kinesis.client();
    const s3 = fixture.s3.client();
    fixture.simulator.invalidApiRecordEvery = 500;
    try {
      const report = await collectSnapshot({
        manifest: fixture.manifest,
        snapshot: SNAPSHOT,
        workDir: path.join(fixture.directory, 'work-bad-api'),
        s3,
        lakeBucket: BUCKET,
        budget: fixture.budget('ledger-bad-api.json'),
        apiKey: API_KEY,
        producer: new KinesisProducer(kinesis, { streamName: stream }),
      });
      expect(report.reconciled).toBe(true);
      expect(report.api).toMatchObject({ done: true, recordsRead: 2_500, recordsSent: 2_495, recordsQuarantined: 5 });
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `errors/collector/app_market/snapshot=${SNAPSHOT}/api.quarantine.ndjson` }));
      const quarantined = (await object.Body!.transformToString()).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { line: number; field: string; reason: string });
      expect(quarantined.map((q) => [q.line, q.field, q.reason])).toEqual([500, 1000, 1500, 2000, 2500].map((n) => [n, 'downloads', 'invalid_value']));
    } finally {
      fixture.simulator.invalidApiRecordEvery = undefined;
      kinesis.destroy();
      s3.destroy();
    }
  });

  test('a run the budget cannot cover is refused before any call', async () => {
    const budget = fixture.budget('ledger-tight.json');
    await budget.reserve('someone-else', 995);
    const callsBefore = fixture.simulator.callsReceived;
    await expect(
      collectSnapshot({
        manifest: fixture.manifest,
        snapshot: SNAPSHOT,
        workDir: path.join(fixture.directory, 'work-tight'),
        s3: fixture.s3.client(),
        lakeBucket: BUCKET,
        budget,
        apiKey: API_KEY,
      }),
    ).rejects.toThrow(BudgetExhaustedError);
    expect(fixture.simulator.callsReceived).toBe(callsBefore);
    expect((await budget.status()).remaining).toBe(5);
  });

  test('replay re-streams the data file and re-curates the twelve dimensions from raw/, with the same keys and no vendor call', async () => {
    const stream = await fixture.newStream('collect-replay');
    const kinesis = fixture.kinesis.client();
    const s3 = fixture.s3.client();
    // The curated dimensions of the snapshot are lost (or were written by a faulty release): replay rebuilds them.
    const dimensionKeys = appMarket.metadataFiles.map((f) => dimensionSnapshotKey(f.dataset.name, SNAPSHOT));
    const collected = new Map<string, number>();
    for (const key of dimensionKeys) {
      collected.set(key, (await readParquetFromLake(s3, key)).length);
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    }
    const callsBefore = fixture.simulator.callsReceived;
    const result = await replaySnapshot({
      manifest: fixture.manifest,
      snapshot: SNAPSHOT,
      s3,
      lakeBucket: BUCKET,
      producer: new KinesisProducer(kinesis, { streamName: stream }),
      workDir: path.join(fixture.directory, 'work-replay'),
    });
    expect(result).toMatchObject({ rowsRead: 20_000, rowsSent: 20_000, rowsQuarantined: 0 });
    expect(replayReconciles(result)).toBe(true);
    expect(fixture.simulator.callsReceived).toBe(callsBefore);
    const rows = await readStreamRows(kinesis, stream);
    expect(new Set(rows.map((r) => rowKey(r.record))).size).toBe(20_000);
    // Only the data file went to Kinesis: the dimensions went straight to curated/.
    expect(rows.every((r) => r.dataset === appMarket.dataFile.dataset.name)).toBe(true);

    expect(result.dimensions.map((d) => d.file)).toEqual(appMarket.metadataFiles.map((f) => f.file));
    for (const [index, vendorFile] of appMarket.metadataFiles.entries()) {
      const dimension = result.dimensions[index]!;
      const key = dimensionSnapshotKey(vendorFile.dataset.name, SNAPSHOT);
      expect(dimension).toMatchObject({ key: `raw/app_market/snapshot=${SNAPSHOT}/${vendorFile.file}`, curated: { key } });
      const curated = await readParquetFromLake(s3, key);
      // The same rows the collection curated, with the lineage columns the collector writes.
      expect([key, curated.length, dimension.curated.rows]).toEqual([key, collected.get(key), collected.get(key)]);
      expect(String(curated[0]!._origin).startsWith(`vendor-bulk:app_market/snapshot=${SNAPSHOT}/${vendorFile.file}#`)).toBe(true);
    }
    kinesis.destroy();
    s3.destroy();
  });
});
