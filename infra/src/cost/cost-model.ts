import { DEFAULT_DIRECT_PART_ROWS, type BulkDelivery } from '@ingest-lake/shared';
import type { PriceTable, Workload } from './cost-inputs';
import type { DeliveryStreamFacts, DeploymentFacts } from './deployment-facts';
import {
  collectorPutsPerSnapshot,
  DIRECT_BULK_ROWS_PER_SECOND,
  DIRECT_PARQUET_RATIO,
  directBulkQueryableSeconds,
  directParquetBytesPerSnapshot,
  directPartsPerSnapshot,
  RAW_ARCHIVE_PART_BYTES,
  S3_PUT_BYTES_PER_SECOND,
} from './direct-bulk-path';

/** One line of the estimate. */
export interface CostLine {
  service: string;
  monthlyUsd: number;
  detail: string;
}

/**
 * What one way into the lake costs on its own: its stream (hours, retention, data), Firehose, the
 * transform, API Gateway and any compaction in `usd`; the S3 storage and requests of its data apart.
 */
export interface PathCost {
  path: string;
  records: number;
  usd: number;
  usdPerMillion: number;
  s3Usd: number;
  s3UsdPerMillion: number;
}

export interface CostEstimate {
  workload: string;
  environment: string;
  priceVersion: string;
  region: string;
  lines: CostLine[];
  monthlyUsd: number;
  /** Data records entering the pipeline per month (events + bulk rows). */
  recordsPerMonth: number;
  usdPerMillionRecords: number;
  /** The events path and the bulk data file's path, each with the records it carries. */
  paths: PathCost[];
  assumptions: string[];
}

const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const GB = 1024 ** 3;
const MiB = 1024 ** 2;
/** Pack entry overhead (`{"r":…}` and the newline) around a 1 KB event. */
const PACK_ENTRY_OVERHEAD_BYTES = 60;
/** Measured: the transform takes ~12.5 ms per MB warm (docs/benchmarks.md); padded for cold starts. */
const TRANSFORM_MS_PER_MB = 20;
const TRANSFORM_MS_FIXED = 5;
/** Assumed sizes relative to the curated NDJSON: Parquet (columnar, Snappy) and gzip (the source backup, a compaction's staged input). */
const PARQUET_RATIO = 0.2;
const GZIP_RATIO = 0.3;
/** Collector parse rate measured on this project's standard machine (docs/benchmarks.md). */
const COLLECTOR_ROWS_PER_SECOND = 1_060_000;
/** Retention a stream's shard-hour price includes. */
const INCLUDED_RETENTION_HOURS = 24;
/** Assumed bound of a compaction run inside the daily versioned-SQL Glue job: job minutes added, objects written. */
const COMPACTION_JOB_MINUTES = 10;
const COMPACTION_OBJECTS_PER_RUN = 100;

/** Records and bytes one source puts on its stream in a month. */
export interface Flow {
  kind: 'events' | 'bulk';
  dataRecords: number;
  kinesisRecords: number;
  bytesPerKinesisRecord: number;
  apiRequests: number;
  /** Minutes per month in which data flows (Lambda invocations happen at least once per buffer). */
  activeMinutes: number;
}

export function eventFlow(workload: Workload): Flow {
  const e = workload.events;
  const dataRecords = e.perSecond * SECONDS_PER_MONTH;
  const bytes = e.averageBytes + 1;
  if (e.producer === 'sdk-packed') {
    const perPack = Math.max(1, Math.floor(e.packTargetBytes / (bytes + PACK_ENTRY_OVERHEAD_BYTES)));
    return { kind: 'events', dataRecords, kinesisRecords: Math.ceil(dataRecords / perPack), bytesPerKinesisRecord: perPack * (bytes + PACK_ENTRY_OVERHEAD_BYTES), apiRequests: 0, activeMinutes: HOURS_PER_MONTH * 60 };
  }
  const apiRequests = e.producer === 'api-batch' ? dataRecords / e.eventsPerRequest : dataRecords;
  return { kind: 'events', dataRecords, kinesisRecords: dataRecords, bytesPerKinesisRecord: bytes, apiRequests, activeMinutes: HOURS_PER_MONTH * 60 };
}

