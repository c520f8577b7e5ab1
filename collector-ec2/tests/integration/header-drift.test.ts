import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { MotoServer } from '@ingest-lake/local-emulators';
import { appMarketMetadata, dimensionSnapshotKey, VENDOR_HEADER_DRIFT_METRIC } from '@ingest-lake/shared';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes';
import { CloudWatchHeaderDriftPublisher } from '../../src/metrics/header-drift-publisher';
import { collectSnapshot, type CollectEvent } from '../../src/pipeline/collect-snapshot';
import { FileFormatError } from '../../src/pipeline/csv-file-ingest';
import { KinesisProducer } from '../../src/produce/kinesis-producer';
import { API_KEY, BUCKET, CollectorFixture, SNAPSHOT } from '../support/collector-fixture';
import { readParquetFromLake } from '../support/lake-parquet';

jest.setTimeout(120_000);

const PUBLISHERS = 'publishers.csv.gz';

/**
 * The vendor changes a file's columns: the collector compares every header with the shared schema,
 * puts `VendorHeaderDrift` on CloudWatch (moto) for the alarm, and then refuses the file (an unknown
 * column) or reads it with nulls (a nullable column dropped). Decision 0016.
 */
describe('vendor header drift: reported to CloudWatch, then refused or read', () => {
  const fixture = new CollectorFixture();
  const moto = new MotoServer();
  let cloudwatch: CloudWatchClient;

  beforeAll(async () => {
    if (!MotoServer.isAvailable()) throw new Error('moto_server not found: these tests need moto in server mode (pip install "moto[server]")');
    await Promise.all([fixture.start({ dataRows: 500, apiRecords: 100 }), moto.start()]);
    cloudwatch = new CloudWatchClient(moto.clientConfig());
  }, 60_000);
  afterAll(async () => {
    cloudwatch?.destroy();
    await Promise.all([fixture.stop(), moto.stop()]);
  }, 30_000);

  /** The metric's sum over the last hour for this environment and vendor dataset, as the alarm reads it. */
  const driftSum = async (environment: string) => {
    const now = Date.now();
    const { Datapoints: points = [] } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: VENDOR_HEADER_DRIFT_METRIC.namespace,
        MetricName: VENDOR_HEADER_DRIFT_METRIC.name,
        Dimensions: [
          { Name: 'Environment', Value: environment },
          { Name: 'Dataset', Value: 'app_market' },
        ],
        StartTime: new Date(now - 3_600_000),
        EndTime: new Date(now + 60_000),
        Period: 3_600,
        Statistics: ['Sum'],
      }),
    );
    return points.reduce((sum, point) => sum + (point.Sum ?? 0), 0);
  };

  const collect = async (name: string, environment: string, events: CollectEvent[]) => {
    const stream = await fixture.newStream(`drift-${name}`, 1);
    const kinesis = fixture.kinesis.client();
    try {
      return await collectSnapshot({
        manifest: fixture.manifest,
        snapshot: SNAPSHOT,
        workDir: path.join(fixture.directory, `work-${name}`),
        s3: fixture.s3.client(),
        lakeBucket: BUCKET,
        budget: fixture.budget(`ledger-${name}.json`),
        apiKey: API_KEY,
        producer: new KinesisProducer(kinesis, { streamName: stream }),
        includeApi: false,
        headerDrift: new CloudWatchHeaderDriftPublisher(cloudwatch, environment),
        onEvent: (event) => events.push(event),
      });
    } finally {
      kinesis.destroy();
    }
  };

  test('a declared header: no drift event, no metric', async () => {
    const events: CollectEvent[] = [];
    expect((await collect('clean', 'clean', events)).reconciled).toBe(true);
    expect(events.filter((e) => e.type === 'header-drift')).toEqual([]);
    expect(await driftSum('clean')).toBe(0);
  });

  test('a column the schema does not declare: the metric is put, then the file is refused naming the column (exit 7)', async () => {
    await fixture.simulator.replaceFile(PUBLISHERS, gzipSync('publisher_id,publisher_name,hq_country_code,website\n1,Acme,US,https://acme.example\n2,Globex,,https://globex.example\n'));
    const events: CollectEvent[] = [];
    const error = (await collect('unknown-column', 'drift-a', events).catch((e: unknown) => e)) as FileFormatError;
    expect(error).toBeInstanceOf(FileFormatError);
    expect(exitCodeFor(error)).toBe(EXIT.fileFormat);
    expect(error.message).toBe(`${PUBLISHERS}: header does not match dataset "app_market_publishers": unknown column "website"`);
    expect(events.filter((e) => e.type === 'header-drift')).toEqual([
      {
        type: 'header-drift',
        file: PUBLISHERS,
        drift: { dataset: 'app_market_publishers', unknownColumns: ['website'], missingRequiredColumns: [], missingNullableColumns: [], duplicateColumns: [] },
        published: true,
      },
    ]);
    expect(await driftSum('drift-a')).toBe(1);
  });

  test('a nullable column dropped: the metric is put and the file is curated with nulls', async () => {
    await fixture.simulator.replaceFile(PUBLISHERS, gzipSync('publisher_id,publisher_name\n1,Acme\n2,Globex\n'));
    const events: CollectEvent[] = [];
    const report = await collect('nullable-dropped', 'drift-b', events);
    expect(report.reconciled).toBe(true);
    expect(events.filter((e) => e.type === 'header-drift').map((e) => e.type === 'header-drift' && e.drift.missingNullableColumns)).toEqual([['hq_country_code']]);
    expect(await driftSum('drift-b')).toBe(1);
    const rows = await readParquetFromLake(fixture.s3.client(), dimensionSnapshotKey(appMarketMetadata.publishers.name, SNAPSHOT));
    expect(rows.map((r) => [r.publisher_id, r.publisher_name, r.hq_country_code])).toEqual([
      ['1', 'Acme', null],
      ['2', 'Globex', null],
    ]);
  });

  test('CloudWatch unreachable: the drift is still an event, the run is not failed by the metric', async () => {
    const unreachable = new CloudWatchClient({ ...moto.clientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const events: CollectEvent[] = [];
    const stream = await fixture.newStream('drift-unreachable', 1);
    const kinesis = fixture.kinesis.client();
    try {
      const report = await collectSnapshot({
        manifest: fixture.manifest,
        snapshot: SNAPSHOT,
        workDir: path.join(fixture.directory, 'work-unreachable'),
        s3: fixture.s3.client(),
        lakeBucket: BUCKET,
        budget: fixture.budget('ledger-unreachable.json'),
        apiKey: API_KEY,
        producer: new KinesisProducer(kinesis, { streamName: stream }),
        includeApi: false,
        headerDrift: new CloudWatchHeaderDriftPublisher(unreachable, 'drift-c'),
        onEvent: (event) => events.push(event),
      });
      expect(report.reconciled).toBe(true);
      expect(events.find((e) => e.type === 'header-drift')).toMatchObject({ file: PUBLISHERS, published: false, publishError: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      kinesis.destroy();
      unreachable.destroy();
    }
  });
});
