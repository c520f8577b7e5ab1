import { appMarket } from '@ingest-lake/shared';
import { App } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildEnvironment } from '../../src/app';
import { directDeliveryDatasets } from '../../src/config/collector-bulk-delivery';
import { loadEnvironmentConfig, type EnvironmentConfig } from '../../src/config/environment-config';
import { applyConfiguration } from '../../src/cost/cost-configuration';
import { configurationSchema, loadJson, priceTableSchema, workloadSchema, type Workload } from '../../src/cost/cost-inputs';
import { bulkFlow, bulkSnapshotWriteSeconds, capacity, estimateMonthlyCost, eventFlow, shardsNeeded, type CostEstimate } from '../../src/cost/cost-model';
import { instanceHoursPerDay, readDeploymentFacts, type DeploymentFacts } from '../../src/cost/deployment-facts';
import { collectorPutsPerSnapshot, DIRECT_BULK_ROWS_PER_SECOND, directBulkQueryableSeconds, directPartsPerSnapshot } from '../../src/cost/direct-bulk-path';
import { COLLECTOR_MANIFESTS_DIR } from '@ingest-lake/collector-ec2/asset';
import { CollectorStack } from '../../src/stacks/collector-stack';
import { LakeStack } from '../../src/stacks/lake-stack';
import { NetworkStack } from '../../src/stacks/network-stack';
import { StreamingStack } from '../../src/stacks/streaming-stack';

const COST_DIR = path.resolve(__dirname, '../../cost');
const prices = loadJson(path.join(COST_DIR, 'prices/ap-northeast-2-2026-11.json'), priceTableSchema);
const workload = (name: string): Workload => loadJson(path.join(COST_DIR, 'workloads', name), workloadSchema);
const configuration = (name: string) => loadJson(path.join(COST_DIR, 'configurations', name), configurationSchema);
const line = (estimate: CostEstimate, service: string) => estimate.lines.find((l) => l.service.startsWith(service))!;
const pathOf = (estimate: CostEstimate, prefix: string) => estimate.paths.find((p) => p.path.startsWith(prefix))!;

const minimalFacts: DeploymentFacts = {
  environment: 'test',
  streams: [{ name: 'x-test-events', mode: 'PROVISIONED', shards: 1, retentionHours: 24 }],
  deliveryStreams: [
    { name: 'x-test-events', dynamicPartitioning: true, formatConversion: true, backup: true, bufferSeconds: 60 },
    { name: 'x-test-app-market-daily', dynamicPartitioning: true, formatConversion: true, backup: true, bufferSeconds: 60 },
  ],
  bulkDataFiles: [],
  lambdas: [{ name: 'x-transform-events', memoryMb: 1024, arm: true }],
  natGateways: 0,
  s3GatewayEndpoint: true,
  interfaceEndpoints: [],
  instances: [],
  alarms: 0,
  dashboards: 0,
  kmsKeys: 0,
  crawlers: 0,
  glueJobCapacityDpu: 0,
  lifecycle: { rawToGlacierDays: 30, rawDataToGlacierDays: 30, errorsExpireDays: 90 },
  restApis: 1,
};

/** The bulk stream beside the events stream, a data file the collector writes directly, and a Python shell job. */
const directFacts: DeploymentFacts = {
  ...minimalFacts,
  streams: [...minimalFacts.streams, { name: 'x-test-app-market-daily', mode: 'PROVISIONED', shards: 1, retentionHours: 24 }],
  bulkDataFiles: [{ dataset: 'app_market_daily', stream: 'x-test-app-market-daily', delivery: 'direct' }],
  glueJobCapacityDpu: 0.0625,
};