/** Bytes per bulk row on the wire (a positional pack entry) and rows per Kinesis record. */
function bulkPacking(b: Workload['bulk']): { wire: number; perPack: number } {
  const wire = b.wireBytesPerRow ?? b.csvBytesPerRow * 1.4;
  return { wire, perPack: b.packTargetBytes > 0 ? Math.max(1, Math.floor(b.packTargetBytes / wire)) : 1 };
}

/**
 * Seconds to write one bulk snapshot at `writeShards` shards of write capacity (1 MiB/s and 1,000
 * records/s each): Kinesis, not parsing, bounds a snapshot.
 */
export function bulkSnapshotWriteSeconds(workload: Workload, writeShards: number): number {
  const b = workload.bulk;
  const { wire, perPack } = bulkPacking(b);
  const bytes = b.rowsPerSnapshot * wire;
  const records = Math.ceil(b.rowsPerSnapshot / perPack);
  return Math.max(bytes / (writeShards * MiB), records / (writeShards * 1_000));
}

/** The bulk flow; a snapshot is active for as long as parsing or writing it to `writeShards` shards takes. @param writeShards default 4 (an on-demand stream's starting capacity) */
export function bulkFlow(workload: Workload, writeShards = 4): Flow {
  const b = workload.bulk;
  const dataRecords = b.snapshotsPerDay * b.rowsPerSnapshot * DAYS_PER_MONTH;
  const { wire, perPack } = bulkPacking(b);
  const parseSeconds = b.rowsPerSnapshot / COLLECTOR_ROWS_PER_SECOND;
  const minutesPerSnapshot = Math.max(1, Math.ceil(Math.max(parseSeconds, bulkSnapshotWriteSeconds(workload, writeShards)) / 60));
  return {
    kind: 'bulk',
    dataRecords,
    kinesisRecords: Math.ceil(dataRecords / perPack),
    bytesPerKinesisRecord: perPack * wire,
    apiRequests: 0,
    activeMinutes: b.snapshotsPerDay * DAYS_PER_MONTH * minutesPerSnapshot,
  };
}

const bytesOf = (flow: Flow) => flow.kinesisRecords * flow.bytesPerKinesisRecord;
/** Bytes billed when every record is rounded up to `increment`. */
const roundedBytes = (flow: Flow, increment: number) => flow.kinesisRecords * Math.ceil(flow.bytesPerKinesisRecord / increment) * increment;
const money = (n: number) => Math.round(n * 100) / 100;
const round1 = (n: number) => Math.round(n * 10) / 10;
const perMillion = (usd: number, records: number) => (records > 0 ? Math.round((usd / (records / 1e6)) * 10_000) / 10_000 : 0);
const isEvents = (name: string) => name.endsWith('-events');

/** An instance type's hourly price. @throws Error for a type the price table does not list (pricing it at 0 would hide it) */
function instanceHourPrice(prices: PriceTable, type: string): number {
  const price = prices.ec2.instanceHour[type];
  if (price === undefined) throw new Error(`no price for instance type ${type} in the price table (ec2.instanceHour)`);
  return price;
}

/** Kinesis shards a flow needs at ≤ 75 % of the binding limit (1 MiB/s or 1,000 records/s) at its average rate. */
export function shardsNeeded(flow: Flow): number {
  const seconds = flow.activeMinutes * 60;
  if (seconds === 0 || flow.kinesisRecords === 0) return 0;
  const bytesPerSecond = bytesOf(flow) / seconds;
  const recordsPerSecond = flow.kinesisRecords / seconds;
  return Math.max(1, Math.ceil(Math.max(bytesPerSecond / MiB, recordsPerSecond / 1_000) / 0.75));
}

/**
 * How the deployed collector delivers the bulk data file whose stream the model prices (the stream
 * that is not the events stream): `direct` when its synthesized role may write the file's curated prefix.
 */
export function bulkDelivery(facts: DeploymentFacts): BulkDelivery {
  const bulkStream = facts.streams.find((s) => !isEvents(s.name));
  return facts.bulkDataFiles.find((f) => f.stream === bulkStream?.name)?.delivery ?? 'stream';
}

