import { gzipSync } from 'node:zlib';
import { appMarketMetadata, dimensionSnapshotKey, VENDOR_HEADER_DRIFT_METRIC } from '@ingest-lake/shared';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes';
import { CloudWatchHeaderDriftPublisher } from '../../src/metrics/header-drift-publisher';
import type { CollectEvent } from '../../src/pipeline/collect-snapshot';
import { FileFormatError } from '../../src/pipeline/csv-file-ingest';
import { SNAPSHOT } from '../support/collector-fixture';
import { CollectorMetricsFixture } from '../support/collector-metrics-fixture';
import { readParquetFromLake } from '../support/lake-parquet';

jest.setTimeout(120_000);

const PUBLISHERS = 'publishers.csv.gz';

/**
 * The vendor changes a file's columns: the collector compares every header with the shared schema,
 * puts `VendorHeaderDrift` on CloudWatch (moto) for the alarm, and then refuses the file (an unknown
 * column) or reads it with nulls (a nullable column dropped). Decision 0016.
 */
describe('vendor header drift: reported to CloudWatch, then refused or read', () => {
  const metrics = new CollectorMetricsFixture();
  const fixture = metrics.collector;

  beforeAll(() => metrics.start({ dataRows: 500, apiRecords: 100 }), 60_000);
  afterAll(() => metrics.stop(), 30_000);

  /** The metric's sum over the last hour for this environment and vendor dataset, as the alarm reads it. */
  const driftSum = (environment: string) => metrics.sumOverLastHour(VENDOR_HEADER_DRIFT_METRIC, environment);

  const collect = async (name: string, environment: string, events: CollectEvent[]) =>
    (await metrics.collect(`drift-${name}`, events, { includeApi: false, headerDrift: new CloudWatchHeaderDriftPublisher(metrics.cloudwatch, environment) })).report;

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
    const unreachable = metrics.unreachableCloudWatch();
    const events: CollectEvent[] = [];
    try {
      const { report } = await metrics.collect('drift-unreachable', events, { includeApi: false, headerDrift: new CloudWatchHeaderDriftPublisher(unreachable, 'drift-c') });
      expect(report.reconciled).toBe(true);
      expect(events.find((e) => e.type === 'header-drift')).toMatchObject({ file: PUBLISHERS, published: false, publishError: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      unreachable.destroy();
    }
  });
});