describe('cost model arithmetic on fixed inputs', () => {
  test('1 KB events: each is its own record, billed as 5 KB by Firehose; packing puts 4 in one ≤ 5,000-byte record', () => {
    const single = eventFlow(workload('events-100rps-1kb.json'));
    expect(single.dataRecords).toBe(100 * 730 * 3600);
    expect(single).toMatchObject({ kinesisRecords: 262_800_000, bytesPerKinesisRecord: 1025, apiRequests: 262_800_000 });
    const packed = eventFlow(workload('events-100rps-1kb-sdk-packed.json'));
    expect(packed.kinesisRecords).toBe(65_700_000);
    expect(packed.bytesPerKinesisRecord).toBe(4 * 1085);
    expect(eventFlow(workload('events-100rps-1kb-batched.json')).apiRequests).toBe(2_628_000);
  });

  test('API Gateway costs $3.50 per million requests; the Firehose line follows the 5 KB rounding', () => {
    const estimate = estimateMonthlyCost(minimalFacts, workload('events-100rps-1kb.json'), prices);
    const line = (name: string) => estimate.lines.find((l) => l.service.startsWith(name))!.monthlyUsd;
    expect(line('API Gateway')).toBe(919.8);
    // 262.8 M records × 5,120 bytes = 1,253.1 GiB at (0.035 + 0.022) plus 250.9 GiB × 0.024 plus objects.
    const billedGb = (262_800_000 * 5_120) / 1024 ** 3;
    const dataGb = (262_800_000 * 1_025) / 1024 ** 3;
    const objects = ((730 * 3600) / 60) * 2;
    expect(line('Firehose')).toBeCloseTo(billedGb * 0.057 + dataGb * 0.024 + (objects / 1000) * 0.006, 1);
    // One provisioned shard for the month plus PUT payload units (one 25 KB unit per record).
    expect(line('Kinesis')).toBeCloseTo(730 * 0.0179 + 262.8 * 0.0195, 2);
    expect(estimate.usdPerMillionRecords).toBeCloseTo(estimate.monthlyUsd / 262.8, 3);
  });

  test('packing 20 M bulk rows cuts Kinesis records 20× (245-byte rows, 5,000-byte packs) and the Firehose bill > 5×', () => {
    const packed = bulkFlow(workload('bulk-20m-daily.json'));
    const unpacked = bulkFlow(workload('bulk-20m-daily-unpacked.json'));
    expect(unpacked.kinesisRecords / packed.kinesisRecords).toBeCloseTo(20, 0);
    const firehose = (name: string) =>
      estimateMonthlyCost({ ...minimalFacts, streams: [{ name: 'x-test-app-market-daily', mode: 'ON_DEMAND', shards: 0, retentionHours: 24 }] }, workload(name), prices).lines.find((l) =>
        l.service.startsWith('Firehose'),
      )!.monthlyUsd;
    expect(firehose('bulk-20m-daily-unpacked.json') / firehose('bulk-20m-daily.json')).toBeGreaterThan(5);
  });

  test('the direct bulk path (model): download end → queryable is the measured curate rate plus the parts\' upload, printed with the capacity', () => {
    const bulk = workload('bulk-20m-daily.json');
    // 20 M rows at the measured rate, plus 20 M × 185 bytes × 0.35 of Parquet put at 50 MiB/s.
    const expected = 20_000_000 / DIRECT_BULK_ROWS_PER_SECOND + (20_000_000 * 185 * 0.35) / (50 * 1024 ** 2);
    expect(directBulkQueryableSeconds(bulk)).toBeCloseTo(expected, 6);
    expect(capacity(directFacts, bulk)).toMatchObject({ 'bulk data file delivery': 'direct', 'bulk snapshot, direct path (decision 0018): download end → queryable minutes (model)': Math.round((expected / 60) * 10) / 10 });
    expect(Object.keys(capacity(directFacts, bulk)).some((key) => key.includes('Kinesis minutes'))).toBe(false);
    expect(Object.keys(capacity({ ...directFacts, bulkDataFiles: [] }, bulk)).some((key) => key.includes('direct path'))).toBe(false);
  });

  test('a direct data file takes no Kinesis data, Firehose or transform: the bulk stream keeps its shard-hours, S3 gets the parts and the raw archive', () => {
    const bulk = workload('bulk-20m-daily.json');
    const direct = estimateMonthlyCost(directFacts, bulk, prices);
    const streamed = estimateMonthlyCost({ ...directFacts, bulkDataFiles: [] }, bulk, prices);
    expect(line(direct, 'Firehose').monthlyUsd).toBe(0);
    expect(line(direct, 'Lambda').monthlyUsd).toBe(0);
    // Two provisioned shards for the month, and no PUT payload units: the data file puts no rows on the stream.
    expect(line(direct, 'Kinesis').monthlyUsd).toBeCloseTo(2 * 730 * 0.0179, 2);
    expect(line(direct, 'Kinesis').detail).toBe('x-test-events: 1 shards; x-test-app-market-daily: 1 shards');
    expect(line(streamed, 'Firehose').monthlyUsd).toBeGreaterThan(10);
    expect(line(streamed, 'Kinesis').detail).toContain('x-test-app-market-daily: 1 shards, 77.9 min per snapshot');

    // Per snapshot: 40 parts of 500,000 rows; the 1.48 GB gzip archived in 89 parts of 16 MiB (+ create and
    // complete); 12 metadata files archived and curated.
    expect(directPartsPerSnapshot(bulk)).toBe(40);
    expect(collectorPutsPerSnapshot(bulk)).toBe(89 + 2 + 24);
    const snapshots = 730 / 24;
    const rawGb = (20_000_000 * 185 * 0.4) / 1024 ** 3;
    const partsGb = (20_000_000 * 185 * 0.35) / 1024 ** 3;
    // raw/ stays in Standard 30 days of the 12 months (the facts' lifecycle), then Glacier; the parts stay.
    const rawStandard = snapshots * rawGb * (30 / snapshots);
    const rawGlacier = snapshots * rawGb * (12 - 30 / snapshots);
    const s3 = (rawStandard + snapshots * partsGb * 12) * 0.025 + rawGlacier * 0.0045 + ((snapshots * (115 + 40)) / 1000) * 0.0045;
    expect(line(direct, 'S3').monthlyUsd).toBeCloseTo(s3, 2);
    expect(pathOf(direct, 'bulk data file (direct)')).toMatchObject({ records: 20_000_000 * snapshots, usd: 0 });
    expect(pathOf(direct, 'bulk data file (direct)').s3Usd).toBeCloseTo(s3, 2);
    expect(pathOf(streamed, 'bulk data file (stream)').usd).toBeCloseTo(line(streamed, 'Firehose').monthlyUsd + line(streamed, 'Lambda').monthlyUsd + 730 * 0.0179 + (bulkFlow(bulk, 1).kinesisRecords / 1e6) * 0.0195, 1);
  });

  test('every assumption printed for a direct data file is about the path priced', () => {
    const direct = estimateMonthlyCost(directFacts, workload('bulk-20m-daily.json'), prices).assumptions;
    const streamed = estimateMonthlyCost({ ...directFacts, bulkDataFiles: [] }, workload('bulk-20m-daily.json'), prices).assumptions;
    expect(direct).toContainEqual(expect.stringMatching(/^bulk data file: direct \(decision 0018: the collector role may write curated\/dataset=app_market_daily\/\)/));
    expect(direct.filter((a) => /Firehose|transform|on the wire|scaler adds/.test(a) && !a.startsWith('bulk data file: direct'))).toEqual([]);
    expect(streamed).toContainEqual(expect.stringMatching(/^bulk data file: stream; rows on the wire: 245 bytes/));
    expect(streamed.filter((a) => a.startsWith('direct'))).toEqual([]);
  });

  test('retention beyond 24 h costs a provisioned stream its shard-hours again; an on-demand stream says it is not priced', () => {
    const bulk = workload('bulk-20m-daily.json');
    const kinesis = (streams: DeploymentFacts['streams']) => line(estimateMonthlyCost({ ...directFacts, streams }, bulk, prices), 'Kinesis');
    const day = kinesis([{ name: 'x-test-events', mode: 'PROVISIONED', shards: 2, retentionHours: 24 }]);
    const week = kinesis([{ name: 'x-test-events', mode: 'PROVISIONED', shards: 2, retentionHours: 168 }]);
    expect(week.monthlyUsd - day.monthlyUsd).toBeCloseTo(2 * 730 * 0.026, 2);
    expect(week.detail).toBe('x-test-events: 2 shards, 168 h retention $37.96');
    expect(kinesis([{ name: 'x-test-events', mode: 'ON_DEMAND', shards: 0, retentionHours: 168 }]).detail).toBe('x-test-events: on-demand, 0.0 GB in, 168 h retention not priced');
  });

  test('a bulk snapshot is active while Kinesis takes it (not while it parses), and its stream line says how long', () => {
    const bulk = workload('bulk-20m-daily.json');
    // 20 M rows × 245 bytes at 4 MiB/s ≈ 19.5 min; parsing alone takes well under a minute.
    expect(bulkSnapshotWriteSeconds(bulk, 4) / 60).toBeCloseTo(19.5, 0);
    expect(bulkFlow(bulk, 4).activeMinutes).toBeCloseTo((730 / 24) * 20, 6); // 20 minutes a day
    expect(bulkFlow(bulk, 8).activeMinutes).toBeCloseTo((730 / 24) * 10, 6);
    const facts = { ...minimalFacts, streams: [{ name: 'x-test-app-market-daily', mode: 'PROVISIONED' as const, shards: 4, retentionHours: 24 }] };
    const kinesis = estimateMonthlyCost(facts, bulk, prices).lines.find((l) => l.service.startsWith('Kinesis'))!;
    expect(kinesis.detail).toBe('x-test-app-market-daily: 4 shards, 19.5 min per snapshot');
  });

  test('the collector instance and its volume cost only the hours the group runs it', () => {
    const line = (hoursPerDay: number) =>
      estimateMonthlyCost({ ...minimalFacts, instances: [{ type: 'm7i.large', volumeGb: 23, hoursPerDay }] }, workload('bulk-20m-daily.json'), prices).lines.find((l) => l.service.startsWith('EC2'))!;
    expect(line(24).monthlyUsd).toBeCloseTo(0.1239 * 730 + 23 * 0.0912, 2);
    expect(line(2.25).monthlyUsd).toBeCloseTo((0.1239 * 730 + 23 * 0.0912) * (2.25 / 24), 2);
    expect(line(2.25).detail).toBe('m7i.large + 23 GB, 2.3 h/day');
    expect(() => estimateMonthlyCost({ ...minimalFacts, instances: [{ type: 'x9.huge', volumeGb: 1, hoursPerDay: 1 }] }, workload('bulk-20m-daily.json'), prices)).toThrow(
      'no price for instance type x9.huge',
    );
  });

  test("the collector's Kinesis bytes take the Kinesis endpoint when there is one, the NAT otherwise", () => {
    const bulk = workload('bulk-20m-daily.json');
    const vpc = (interfaceEndpoints: DeploymentFacts['interfaceEndpoints']) =>
      estimateMonthlyCost({ ...minimalFacts, natGateways: 1, interfaceEndpoints }, bulk, prices).lines.find((l) => l.service.startsWith('VPC'))!;
    const kinesisGb = (bulkFlow(bulk).kinesisRecords * bulkFlow(bulk).bytesPerKinesisRecord) / 1024 ** 3;
    const nat = 0.059 * 730;
    const withEndpoint = vpc([{ service: 'kinesis-streams', azs: 1 }]);
    const withoutEndpoint = vpc([]);
    expect(withoutEndpoint.monthlyUsd - withEndpoint.monthlyUsd).toBeCloseTo(kinesisGb * 0.059 - 0.013 * 730 - kinesisGb * 0.01, 1);
    expect(vpc([{ service: 'ssm', azs: 3 }]).monthlyUsd - withoutEndpoint.monthlyUsd).toBeCloseTo(3 * 0.013 * 730, 1);
    expect(withEndpoint.monthlyUsd).toBeGreaterThan(nat);
    expect(withEndpoint.detail).toMatch(/^1 NAT \(\d+ GB\), 1 interface endpoint\(s\) in 1 endpoint-AZ\(s\) \(kinesis-streams × 1\)$/);
  });

  test("without an S3 gateway endpoint the collector's S3 bytes (raw archive, direct parts) go through the NAT", () => {
    const vpc = (s3GatewayEndpoint: boolean) => line(estimateMonthlyCost({ ...directFacts, natGateways: 1, s3GatewayEndpoint }, workload('bulk-20m-daily.json'), prices), 'VPC').monthlyUsd;
    const s3Gb = ((730 / 24) * 20_000_000 * 185 * (0.4 + 0.35)) / 1024 ** 3;
    expect(vpc(false) - vpc(true)).toBeCloseTo(s3Gb * 0.059, 1);
  });

  test.each([
    ['no scheduled action, a group of one: always on', [{ min_size: 1 }], [], 24],
    ['no scheduled action, a group of none', [{ min_size: 0 }], [], 0],
    ['02:15 → 04:30', [{ min_size: 0 }], [{ recurrence: '15 2 * * *', desired_capacity: 1 }, { recurrence: '30 4 * * *', desired_capacity: 0 }], 2.25],
    ['across midnight, 23:30 → 01:00', [{ min_size: 0 }], [{ recurrence: '0 1 * * *', desired_capacity: 0 }, { recurrence: '30 23 * * *', desired_capacity: 1 }], 1.5],
    ['two windows', [{ min_size: 0 }], [{ recurrence: '0 2 * * *', desired_capacity: 1 }, { recurrence: '0 3 * * *', desired_capacity: 0 }, { recurrence: '0 14 * * *', desired_capacity: 1 }, { recurrence: '30 14 * * *', desired_capacity: 0 }], 1.5],
  ])('instance hours per day: %s', (_name, groups, schedules, hours) => {
    expect(instanceHoursPerDay(groups, schedules)).toBe(hours);
  });

  test('a scheduled action that is not daily is refused, not mispriced', () => {
    expect(() => instanceHoursPerDay([{ min_size: 0 }], [{ scheduled_action_name: 'weekly', recurrence: '0 2 * * 1', desired_capacity: 1 }])).toThrow(
      'scheduled action weekly: recurrence "0 2 * * 1" is not daily (M H * * *)',
    );
  });

  test('without Firehose conversion the events pay ingestion only, plus a daily compaction; a configuration without conversion must name its compaction', () => {
    const packed = workload('events-100rps-1kb-sdk-packed.json');
    const built = estimateMonthlyCost(directFacts, packed, prices);
    const ndjson = estimateMonthlyCost(applyConfiguration(directFacts, configuration('events-ndjson-compacted.json')), packed, prices);
    // 65.7 M packs of 4 × 1,085 bytes, each billed as 5,120 bytes, at $0.035 per GB: nothing else.
    expect(line(ndjson, 'Firehose')).toMatchObject({ service: 'Firehose (ingestion)', monthlyUsd: Math.round(((65_700_000 * 5_120) / 1024 ** 3) * 0.035 * 100) / 100 });
    // Athena reads the month's gzip NDJSON once; the Glue job (0.0625 DPU) runs 10 minutes longer a day;
    // each delivered object (one a minute) is read once and ≤ 100 objects are written a day.
    const days = 730 / 24;
    const stagedGb = (65_700_000 * 4_340 * 0.3) / 1024 ** 3;
    const compaction = (stagedGb / 1024) * 5 + 0.0625 * days * (10 / 60) * 0.44 + (43_800 / 1000) * 0.0004 + ((days * 100) / 1000) * 0.0045;
    expect(line(ndjson, 'Compaction').monthlyUsd).toBeCloseTo(compaction, 2);
    expect(pathOf(built, 'events').usd - pathOf(ndjson, 'events').usd).toBeCloseTo(line(built, 'Firehose').monthlyUsd - line(ndjson, 'Firehose').monthlyUsd - compaction, 1);
    expect(ndjson.assumptions).toContainEqual(expect.stringMatching(/^configuration "events-ndjson-compacted" priced on the synthesized test stacks, not built: /));
    expect(ndjson.assumptions).toContainEqual('Firehose bills ingestion per record rounded up to 5120 bytes');
    expect(() => configurationSchema.parse({ name: 'x', description: 'x', events: { formatConversion: false } })).toThrow(/required when formatConversion is false/);
    expect(() => configurationSchema.parse({ name: 'x', description: 'x', events: { compaction: {} } })).toThrow(/only with formatConversion: false/);
  });

  test('Direct PUT drops the events stream and its shard-hours; 24 h retention drops the retention charge of the events stream only', () => {
    const packed = workload('events-100rps-1kb-sdk-packed.json');
    const week = { ...directFacts, streams: directFacts.streams.map((s) => ({ ...s, retentionHours: 168 })) };
    const directPut = estimateMonthlyCost(applyConfiguration(week, configuration('events-direct-put.json')), packed, prices);
    expect(line(directPut, 'Kinesis').detail).toBe('x-test-app-market-daily: 1 shards, 168 h retention $18.98');
    expect(pathOf(directPut, 'events').usd).toBeCloseTo(line(directPut, 'Firehose').monthlyUsd + line(directPut, 'Lambda').monthlyUsd, 1);
    const day = applyConfiguration(week, configuration('events-stream-24h.json'));
    expect(day.streams.map((s) => [s.name, s.retentionHours])).toEqual([
      ['x-test-events', 24],
      ['x-test-app-market-daily', 168],
    ]);
    expect(() => applyConfiguration({ ...week, streams: [] }, configuration('events-stream-24h.json'))).toThrow('configuration events-stream-24h: the test stacks have no events stream and delivery stream to change');
  });

  test('a configuration may stream the data file that the role would write directly, and says so', () => {
    const bulk = workload('bulk-20m-daily.json');
    const streamed = estimateMonthlyCost(applyConfiguration(directFacts, configuration('bulk-data-file-streamed.json')), bulk, prices);
    const unconfigured = estimateMonthlyCost({ ...directFacts, bulkDataFiles: [] }, bulk, prices);
    expect(line(streamed, 'Firehose').monthlyUsd).toBe(line(unconfigured, 'Firehose').monthlyUsd);
    expect(streamed.assumptions).toContainEqual(expect.stringMatching(/^bulk data file: stream \(set by the configuration\); /));
  });

  test('shards needed follow the binding limit at 75 %', () => {
    expect(shardsNeeded(eventFlow(workload('events-100rps-1kb.json')))).toBe(1);
    expect(shardsNeeded({ ...eventFlow(workload('events-100rps-1kb.json')), kinesisRecords: 2_000 * 730 * 3600 })).toBe(3);
  });
});

