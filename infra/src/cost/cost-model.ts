import type { PriceTable, Workload } from './cost-inputs';
import type { DeploymentFacts } from './deployment-facts';

/** One line of the estimate. */
export interface CostLine {
  service: string;
  monthlyUsd: number;
  detail: string;
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
/** Assumed sizes relative to the curated NDJSON: Parquet (columnar, Snappy) and the gzip source backup. */
const PARQUET_RATIO = 0.2;
const BACKUP_GZIP_RATIO = 0.3;
/** Collector parse rate measured on this project's standard machine (docs/benchmarks.md). */
const COLLECTOR_ROWS_PER_SECOND = 1_060_000;
/**
 * The direct bulk path's rate from the end of the download to the last part in the lake (parse,
 * validate, write Parquet, put the parts), measured by `tests/bench/e2e/bulk-to-query-bench.ts` for the
 * 2 M-row file on this project's 2-core machine under load (docs/benchmarks.md, decision 0018).
 */
export const DIRECT_BULK_ROWS_PER_SECOND = 12_000;
/** Curated Parquet bytes per CSV byte of app_market_daily as the collector writes it (measured: 67 bytes per 191-byte row; the unique lineage strings dominate). */
const DIRECT_PARQUET_RATIO = 0.35;
/** Assumed PutObject rate of one stream from the collector instance to S3 in its region; the parts are put one after another. */
const S3_PUT_BYTES_PER_SECOND = 50 * MiB;

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
    const perPack = Math.max(1, Math.floor(5_000 / (bytes + PACK_ENTRY_OVERHEAD_BYTES)));
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

/**
 * Model figure, not a measurement: seconds from the end of a snapshot's download to its rows being
 * queryable in Athena with the direct bulk path (decision 0018). The collector curates at the rate
 * measured locally and puts each part before it goes on; the Glue table's partition projection finds
 * the new `dt` without a crawler or MSCK, so the last part's upload is the end.
 */
export function directBulkQueryableSeconds(workload: Workload): number {
  const b = workload.bulk;
  return b.rowsPerSnapshot / DIRECT_BULK_ROWS_PER_SECOND + (b.rowsPerSnapshot * b.csvBytesPerRow * DIRECT_PARQUET_RATIO) / S3_PUT_BYTES_PER_SECOND;
}

const bytesOf = (flow: Flow) => flow.kinesisRecords * flow.bytesPerKinesisRecord;
/** Bytes billed when every record is rounded up to `increment`. */
const roundedBytes = (flow: Flow, increment: number) => flow.kinesisRecords * Math.ceil(flow.bytesPerKinesisRecord / increment) * increment;
const money = (n: number) => Math.round(n * 100) / 100;
const round1 = (n: number) => Math.round(n * 10) / 10;

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

/** The monthly estimate of a deployment (from its synthesized stacks) under a workload. */
export function estimateMonthlyCost(facts: DeploymentFacts, workload: Workload, prices: PriceTable): CostEstimate {
  const flows = [eventFlow(workload), bulkFlow(workload, bulkWriteShards(facts))].filter((f) => f.dataRecords > 0);
  const lines: CostLine[] = [];
  const add = (service: string, monthlyUsd: number, detail: string) => lines.push({ service, monthlyUsd: money(monthlyUsd), detail });
  const streamFor = (flow: Flow) => facts.streams.find((s) => (flow.kind === 'events' ? s.name.endsWith('-events') : !s.name.endsWith('-events')));

  // Kinesis: every deployed stream costs its hours; data costs follow the mode.
  let kinesis = 0;
  const kinesisDetail: string[] = [];
  for (const stream of facts.streams) {
    const flow = flows.find((f) => streamFor(f) === stream);
    if (stream.mode === 'ON_DEMAND') {
      const ingestGb = flow ? roundedBytes(flow, 1024) / GB : 0;
      const readGb = flow ? bytesOf(flow) / GB : 0;
      kinesis += HOURS_PER_MONTH * prices.kinesis.onDemandStreamHour + ingestGb * prices.kinesis.onDemandIngestPerGb + readGb * prices.kinesis.onDemandRetrievalPerGb;
      kinesisDetail.push(`${stream.name}: on-demand, ${ingestGb.toFixed(1)} GB in`);
    } else {
      const putUnits = flow ? flow.kinesisRecords * Math.ceil(flow.bytesPerKinesisRecord / 25_600) : 0;
      kinesis += stream.shards * HOURS_PER_MONTH * prices.kinesis.provisionedShardHour + (putUnits / 1e6) * prices.kinesis.provisionedPutPayloadUnitsPerMillion;
      // An event flow has a steady rate to size for; a bulk snapshot runs at whatever the shards allow.
      const sizing = !flow ? '' : flow.kind === 'events' ? `, needs ${shardsNeeded(flow)}` : `, ${Math.round(bulkSnapshotWriteSeconds(workload, stream.shards) / 6) / 10} min per snapshot`;
      kinesisDetail.push(`${stream.name}: ${stream.shards} shards${sizing}`);
    }
  }
  add('Kinesis Data Streams', kinesis, kinesisDetail.join('; '));

  // Firehose and the transform Lambda, per flow with a delivery stream.
  let firehose = 0;
  let lambdaUsd = 0;
  let invocations = 0;
  const firehoseDetail: string[] = [];
  const delivery = facts.deliveryStreams[0];
  const memoryGb = (facts.lambdas.find((l) => l.name.includes('transform'))?.memoryMb ?? 1024) / 1024;
  for (const flow of flows) {
    const billedGb = roundedBytes(flow, prices.firehose.billingIncrementBytes) / GB;
    const dataGb = bytesOf(flow) / GB;
    const bufferSeconds = delivery?.bufferSeconds ?? 60;
    const objects = ((flow.activeMinutes * 60) / bufferSeconds) * (delivery?.backup ? 2 : 1);
    firehose +=
      billedGb * prices.firehose.ingestionPerGb +
      (delivery?.formatConversion ? billedGb * prices.firehose.formatConversionPerGb : 0) +
      (delivery?.dynamicPartitioning ? dataGb * prices.firehose.dynamicPartitioningPerGb + (objects / 1000) * prices.firehose.dynamicPartitioningPerThousandObjects : 0);
    firehoseDetail.push(`${flow.kind}: ${(flow.kinesisRecords / 1e6).toFixed(2)} M records, ${billedGb.toFixed(1)} GB billed for ${dataGb.toFixed(1)} GB of data`);
    const flowInvocations = Math.max(bytesOf(flow) / MiB, flow.activeMinutes);
    const seconds = (flowInvocations * TRANSFORM_MS_FIXED + (bytesOf(flow) / MiB) * TRANSFORM_MS_PER_MB) / 1000;
    invocations += flowInvocations;
    lambdaUsd += (flowInvocations / 1e6) * prices.lambda.requestsPerMillion + seconds * memoryGb * prices.lambda.gbSecondArm;
  }
  add('Firehose (ingestion, Parquet conversion, dynamic partitioning)', firehose, firehoseDetail.join('; '));
  add('Lambda transform', lambdaUsd, `${Math.round(invocations).toLocaleString('en')} invocations of ${Math.round(memoryGb * 1024)} MB (arm64)`);

  const apiRequests = flows.reduce((sum, f) => sum + f.apiRequests, 0);
  add('API Gateway (REST)', (apiRequests / 1e6) * prices.apiGateway.restRequestsPerMillion, `${(apiRequests / 1e6).toFixed(1)} M requests`);

  // S3 storage at steady state (the retention window full), with the lifecycle rules deployed.
  const months = workload.retentionMonths;
  const standardMonths = (days: number) => Math.min(months, days > 0 ? days / DAYS_PER_MONTH : months);
  let storageStandardGb = 0;
  let storageGlacierGb = 0;
  for (const flow of flows) {
    const curated = (bytesOf(flow) / GB) * PARQUET_RATIO;
    const backup = (bytesOf(flow) / GB) * BACKUP_GZIP_RATIO;
    storageStandardGb += curated * months + backup * standardMonths(facts.lifecycle.rawDataToGlacierDays);
    storageGlacierGb += backup * (months - standardMonths(facts.lifecycle.rawDataToGlacierDays));
  }
  const rawVendorGb = (workload.bulk.snapshotsPerDay * workload.bulk.rowsPerSnapshot * workload.bulk.csvBytesPerRow * workload.bulk.compressedRatio * DAYS_PER_MONTH) / GB;
  storageStandardGb += rawVendorGb * standardMonths(facts.lifecycle.rawToGlacierDays);
  storageGlacierGb += rawVendorGb * (months - standardMonths(facts.lifecycle.rawToGlacierDays));
  const putRequests = flows.reduce((sum, f) => sum + ((f.activeMinutes * 60) / (delivery?.bufferSeconds ?? 60)) * 2, 0);
  add(
    'S3 (storage at steady state, requests)',
    storageStandardGb * prices.s3.standardGbMonth + storageGlacierGb * prices.s3.glacierFlexibleGbMonth + (putRequests / 1000) * prices.s3.putPerThousand,
    `${storageStandardGb.toFixed(0)} GB Standard, ${storageGlacierGb.toFixed(0)} GB Glacier after ${months} months`,
  );

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

  // The collector's Kinesis bytes take the kinesis-streams endpoint when there is one, the NAT otherwise;
  // its other AWS calls (SSM, CloudWatch metrics) are a few MB a day either way.
  const vendorGb = rawVendorGb;
  const collectorKinesisGb = flows.filter((f) => f.kind === 'bulk').reduce((sum, f) => sum + bytesOf(f) / GB, 0);
  const kinesisEndpoint = facts.interfaceEndpoints.some((e) => e.service === 'kinesis-streams');
  const endpointAzs = facts.interfaceEndpoints.reduce((sum, e) => sum + e.azs, 0);
  const natGb = vendorGb + (kinesisEndpoint ? 0 : collectorKinesisGb);
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
  const recordsPerMonth = flows.reduce((sum, f) => sum + f.dataRecords, 0);
  return {
    workload: workload.name,
    environment: facts.environment,
    priceVersion: prices.version,
    region: prices.region,
    lines,
    monthlyUsd,
    recordsPerMonth,
    usdPerMillionRecords: recordsPerMonth > 0 ? Math.round((monthlyUsd / (recordsPerMonth / 1e6)) * 10_000) / 10_000 : 0,
    assumptions: [
      `${HOURS_PER_MONTH} hours per month; first pricing tier; prices ${prices.version} for ${prices.region} (${prices.note})`,
      `Firehose bills each record rounded up to ${prices.firehose.billingIncrementBytes} bytes; format conversion is charged on the same billed volume (conservative)`,
      `Kinesis on-demand bills each record rounded up to 1 KB`,
      `curated Parquet = ${PARQUET_RATIO} × the NDJSON size; source backup gzip = ${BACKUP_GZIP_RATIO} ×`,
      `transform: ${TRANSFORM_MS_FIXED} ms + ${TRANSFORM_MS_PER_MB} ms per MB, ≥ 1 invocation per active minute`,
      `bulk rows on the wire: ${bulkPacking(workload.bulk).wire} bytes (positional pack entry)`,
      `provisioned streams priced at their synthesized shard count; shards the scaler adds during a snapshot are not (each extra shard-hour $${prices.kinesis.provisionedShardHour})`,
      `collector instance and its gp3 volume billed only while the Auto Scaling group runs it (scheduled actions; the volume is deleted on termination)`,
      `direct bulk path (model): ${DIRECT_BULK_ROWS_PER_SECOND.toLocaleString('en')} rows/s from download end to the last part (measured on a loaded 2-core machine), Parquet = ${DIRECT_PARQUET_RATIO} × the CSV, parts put one after another at ${S3_PUT_BYTES_PER_SECOND / MiB} MiB/s; priced as the streaming path (the direct path's saving is in docs/cost.md)`,
      `AWS traffic without an interface endpoint goes through the NAT at $${prices.vpc.natPerGb}/GB; only the collector's Kinesis bytes are large enough to count`,
    ],
  };
}

/** Write capacity of the bulk stream in shards; on-demand streams start at 4 MiB/s and 4,000 records/s. */
function bulkWriteShards(facts: DeploymentFacts): number {
  const bulkStream = facts.streams.find((s) => !s.name.endsWith('-events'));
  return bulkStream?.mode === 'PROVISIONED' ? bulkStream.shards : 4;
}

/** Capacity view of a workload: shards, Lambda concurrency, and the time to ingest a bulk snapshot. */
export function capacity(facts: DeploymentFacts, workload: Workload): Record<string, string | number> {
  const events = eventFlow(workload);
  const bulk = bulkFlow(workload);
  const writeShards = bulkWriteShards(facts);
  const kinesisSeconds = bulk.dataRecords > 0 ? bulkSnapshotWriteSeconds(workload, writeShards) : 0;
  return {
    'event shards needed (≤ 75 %)': shardsNeeded(events),
    'event Lambda concurrency': Math.max(1, Math.ceil(((bytesOf(events) / SECONDS_PER_MONTH / MiB) * (TRANSFORM_MS_PER_MB + TRANSFORM_MS_FIXED)) / 1000)),
    'collector instance': facts.instances[0]?.type ?? 'none',
    'bulk snapshot: parse minutes': Math.round((workload.bulk.rowsPerSnapshot / COLLECTOR_ROWS_PER_SECOND / 60) * 10) / 10,
    [`bulk snapshot: Kinesis minutes at ${writeShards} shard(s) of write capacity`]: Math.round((kinesisSeconds / 60) * 10) / 10,
    'bulk snapshot, direct path (decision 0018): download end → queryable minutes (model)': bulk.dataRecords > 0 ? Math.round((directBulkQueryableSeconds(workload) / 60) * 10) / 10 : 0,
    'collector instance hours per day': round1(facts.instances[0]?.hoursPerDay ?? 0),
  };
}