/** A stream's month: hours or shard-hours, retention beyond 24 h, and the data of the flow it carries. */
function streamCost(stream: DeploymentFacts['streams'][number], flow: Flow | undefined, workload: Workload, prices: PriceTable): { usd: number; detail: string } {
  if (stream.mode === 'ON_DEMAND') {
    const ingestGb = flow ? roundedBytes(flow, 1024) / GB : 0;
    const readGb = flow ? bytesOf(flow) / GB : 0;
    const retention = stream.retentionHours > INCLUDED_RETENTION_HOURS ? `, ${stream.retentionHours} h retention not priced` : '';
    return {
      usd: HOURS_PER_MONTH * prices.kinesis.onDemandStreamHour + ingestGb * prices.kinesis.onDemandIngestPerGb + readGb * prices.kinesis.onDemandRetrievalPerGb,
      detail: `${stream.name}: on-demand, ${ingestGb.toFixed(1)} GB in${retention}`,
    };
  }
  const putUnits = flow ? flow.kinesisRecords * Math.ceil(flow.bytesPerKinesisRecord / 25_600) : 0;
  const retentionUsd = stream.retentionHours > INCLUDED_RETENTION_HOURS ? stream.shards * HOURS_PER_MONTH * prices.kinesis.provisionedExtendedRetentionShardHour : 0;
  // An event flow has a steady rate to size for; a bulk snapshot runs at whatever the shards allow.
  const sizing = !flow ? '' : flow.kind === 'events' ? `, needs ${shardsNeeded(flow)}` : `, ${Math.round(bulkSnapshotWriteSeconds(workload, stream.shards) / 6) / 10} min per snapshot`;
  const retention = retentionUsd > 0 ? `, ${stream.retentionHours} h retention $${money(retentionUsd)}` : '';
  return {
    usd: stream.shards * HOURS_PER_MONTH * prices.kinesis.provisionedShardHour + (putUnits / 1e6) * prices.kinesis.provisionedPutPayloadUnitsPerMillion + retentionUsd,
    detail: `${stream.name}: ${stream.shards} shards${sizing}${retention}`,
  };
}

/** Objects Firehose puts in a month for a flow: one per buffer, and one more for the source backup. */
const deliveredObjects = (flow: Flow, delivery: DeliveryStreamFacts) => ((flow.activeMinutes * 60) / delivery.bufferSeconds) * (delivery.backup ? 2 : 1);

/** Firehose's month for a flow: ingestion and conversion on the 5 KB-rounded volume, partitioning on the data and objects. */
function firehoseCost(flow: Flow, delivery: DeliveryStreamFacts, prices: PriceTable): { usd: number; detail: string } {
  const billedGb = roundedBytes(flow, prices.firehose.billingIncrementBytes) / GB;
  const dataGb = bytesOf(flow) / GB;
  const usd =
    billedGb * prices.firehose.ingestionPerGb +
    (delivery.formatConversion ? billedGb * prices.firehose.formatConversionPerGb : 0) +
    (delivery.dynamicPartitioning ? dataGb * prices.firehose.dynamicPartitioningPerGb + (deliveredObjects(flow, delivery) / 1000) * prices.firehose.dynamicPartitioningPerThousandObjects : 0);
  const features = [delivery.formatConversion ? 'Parquet' : 'NDJSON', ...(delivery.dynamicPartitioning ? ['partitioned'] : [])].join(', ');
  return { usd, detail: `${flow.kind}: ${(flow.kinesisRecords / 1e6).toFixed(2)} M records, ${billedGb.toFixed(1)} GB billed for ${dataGb.toFixed(1)} GB of data (${features})` };
}

/** The transform Lambda's month for a flow: at least one invocation per active minute or per MiB. */
function transformCost(flow: Flow, memoryGb: number, prices: PriceTable): { usd: number; invocations: number } {
  const invocations = Math.max(bytesOf(flow) / MiB, flow.activeMinutes);
  const seconds = (invocations * TRANSFORM_MS_FIXED + (bytesOf(flow) / MiB) * TRANSFORM_MS_PER_MB) / 1000;
  return { usd: (invocations / 1e6) * prices.lambda.requestsPerMillion + seconds * memoryGb * prices.lambda.gbSecondArm, invocations };
}

