import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { sqlLiteral } from './duckdb-session';
import { COLLECTOR_QUARANTINE_PREFIX, COLLECTOR_STATE_PREFIX, streamedDatasets, vendorDatasets } from '@ingest-lake/shared';
import type { RunReport } from '@ingest-lake/collector';
import type { DeliveryManifest } from './delivery-writer';
import type { LakeCatalog } from './lake-catalog';
import { countLake, type LakeCounts } from './lake-report';
import { addCounts, emptyCounts, total, unexplainedRows, type RecordCounts } from './record-counts';

/** Records producers say they put on the streams, by source (known to the demo and the suites, not to the lake). */
export interface RecordsSent {
  /** Accepted by the ingest endpoint (API Gateway → Kinesis). */
  httpRequests: number;
  /** Sent by the collector (bulk rows and API records acknowledged by Kinesis). */
  collectorRows: number;
  /** Put on a stream by other producers (SDK clients, the AWS CLI). */
  otherProducers: number;
}

/**
 * The reconciliation of the whole lake: the shared record counts (records in from the delivery
 * manifests, curated and failed from the lake itself, drops from the manifests) and every check.
 */
export interface LakeReconciliation extends RecordCounts {
  deliveries: number;
  /** What the producers sent, when the caller knows it, and its total. */
  sent?: RecordsSent & { total: number };
  /** Records that entered (`sent.total` when known, else `recordsIn`) and are neither curated, failed nor dropped. */
  unexplained: number;
  /** Curated rows that repeat a dedup key (re-sends, replays): the *_deduplicated views count them once. */
  duplicatesRemoved: Record<string, number>;
  collectorRuns: Array<{ dataset: string; snapshot: string; file: string; rowsRead: number; rowsSent: number; rowsQuarantined: number; rowsBlank: number }>;
  /** Rows the collector quarantined, per its reports and per the quarantine files in errors/collector/. */
  collectorQuarantined: { reported: number; inLake: number };
  /** Every unexplained difference, in words. Empty = reconciled. */
  problems: string[];
  reconciled: boolean;
}

export interface ReconcileOptions {
  /** What the producers sent: checked against what the delivery streams received. */
  sent?: RecordsSent;
  /** The lake's counts, when the caller already took them (saves a pass over the lake). */
  counts?: LakeCounts;
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
}

/**
 * Reconciles the lake: every data record a delivery stream received is curated, in errors/ with a
 * reason, or a documented drop; what the delivery manifests say matches what the lake holds; what the
 * producers sent (when given) is what the delivery streams received; every collector file's rows
 * were sent, quarantined (and found in errors/collector/) or blank; and every metadata file's valid
 * rows are its snapshot's partition of the dimension table.
 */
