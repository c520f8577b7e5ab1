import { BULK_DELIVERIES } from '@ingest-lake/shared';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A dated, versioned price table for one region (infra/cost/prices/*.json). */
export const priceTableSchema = z.object({
  version: z.string(),
  region: z.string(),
  currency: z.literal('USD'),
  note: z.string(),
  /** Where each entry added after the version date comes from: the entry's path (`kinesis.…`), the day it was recorded and its source. */
  entries: z.record(z.string(), z.object({ recorded: z.string(), source: z.string() })).default({}),
  kinesis: z.object({
    onDemandStreamHour: z.number(),
    onDemandIngestPerGb: z.number(),
    onDemandRetrievalPerGb: z.number(),
    provisionedShardHour: z.number(),
    provisionedPutPayloadUnitsPerMillion: z.number(),
    /** Retention beyond 24 h (up to 7 days) of a provisioned stream, per shard-hour. */
    provisionedExtendedRetentionShardHour: z.number(),
  }),
  firehose: z.object({
    ingestionPerGb: z.number(),
    billingIncrementBytes: z.number().int(),
    formatConversionPerGb: z.number(),
    dynamicPartitioningPerGb: z.number(),
    dynamicPartitioningPerThousandObjects: z.number(),
  }),
  lambda: z.object({ requestsPerMillion: z.number(), gbSecondArm: z.number() }),
  apiGateway: z.object({ restRequestsPerMillion: z.number() }),
  s3: z.object({
    standardGbMonth: z.number(),
    glacierFlexibleGbMonth: z.number(),
    putPerThousand: z.number(),
    getPerThousand: z.number(),
    transitionToGlacierPerThousand: z.number(),
  }),
  athena: z.object({ perTbScanned: z.number(), minimumBytesPerQuery: z.number() }),
  glue: z.object({ dpuHour: z.number(), crawlerMinimumMinutes: z.number() }),
  ec2: z.object({ instanceHour: z.record(z.string(), z.number()), gp3GbMonth: z.number() }),
  vpc: z.object({ natGatewayHour: z.number(), natPerGb: z.number(), interfaceEndpointHourPerAz: z.number(), interfaceEndpointPerGb: z.number() }),
  cloudwatch: z.object({ alarmMonth: z.number(), dashboardMonth: z.number(), logsIngestPerGb: z.number() }),
  kms: z.object({ keyMonth: z.number() }),
});
export type PriceTable = z.infer<typeof priceTableSchema>;

/** What the pipeline carries in a month. */
export const workloadSchema = z.object({
  name: z.string(),
  events: z.object({
    perSecond: z.number().min(0),
    averageBytes: z.number().int().positive(),
    /** api-single: one request and one Kinesis record per event (`POST /v1`); api-batch: POST /v1/batch; sdk-packed: producers pack ≤ 5,000-byte records. */
    producer: z.enum(['api-single', 'api-batch', 'sdk-packed']),
    eventsPerRequest: z.number().int().min(1).max(500).default(1),
    /** sdk-packed: the producers' pack target (decision 0003). @default 5000 */
    packTargetBytes: z.number().int().min(256).max(1_000_000).default(5_000),
  }),
  bulk: z.object({
    snapshotsPerDay: z.number().min(0),
    rowsPerSnapshot: z.number().int().min(0),
    csvBytesPerRow: z.number().positive(),
    /** gzip size ÷ CSV size of the vendor files. */
    compressedRatio: z.number().positive().max(1),
    /** Bytes per row on the wire (positional pack entry); ~245 measured for app_market_daily. @default 1.4 × csvBytesPerRow */
    wireBytesPerRow: z.number().positive().optional(),
    /** 0 = one row per Kinesis record. @default 5000 */
    packTargetBytes: z.number().int().min(0).default(5_000),
    /** Metadata files beside the data file, each archived to raw/ and curated by the collector (decision 0012). @default 12 (app_market) */
    metadataFilesPerSnapshot: z.number().int().min(0).max(12).default(12),
  }),
  queries: z.object({ perDay: z.number().min(0), bytesScannedPerQuery: z.number().min(0) }),
  retentionMonths: z.number().int().min(1),
});
export type Workload = z.infer<typeof workloadSchema>;

/**
 * A configuration that is not built, priced on top of the synthesized stacks (`--configuration`):
 * what would change on the events path or for the bulk data file. Anything it does not name stays as synthesized.
 */
export const configurationSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    /** The bulk data file's delivery, as if every shipped manifest said so (decision 0018). */
    bulk: z.object({ dataFileDelivery: z.enum(BULK_DELIVERIES) }).optional(),
    events: z
      .object({
      /** `kinesis`: as built. `direct-put`: producers call Firehose PutRecordBatch and the events stream goes. @default kinesis */
      source: z.enum(['kinesis', 'direct-put']).default('kinesis'),
      /** The events stream's retention; beyond 24 h it is billed per shard-hour. */
      streamRetentionHours: z.number().int().min(24).max(8_760).optional(),
      /** Firehose's conversion of the transform's NDJSON to Parquet. */
      formatConversion: z.boolean().optional(),
      /** Firehose's partitioning by the transform's `dataset`/`dt` keys. */
      dynamicPartitioning: z.boolean().optional(),
      /** A scheduled Athena INSERT that turns the delivered NDJSON into curated Parquet; required without Firehose's conversion. */
      compaction: z.object({ runsPerDay: z.number().int().min(1).max(24).default(1), stagingDays: z.number().int().min(1).default(7) }).optional(),
      })
      .default({ source: 'kinesis' }),
  })
  .superRefine((configuration, context) => {
    const { formatConversion, compaction } = configuration.events;
    if (formatConversion === false && !compaction) context.addIssue({ code: 'custom', path: ['events', 'compaction'], message: 'required when formatConversion is false: nothing else writes the curated Parquet' });
    if (formatConversion !== false && compaction) context.addIssue({ code: 'custom', path: ['events', 'compaction'], message: 'only with formatConversion: false (Firehose already writes Parquet)' });
  });
export type Configuration = z.infer<typeof configurationSchema>;

export function loadJson<T>(file: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