/**
 * A compaction's month (a configuration, not built): Athena reads each delivered NDJSON object once
 * (gzip) and writes Parquet, run by the daily versioned-SQL Glue job, which it keeps running longer.
 */
function compactionCost(flow: Flow, delivery: DeliveryStreamFacts, compaction: NonNullable<DeliveryStreamFacts['compaction']>, facts: DeploymentFacts, prices: PriceTable): { usd: number; stagedGbMonths: number; detail: string } {
  const runs = compaction.runsPerDay * DAYS_PER_MONTH;
  const stagedGb = (bytesOf(flow) / GB) * GZIP_RATIO;
  const scannedTb = Math.max(stagedGb / runs, prices.athena.minimumBytesPerQuery / GB) * runs / 1024;
  const jobDpuHours = facts.glueJobCapacityDpu * runs * (COMPACTION_JOB_MINUTES / 60);
  const gets = (flow.activeMinutes * 60) / delivery.bufferSeconds;
  const puts = runs * COMPACTION_OBJECTS_PER_RUN;
  return {
    usd: scannedTb * prices.athena.perTbScanned + jobDpuHours * prices.glue.dpuHour + (gets / 1000) * prices.s3.getPerThousand + (puts / 1000) * prices.s3.putPerThousand,
    stagedGbMonths: stagedGb * (compaction.stagingDays / DAYS_PER_MONTH),
    detail: `${flow.kind}: ${runs.toFixed(0)} Athena INSERTs scanning ${stagedGb.toFixed(1)} GB of gzip NDJSON, ${Math.round(gets).toLocaleString('en')} objects read`,
  };
}