export async function reconcileLake(s3: S3Client, bucket: string, catalog: LakeCatalog, options: ReconcileOptions = {}): Promise<LakeReconciliation> {
  const problems: string[] = [];
  const manifests = await Promise.all(
    (await listKeys(s3, bucket, 'state/firehose/')).map(async (key) => JSON.parse(await readText(s3, bucket, key)) as DeliveryManifest),
  );
  const delivered = emptyCounts();
  for (const manifest of manifests) addCounts(delivered, manifest);
  const { curatedRows, distinctKeys, failedRows } = options.counts ?? (await countLake(catalog));
  const duplicatesRemoved: Record<string, number> = {};
  for (const dataset of streamedDatasets) {
    duplicatesRemoved[dataset.name] = curatedRows[dataset.name]! - distinctKeys[dataset.name]!;
    if ((delivered.curatedRows[dataset.name] ?? 0) !== curatedRows[dataset.name]) {
      problems.push(`${dataset.name}: deliveries report ${delivered.curatedRows[dataset.name] ?? 0} curated rows, the lake holds ${curatedRows[dataset.name]}`);
    }
  }
  if (total(delivered.failedRows) !== total(failedRows)) {
    problems.push(`deliveries report ${total(delivered.failedRows)} failed records, the error prefix holds ${total(failedRows)}`);
  }
  const counts: RecordCounts = { recordsIn: delivered.recordsIn, curatedRows, failedRows, droppedRows: delivered.droppedRows };
  if (unexplainedRows(counts) !== 0) {
    problems.push(`delivery streams received ${counts.recordsIn} records; curated + errors + drops = ${counts.recordsIn - unexplainedRows(counts)}`);
  }
  const sent = options.sent ? { ...options.sent, total: options.sent.httpRequests + options.sent.collectorRows + options.sent.otherProducers } : undefined;
  if (sent && sent.total !== counts.recordsIn) problems.push(`producers sent ${sent.total} records; the delivery streams received ${counts.recordsIn}`);
  const unexplained = unexplainedRows({ ...counts, recordsIn: sent?.total ?? counts.recordsIn });

  const collectorRuns: LakeReconciliation['collectorRuns'] = [];
  let reported = 0;
  for (const key of (await listKeys(s3, bucket, COLLECTOR_STATE_PREFIX)).filter((k) => k.endsWith('/report.json'))) {
    const report = JSON.parse(await readText(s3, bucket, key)) as RunReport;
    for (const file of report.files) {
      collectorRuns.push({ dataset: report.dataset, snapshot: report.snapshot, file: file.file, rowsRead: file.rowsRead, rowsSent: file.rowsSent, rowsQuarantined: file.rowsQuarantined, rowsBlank: file.rowsBlank });
      reported += file.rowsQuarantined;
      if (file.rowsRead !== file.rowsSent + file.rowsQuarantined + file.rowsBlank) {
        problems.push(`collector ${report.dataset}/${report.snapshot}/${file.file}: ${file.rowsRead} rows read ≠ sent + quarantined + blank`);
      }
      const dimension = vendorDatasets.find((v) => v.name === report.dataset)?.metadataFiles.find((f) => f.file === file.file)?.dataset;
      if (dimension) {
        // A metadata file's valid rows are its snapshot's partition of the dimension table.
        const [row] = await catalog.query(`SELECT count(*) AS n FROM "${dimension.name}" WHERE dt = CAST(${sqlLiteral(report.snapshot)} AS DATE)`);
        const inLake = Number(row!.n);
        if (file.curated?.rows !== file.rowsSent || inLake !== file.rowsSent) {
          problems.push(`collector ${report.dataset}/${report.snapshot}/${file.file}: ${file.rowsSent} valid rows, ${file.curated?.rows ?? 'no'} curated, ${inLake} in ${dimension.name} dt=${report.snapshot}`);
        }
      }
    }
    const api = report.api;
    if (api) {
      collectorRuns.push({ dataset: report.dataset, snapshot: report.snapshot, file: 'api', rowsRead: api.recordsRead, rowsSent: api.recordsSent, rowsQuarantined: api.recordsQuarantined, rowsBlank: 0 });
      reported += api.recordsQuarantined;
      if (api.recordsRead !== api.recordsSent + api.recordsQuarantined) {
        problems.push(`collector ${report.dataset}/${report.snapshot}/api: ${api.recordsRead} records read ≠ sent + quarantined`);
      }
    }
  }
  let inLake = 0;
  for (const key of await listKeys(s3, bucket, COLLECTOR_QUARANTINE_PREFIX)) inLake += (await readText(s3, bucket, key)).split('\n').filter(Boolean).length;
  if (reported !== inLake) problems.push(`collector reports ${reported} quarantined rows; ${COLLECTOR_QUARANTINE_PREFIX} holds ${inLake}`);

  return {
    deliveries: manifests.length,
    ...counts,
    ...(sent ? { sent } : {}),
    unexplained,
    duplicatesRemoved,
    collectorRuns,
    collectorQuarantined: { reported, inLake },
    problems,
    reconciled: problems.length === 0,
  };
}