describe('the model reads real synthesized stacks', () => {
  const synthTo = (config: EnvironmentConfig) => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'cost-synth-'));
    const app = new App({ outdir });
    buildEnvironment(app, config);
    app.synth();
    return outdir;
  };

  test('switching the streams from on-demand to provisioned changes the Kinesis estimate', () => {
    const dev = loadEnvironmentConfig('dev');
    const onDemandDir = synthTo(dev);
    const provisionedDir = synthTo({ ...dev, streaming: { mode: 'provisioned', shardCount: 1, retentionHours: 24 } });
    try {
      const onDemand = readDeploymentFacts(onDemandDir, 'dev');
      const provisioned = readDeploymentFacts(provisionedDir, 'dev');
      expect(onDemand.streams.every((s) => s.mode === 'ON_DEMAND')).toBe(true);
      expect(provisioned.streams.every((s) => s.mode === 'PROVISIONED' && s.shards === 1)).toBe(true);
      expect(onDemand).toMatchObject({ natGateways: 1, interfaceEndpoints: [{ service: 'kinesis-streams', azs: 1 }], instances: [{ type: 'm7i.large', volumeGb: 23, hoursPerDay: 2.25 }] });
      const kinesis = (facts: DeploymentFacts) =>
        estimateMonthlyCost(facts, workload('events-100rps-1kb-sdk-packed.json'), prices).lines.find((l) => l.service === 'Kinesis Data Streams')!.monthlyUsd;
      expect(kinesis(onDemand)).toBeGreaterThan(100);
      expect(kinesis(provisioned)).toBeLessThan(30);
    } finally {
      rmSync(onDemandDir, { recursive: true, force: true });
      rmSync(provisionedDir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('prod', () => {
    let prodDir: string;
    let prod: DeploymentFacts;
    beforeAll(() => {
      prodDir = synthTo(loadEnvironmentConfig('prod'));
      prod = readDeploymentFacts(prodDir, 'prod');
    }, 60_000);
    afterAll(() => rmSync(prodDir, { recursive: true, force: true }));

    test('the collector role says the data file goes direct, as the shipped manifest does; its rows cost no Kinesis data, Firehose or transform', () => {
      expect(prod).toMatchObject({ natGateways: 1, s3GatewayEndpoint: true, interfaceEndpoints: [{ service: 'kinesis-streams', azs: 1 }], instances: [{ hoursPerDay: 2.25 }] });
      expect(prod.streams.map((s) => [s.name, s.shards, s.retentionHours])).toEqual([
        ['ingest-lake-prod-app-market-daily', 1, 24],
        ['ingest-lake-prod-events', 1, 168],
      ]);
      expect(prod.bulkDataFiles).toEqual([{ dataset: 'app_market_daily', stream: 'ingest-lake-prod-app-market-daily', delivery: 'direct' }]);
      expect(directDeliveryDatasets(COLLECTOR_MANIFESTS_DIR).map((d) => d.name)).toEqual(['app_market_daily']);
      const estimate = estimateMonthlyCost(prod, workload('bulk-20m-daily.json'), prices);
      expect(line(estimate, 'Firehose').monthlyUsd).toBe(0);
      expect(line(estimate, 'Lambda').monthlyUsd).toBe(0);
      expect(pathOf(estimate, 'bulk data file (direct)').usd).toBe(0);
      expect(capacity(prod, workload('bulk-20m-daily.json'))['bulk data file delivery']).toBe('direct');
    });

    test('one 20 M-row snapshot a day: at most $150 a month with the events stream\'s 7-day retention priced ($18.98) and the data file stream at 24 h; over with both at 7 days', () => {
      const bulk = workload('bulk-20m-daily.json');
      const estimate = estimateMonthlyCost(prod, bulk, prices);
      const retentionPerStream = 730 * 0.026;
      expect(line(estimate, 'Kinesis').monthlyUsd).toBeCloseTo(2 * 730 * 0.0179 + retentionPerStream, 2);
      expect(line(estimate, 'Kinesis').detail).toBe('ingest-lake-prod-app-market-daily: 1 shards; ingest-lake-prod-events: 1 shards, 168 h retention $18.98');
      expect(estimate.monthlyUsd).toBeLessThanOrEqual(150);
      const bothAWeek = estimateMonthlyCost({ ...prod, streams: prod.streams.map((s) => ({ ...s, retentionHours: 168 })) }, bulk, prices);
      expect(bothAWeek.monthlyUsd - estimate.monthlyUsd).toBeCloseTo(retentionPerStream, 2);
      expect(bothAWeek.monthlyUsd).toBeGreaterThan(150);
    });

    test('1 KB events at ≤ $0.10 per million (decision 0021): NDJSON compacted daily with the events stream at 24 h; not as built, not with any one change alone', () => {
      const events = workload('events-100rps-1kb-sdk-packed.json');
      const eventsPath = (name?: string) => pathOf(estimateMonthlyCost(name ? applyConfiguration(prod, configuration(name)) : prod, events, prices), 'events').usdPerMillion;
      expect(eventsPath()).toBeGreaterThan(0.2);
      expect(eventsPath('events-stream-24h.json')).toBeGreaterThan(0.14);
      expect(eventsPath('events-ndjson-compacted.json')).toBeGreaterThan(0.16);
      // Dropping only one of Firehose's two per-GB features is not enough.
      expect(eventsPath('events-ndjson-partitioned-24h.json')).toBeGreaterThan(0.12);
      expect(eventsPath('events-parquet-by-arrival-24h.json')).toBeGreaterThan(0.12);
      expect(eventsPath('events-ndjson-compacted-24h.json')).toBeLessThanOrEqual(0.1);
      expect(pathOf(estimateMonthlyCost(applyConfiguration(prod, configuration('events-ndjson-compacted-24h.json')), workload('events-100rps-1kb-sdk-packed-25kb.json'), prices), 'events').usdPerMillion).toBeLessThan(0.09);
    });

    test('a manifest that streams the data file: the role may not write its curated prefix, and its rows are priced through Kinesis, Firehose and the transform', () => {
      const manifests = mkdtempSync(path.join(os.tmpdir(), 'cost-manifests-'));
      const outdir = mkdtempSync(path.join(os.tmpdir(), 'cost-synth-'));
      try {
        const manifest = JSON.parse(readFileSync(path.join(COLLECTOR_MANIFESTS_DIR, 'app_market.json'), 'utf8')) as { bulk: Record<string, unknown> };
        writeFileSync(path.join(manifests, 'app_market.json'), JSON.stringify({ ...manifest, bulk: { ...manifest.bulk, dataFileDelivery: 'stream' } }));
        // The stacks the collector stack refers to, wired as buildEnvironment wires them, and the collector with that manifest.
        const config = loadEnvironmentConfig('prod');
        const app = new App({ outdir });
        const lake = new LakeStack(app, { config });
        const network = new NetworkStack(app, { config, key: lake.key });
        const streaming = new StreamingStack(app, { config, key: lake.key });
        const stream = streaming.streams.get(appMarket.dataFile.dataset.name)!;
        new CollectorStack(app, { config, vpc: network.vpc, subnets: network.egressSubnets, lake: lake.lake, key: lake.key, stream, manifestsDir: manifests });
        app.synth();
        const streamed = readDeploymentFacts(outdir, 'prod').bulkDataFiles;
        expect(streamed).toEqual([{ dataset: 'app_market_daily', stream: 'ingest-lake-prod-app-market-daily', delivery: 'stream' }]);
        const bulk = workload('bulk-20m-daily.json');
        const before = estimateMonthlyCost({ ...prod, bulkDataFiles: streamed }, bulk, prices);
        const after = estimateMonthlyCost(prod, bulk, prices);
        expect(line(before, 'Firehose').monthlyUsd).toBeGreaterThan(11);
        expect(line(before, 'Kinesis').detail).toContain('ingest-lake-prod-app-market-daily: 1 shards, 77.9 min per snapshot');
        expect(before.assumptions).toContainEqual(expect.stringMatching(/^bulk data file: stream \(the collector role may not write curated\/dataset=app_market_daily\/\)/));
        expect(before.monthlyUsd - after.monthlyUsd).toBeGreaterThan(12);
      } finally {
        rmSync(manifests, { recursive: true, force: true });
        rmSync(outdir, { recursive: true, force: true });
      }
    }, 60_000);
  });
});