/** The monthly estimate of a deployment (from its synthesized stacks, or a configuration of them) under a workload. */
export function estimateMonthlyCost(facts: DeploymentFacts, workload: Workload, prices: PriceTable): CostEstimate {
  const delivery = bulkDelivery(facts);
  const events = eventFlow(workload);
  const bulk = bulkFlow(workload, bulkWriteShards(facts));
  const streamed = [events, ...(delivery === 'stream' ? [bulk] : [])].filter((f) => f.dataRecords > 0);
  const streamOf = (flow: Flow) => facts.streams.find((s) => (flow.kind === 'events' ? isEvents(s.name) : !isEvents(s.name)));
  const deliveryOf = (flow: Flow) => facts.deliveryStreams.find((d) => (flow.kind === 'events' ? isEvents(d.name) : !isEvents(d.name)));
  const months = workload.retentionMonths;
  const standardMonths = (days: number) => Math.min(months, days > 0 ? days / DAYS_PER_MONTH : months);

  const lines: CostLine[] = [];
  const add = (service: string, monthlyUsd: number, detail: string) => lines.push({ service, monthlyUsd: money(monthlyUsd), detail });
  const pathUsd = { events: 0, bulk: 0 };
  const pathS3Usd = { events: 0, bulk: 0 };

  // Kinesis: every deployed stream costs its hours; data costs follow the mode. A stream counts towards
  // the path whose flow it carries (the bulk stream of a direct data file carries none of the rows).
  let kinesis = 0;
  const kinesisDetail: string[] = [];
  for (const stream of facts.streams) {
    const flow = streamed.find((f) => streamOf(f) === stream);
    const cost = streamCost(stream, flow, workload, prices);
    kinesis += cost.usd;
    if (flow) pathUsd[flow.kind] += cost.usd;
    kinesisDetail.push(cost.detail);
  }
  add('Kinesis Data Streams', kinesis, kinesisDetail.join('; '));

  // Firehose, the transform Lambda and any compaction, per streamed flow with a delivery stream.
  let firehose = 0;
  let lambdaUsd = 0;
  let invocations = 0;
  let compaction = 0;
  let stagedGbMonths = 0;
  const firehoseDetail: string[] = [];
  const compactionDetail: string[] = [];
  const memoryGb = (facts.lambdas.find((l) => l.name.includes('transform'))?.memoryMb ?? 1024) / 1024;
  for (const flow of streamed) {
    const deliveryStream = deliveryOf(flow);
    if (!deliveryStream) continue;
    const fire = firehoseCost(flow, deliveryStream, prices);
    const transform = transformCost(flow, memoryGb, prices);
    firehose += fire.usd;
    lambdaUsd += transform.usd;
    invocations += transform.invocations;
    pathUsd[flow.kind] += fire.usd + transform.usd;
    firehoseDetail.push(fire.detail);
    if (deliveryStream.compaction) {
      const compacted = compactionCost(flow, deliveryStream, deliveryStream.compaction, facts, prices);
      compaction += compacted.usd;
      stagedGbMonths += compacted.stagedGbMonths;
      pathUsd[flow.kind] += compacted.usd;
      pathS3Usd[flow.kind] += compacted.stagedGbMonths * prices.s3.standardGbMonth;
      compactionDetail.push(compacted.detail);
    }
  }
  const used = streamed.flatMap((f) => deliveryOf(f) ?? []);
  const features = ['ingestion', ...(used.some((d) => d.formatConversion) ? ['Parquet conversion'] : []), ...(used.some((d) => d.dynamicPartitioning) ? ['dynamic partitioning'] : [])];
  add(`Firehose (${features.join(', ')})`, firehose, firehoseDetail.join('; ') || 'no streamed records');
  add('Lambda transform', lambdaUsd, `${Math.round(invocations).toLocaleString('en')} invocations of ${Math.round(memoryGb * 1024)} MB (arm64)`);
  if (compactionDetail.length > 0) add('Compaction (Athena INSERT in the daily Glue job)', compaction, compactionDetail.join('; '));

  const apiRequests = streamed.reduce((sum, f) => sum + f.apiRequests, 0);
  const apiUsd = (apiRequests / 1e6) * prices.apiGateway.restRequestsPerMillion;
  pathUsd.events += apiUsd;
  add('API Gateway (REST)', apiUsd, `${(apiRequests / 1e6).toFixed(1)} M requests`);

  // S3 at steady state (the retention window full), with the lifecycle rules deployed, and its requests.
  let standardGb = stagedGbMonths;
  let glacierGb = 0;
  let putRequests = 0;
  const s3Usd = (standard: number, glacier: number, puts: number) => standard * prices.s3.standardGbMonth + glacier * prices.s3.glacierFlexibleGbMonth + (puts / 1000) * prices.s3.putPerThousand;
  for (const flow of streamed) {
    const curated = (bytesOf(flow) / GB) * PARQUET_RATIO * months;
    const backup = (bytesOf(flow) / GB) * GZIP_RATIO;
    const standard = curated + backup * standardMonths(facts.lifecycle.rawDataToGlacierDays);
    const glacier = backup * (months - standardMonths(facts.lifecycle.rawDataToGlacierDays));
    const deliveryStream = deliveryOf(flow);
    const puts = deliveryStream ? deliveredObjects(flow, deliveryStream) : 0;
    standardGb += standard;
    glacierGb += glacier;
    putRequests += puts;
    pathS3Usd[flow.kind] += s3Usd(standard, glacier, puts);
  }
  // The collector archives every vendor file to raw/ and curates the metadata files, whatever the data file's delivery.
  const snapshotsPerMonth = workload.bulk.snapshotsPerDay * DAYS_PER_MONTH;
  const rawVendorGb = (snapshotsPerMonth * workload.bulk.rowsPerSnapshot * workload.bulk.csvBytesPerRow * workload.bulk.compressedRatio) / GB;
  const rawStandard = rawVendorGb * standardMonths(facts.lifecycle.rawToGlacierDays);
  const rawGlacier = rawVendorGb * (months - standardMonths(facts.lifecycle.rawToGlacierDays));
  const collectorPuts = snapshotsPerMonth * collectorPutsPerSnapshot(workload) + (delivery === 'direct' ? snapshotsPerMonth * directPartsPerSnapshot(workload) : 0);
  const directGb = delivery === 'direct' ? ((snapshotsPerMonth * directParquetBytesPerSnapshot(workload)) / GB) * months : 0;
  standardGb += rawStandard + directGb;
  glacierGb += rawGlacier;
  putRequests += collectorPuts;
  if (bulk.dataRecords > 0) pathS3Usd.bulk += s3Usd(rawStandard + directGb, rawGlacier, collectorPuts);
  add('S3 (storage at steady state, requests)', s3Usd(standardGb, glacierGb, putRequests), `${standardGb.toFixed(0)} GB Standard, ${glacierGb.toFixed(0)} GB Glacier after ${months} months; ${Math.round(putRequests).toLocaleString('en')} PUTs a month`);

  const scannedTb = (workload.queries.perDay * DAYS_PER_MONTH * Math.max(workload.queries.bytesScannedPerQuery, prices.athena.minimumBytesPerQuery)) / 1024 ** 4;
  add('Athena', scannedTb * prices.athena.perTbScanned, `${scannedTb.toFixed(2)} TB scanned`);

  const crawlerDpuHours = facts.crawlers * DAYS_PER_MONTH * 2 * (prices.glue.crawlerMinimumMinutes / 60);
  const jobDpuHours = facts.glueJobCapacityDpu * DAYS_PER_MONTH * (5 / 60);
  add('Glue (crawler, versioned-SQL job)', (crawlerDpuHours + jobDpuHours) * prices.glue.dpuHour, `${facts.crawlers} crawler(s) daily, SQL job daily`);

  // The volume is deleted with the instance, so both are billed only for the hours it runs.
  const ec2 = facts.instances.reduce((sum, i) => {
    const runningFraction = i.hoursPerDay / 24;
    return sum + instanceHourPrice(prices, i.type) * HOURS_PER_MONTH * runningFraction + i.volumeGb * prices.ec2.gp3GbMonth * runningFraction;
  }, 0);
  add('EC2 collector (instance + gp3)', ec2, facts.instances.map((i) => `${i.type} + ${i.volumeGb} GB, ${round1(i.hoursPerDay)} h/day`).join(', '));

  // The vendor download goes through the NAT. The collector's Kinesis bytes take the kinesis-streams
  // endpoint when there is one, the NAT otherwise; its S3 bytes (raw archive, direct parts) the S3
  // gateway endpoint when there is one (free), the NAT otherwise.
  const collectorKinesisGb = streamed.filter((f) => f.kind === 'bulk').reduce((sum, f) => sum + bytesOf(f) / GB, 0);
  const collectorS3Gb = rawVendorGb + (delivery === 'direct' ? (snapshotsPerMonth * directParquetBytesPerSnapshot(workload)) / GB : 0);
  const kinesisEndpoint = facts.interfaceEndpoints.some((e) => e.service === 'kinesis-streams');
  const endpointAzs = facts.interfaceEndpoints.reduce((sum, e) => sum + e.azs, 0);
  const natGb = rawVendorGb + (kinesisEndpoint ? 0 : collectorKinesisGb) + (facts.s3GatewayEndpoint ? 0 : collectorS3Gb);
  add(
    'VPC (NAT, interface endpoints)',
    facts.natGateways * HOURS_PER_MONTH * prices.vpc.natGatewayHour +
      (facts.natGateways > 0 ? natGb * prices.vpc.natPerGb : 0) +
      endpointAzs * HOURS_PER_MONTH * prices.vpc.interfaceEndpointHourPerAz +
      (kinesisEndpoint ? collectorKinesisGb * prices.vpc.interfaceEndpointPerGb : 0),
    `${facts.natGateways} NAT (${natGb.toFixed(0)} GB), ${facts.interfaceEndpoints.length} interface endpoint(s) in ${endpointAzs} endpoint-AZ(s)` +
      (facts.interfaceEndpoints.length > 0 ? ` (${facts.interfaceEndpoints.map((e) => `${e.service} × ${e.azs}`).join(', ')})` : ''),
  );

  const logsGb = (invocations * 2_048) / GB;
  add('CloudWatch (alarms, dashboard, logs)', facts.alarms * prices.cloudwatch.alarmMonth + facts.dashboards * prices.cloudwatch.dashboardMonth + logsGb * prices.cloudwatch.logsIngestPerGb, `${facts.alarms} alarms`);
  add('KMS', facts.kmsKeys * prices.kms.keyMonth, `${facts.kmsKeys} key(s)`);

  const monthlyUsd = money(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));
  const recordsPerMonth = events.dataRecords + bulk.dataRecords;
  const path = (name: string, kind: Flow['kind'], records: number): PathCost => ({
    path: name,
    records,
    usd: money(pathUsd[kind]),
    usdPerMillion: perMillion(pathUsd[kind], records),
    s3Usd: money(pathS3Usd[kind]),
    s3UsdPerMillion: perMillion(pathS3Usd[kind], records),
  });
  return {
    workload: workload.name,
    environment: facts.environment,
    priceVersion: prices.version,
    region: prices.region,
    lines,
    monthlyUsd,
    recordsPerMonth,
    usdPerMillionRecords: perMillion(monthlyUsd, recordsPerMonth),
    paths: [
      ...(events.dataRecords > 0 ? [path(`events (${workload.events.producer})`, 'events', events.dataRecords)] : []),
      ...(bulk.dataRecords > 0 ? [path(`bulk data file (${delivery})`, 'bulk', bulk.dataRecords)] : []),
    ],
    assumptions: assumptionsOf(facts, workload, prices, { delivery, streamed, used }),
  };
}

/** The assumptions an estimate rests on: only those that apply to these facts and this workload. */
function assumptionsOf(facts: DeploymentFacts, workload: Workload, prices: PriceTable, priced: { delivery: BulkDelivery; streamed: Flow[]; used: DeliveryStreamFacts[] }): string[] {
  const { delivery, streamed, used } = priced;
  const converting = used.some((d) => d.formatConversion);
  const bulkRows = workload.bulk.snapshotsPerDay * workload.bulk.rowsPerSnapshot > 0;
  const bulkDataFile = facts.bulkDataFiles.find((f) => f.stream === facts.streams.find((s) => !isEvents(s.name))?.name);
  const extended = facts.streams.filter((s) => s.mode === 'PROVISIONED' && s.retentionHours > INCLUDED_RETENTION_HOURS);
  const compactions = used.filter((d) => d.compaction);
  const sourced = (entry: string) => (prices.entries[entry] ? ` (${prices.entries[entry].source}, recorded ${prices.entries[entry].recorded})` : '');
  return [
    `${HOURS_PER_MONTH} hours per month; first pricing tier; prices ${prices.version} for ${prices.region} (${prices.note})`,
    ...(facts.configuration ? [`configuration "${facts.configuration.name}" priced on the synthesized ${facts.environment} stacks, not built: ${facts.configuration.description}`] : []),
    ...(streamed.length > 0
      ? [
          `Firehose bills ingestion${converting ? ', and format conversion,' : ''} per record rounded up to ${prices.firehose.billingIncrementBytes} bytes`,
          `curated Parquet of a streamed flow (${compactions.length > 0 ? "Firehose's or a compaction's" : "Firehose's"}) = ${PARQUET_RATIO} × the NDJSON size; gzip (source backup${compactions.length > 0 ? ', staged NDJSON' : ''}) = ${GZIP_RATIO} ×`,
          `transform: ${TRANSFORM_MS_FIXED} ms + ${TRANSFORM_MS_PER_MB} ms per MB, ≥ 1 invocation per active minute`,
        ]
      : []),
    ...(facts.streams.some((s) => s.mode === 'ON_DEMAND') ? ['Kinesis on-demand bills each record rounded up to 1 KB; its retention beyond 24 h is not priced'] : []),
    ...(extended.length > 0
      ? [`retention beyond 24 h of a provisioned stream (${extended.map((s) => `${s.name} ${s.retentionHours} h`).join(', ')}) billed per shard-hour at $${prices.kinesis.provisionedExtendedRetentionShardHour}${sourced('kinesis.provisionedExtendedRetentionShardHour')}`]
      : []),
    ...(bulkRows && delivery === 'stream'
      ? [
          `bulk data file: stream${bulkDataFile ? (bulkDataFile.configured ? ' (set by the configuration)' : ` (the collector role may not write curated/dataset=${bulkDataFile.dataset}/)`) : ''}; rows on the wire: ${bulkPacking(workload.bulk).wire} bytes (positional pack entry)`,
          `provisioned streams priced at their synthesized shard count; shards the scaler adds during a snapshot are not (each extra shard-hour $${prices.kinesis.provisionedShardHour})`,
        ]
      : []),
    ...(bulkRows && delivery === 'direct'
      ? [
          `bulk data file: direct (decision 0018: ${bulkDataFile?.configured ? 'set by the configuration' : `the collector role may write curated/dataset=${bulkDataFile?.dataset}/`}): its rows take no Kinesis, Firehose or transform; the bulk stream keeps its shard-hours (JSON API records, the stream option) and the scaler has no snapshot to add shards for`,
          `direct parts: one Parquet object per ${DEFAULT_DIRECT_PART_ROWS.toLocaleString('en')} rows (the collector's default part size; one dt per daily snapshot), Parquet = ${DIRECT_PARQUET_RATIO} × the CSV (measured); kept as long as the curated tables`,
          `direct path time (model): ${DIRECT_BULK_ROWS_PER_SECOND.toLocaleString('en')} rows/s from download end to the last part (measured on a loaded 2-core machine), parts put one after another at ${S3_PUT_BYTES_PER_SECOND / MiB} MiB/s`,
        ]
      : []),
    ...(bulkRows
      ? [
          `collector S3 requests per snapshot: the data file's raw archive in ${RAW_ARCHIVE_PART_BYTES / MiB} MiB multipart parts, ${workload.bulk.metadataFilesPerSnapshot} metadata files archived and curated (one object each; their bytes are not priced); its state objects are not counted`,
        ]
      : []),
    ...(compactions.length > 0
      ? [
          `compaction: an Athena INSERT reads the staged gzip NDJSON once per run and writes ≤ ${COMPACTION_OBJECTS_PER_RUN} Parquet objects; it runs in the daily versioned-SQL Glue job (${facts.glueJobCapacityDpu} DPU), adding ≤ ${COMPACTION_JOB_MINUTES} minutes per run; staged NDJSON kept ${compactions.map((d) => d.compaction!.stagingDays).join('/')} days`,
        ]
      : []),
    `collector instance and its gp3 volume billed only while the Auto Scaling group runs it (scheduled actions; the volume is deleted on termination)`,
    `NAT at $${prices.vpc.natPerGb}/GB: the vendor download, the collector's Kinesis bytes without a kinesis-streams endpoint, its S3 bytes without an S3 gateway endpoint (${facts.s3GatewayEndpoint ? 'there is one' : 'there is none'}); its SSM and CloudWatch calls (a few MB a day) are not counted`,
  ];
}

/** Write capacity of the bulk stream in shards; on-demand streams start at 4 MiB/s and 4,000 records/s. */
function bulkWriteShards(facts: DeploymentFacts): number {
  const bulkStream = facts.streams.find((s) => !isEvents(s.name));
  return bulkStream?.mode === 'PROVISIONED' ? bulkStream.shards : 4;
}

/** Capacity view of a workload: shards, Lambda concurrency, and the time a bulk snapshot takes on its delivery path. */
export function capacity(facts: DeploymentFacts, workload: Workload): Record<string, string | number> {
  const events = eventFlow(workload);
  const bulk = bulkFlow(workload);
  const delivery = bulkDelivery(facts);
  const writeShards = bulkWriteShards(facts);
  const minutes = (seconds: number) => (bulk.dataRecords > 0 ? round1(seconds / 60) : 0);
  return {
    'event shards needed (≤ 75 %)': shardsNeeded(events),
    'event Lambda concurrency': Math.max(1, Math.ceil(((bytesOf(events) / SECONDS_PER_MONTH / MiB) * (TRANSFORM_MS_PER_MB + TRANSFORM_MS_FIXED)) / 1000)),
    'collector instance': facts.instances[0]?.type ?? 'none',
    'bulk data file delivery': delivery,
    'bulk snapshot: parse minutes': round1(workload.bulk.rowsPerSnapshot / COLLECTOR_ROWS_PER_SECOND / 60),
    ...(delivery === 'stream'
      ? { [`bulk snapshot: Kinesis minutes at ${writeShards} shard(s) of write capacity`]: minutes(bulkSnapshotWriteSeconds(workload, writeShards)) }
      : { 'bulk snapshot, direct path (decision 0018): download end → queryable minutes (model)': minutes(directBulkQueryableSeconds(workload)) }),
    'collector instance hours per day': round1(facts.instances[0]?.hoursPerDay ?? 0),
  };
}
