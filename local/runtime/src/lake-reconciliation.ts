import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { sqlLiteral } from './duckdb-session';
import { COLLECTOR_QUARANTINE_PREFIX, COLLECTOR_STATE_PREFIX, streamedDatasets, vendorBulkOrigin, vendorDatasets } from '@ingest-lake/shared';
import type { RunReport } from '@ingest-lake/collector-ec2';
import type { DeliveryManifest } from './delivery-writer';
import type { LakeCatalog } from './lake-catalog';
import { countLake, type LakeCounts } from './lake-report';
import { addCounts, addTo, emptyCounts, total, unexplainedRows, type RecordCounts } from './record-counts';

/** Records producers say they put on the streams, by source (known to the demo and the suites, not to the lake). */
export interface RecordsSent {
  /** Accepted by the ingest endpoint (API Gateway → Kinesis). */
  httpRequests: number;
  /** Sent by the collector: bulk rows and API records acknowledged by Kinesis, and bulk rows it wrote to curated/ itself (decision 0018). */
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
  /** Rows the collector wrote to curated/ itself (the direct bulk path, decision 0018), by dataset: part of `recordsIn`. */
  directRows: Record<string, number>;
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
 * Reconciles the lake: every data record a delivery stream received, or the collector wrote to
 * curated/ itself (decision 0018), is curated, in errors/ with a reason, or a documented drop; what the delivery manifests say matches what the lake holds; what the
 * producers sent (when given) is what the delivery streams received; every collector file's rows
 * were sent, quarantined (and found in errors/collector/) or blank; and every metadata file's valid
 * rows are its snapshot's partition of the dimension table, and every directly written data file's
 * valid rows are in its table once.
 */
export async function reconcileLake(s3: S3Client, bucket: string, catalog: LakeCatalog, options: ReconcileOptions = {}): Promise<LakeReconciliation> {
  const problems: string[] = [];
  const manifests = await Promise.all(
    (await listKeys(s3, bucket, 'state/firehose/')).map(async (key) => JSON.parse(await readText(s3, bucket, key)) as DeliveryManifest),
  );
  const delivered = emptyCounts();
  for (const manifest of manifests) addCounts(delivered, manifest);
  const reports = await Promise.all(
    (await listKeys(s3, bucket, COLLECTOR_STATE_PREFIX)).filter((k) => k.endsWith('/report.json')).map(async (key) => JSON.parse(await readText(s3, bucket, key)) as RunReport),
  );
  // Rows the collector wrote to curated/ itself entered the lake without a delivery stream.
  const directRows: Record<string, number> = {};
  for (const report of reports) {
    const dataFile = vendorDatasets.find((v) => v.name === report.dataset)?.dataFile;
    const direct = report.files.find((f) => f.file === dataFile?.file)?.direct;
    if (dataFile && direct) addTo(directRows, dataFile.dataset.name, direct.rows);
  }
  const { curatedRows, distinctKeys, failedRows } = options.counts ?? (await countLake(catalog));
  const duplicatesRemoved: Record<string, number> = {};
  for (const dataset of streamedDatasets) {
    duplicatesRemoved[dataset.name] = curatedRows[dataset.name]! - distinctKeys[dataset.name]!;
    const expected = (delivered.curatedRows[dataset.name] ?? 0) + (directRows[dataset.name] ?? 0);
    if (expected !== curatedRows[dataset.name]) {
      const direct = directRows[dataset.name] ? ` + ${directRows[dataset.name]} written directly by the collector` : '';
      problems.push(`${dataset.name}: deliveries report ${delivered.curatedRows[dataset.name] ?? 0} curated rows${direct}, the lake holds ${curatedRows[dataset.name]}`);
    }
  }
  if (total(delivered.failedRows) !== total(failedRows)) {
    problems.push(`deliveries report ${total(delivered.failedRows)} failed records, the error prefix holds ${total(failedRows)}`);
  }
  const counts: RecordCounts = { recordsIn: delivered.recordsIn + total(directRows), curatedRows, failedRows, droppedRows: delivered.droppedRows };
  if (unexplainedRows(counts) !== 0) {
    problems.push(`delivery streams and the collector's direct path brought ${counts.recordsIn} records; curated + errors + drops = ${counts.recordsIn - unexplainedRows(counts)}`);
  }
  const sent = options.sent ? { ...options.sent, total: options.sent.httpRequests + options.sent.collectorRows + options.sent.otherProducers } : undefined;
  if (sent && sent.total !== counts.recordsIn) problems.push(`producers sent ${sent.total} records; the delivery streams and the direct path received ${counts.recordsIn}`);
  const unexplained = unexplainedRows({ ...counts, recordsIn: sent?.total ?? counts.recordsIn });

  const collectorRuns: LakeReconciliation['collectorRuns'] = [];
  let reported = 0;
  for (const report of reports) {
    const vendorDataset = vendorDatasets.find((v) => v.name === report.dataset);
    for (const file of report.files) {
      collectorRuns.push({ dataset: report.dataset, snapshot: report.snapshot, file: file.file, rowsRead: file.rowsRead, rowsSent: file.rowsSent, rowsQuarantined: file.rowsQuarantined, rowsBlank: file.rowsBlank });
      reported += file.rowsQuarantined;
      if (file.rowsRead !== file.rowsSent + file.rowsQuarantined + file.rowsBlank) {
        problems.push(`collector ${report.dataset}/${report.snapshot}/${file.file}: ${file.rowsRead} rows read ≠ sent + quarantined + blank`);
      }
      const dimension = vendorDataset?.metadataFiles.find((f) => f.file === file.file)?.dataset;
      if (dimension) {
        // A metadata file's valid rows are its snapshot's partition of the dimension table.
        const [row] = await catalog.query(`SELECT count(*) AS n FROM "${dimension.name}" WHERE dt = CAST(${sqlLiteral(report.snapshot)} AS DATE)`);
        const inLake = Number(row!.n);
        if (file.curated?.rows !== file.rowsSent || inLake !== file.rowsSent) {
          problems.push(`collector ${report.dataset}/${report.snapshot}/${file.file}: ${file.rowsSent} valid rows, ${file.curated?.rows ?? 'no'} curated, ${inLake} in ${dimension.name} dt=${report.snapshot}`);
        }
      }
      if (file.direct && vendorDataset?.dataFile.file === file.file) {
        // A data file written directly: its valid rows are the table's rows from that file, each once.
        const origin = `${vendorBulkOrigin(report.dataset, report.snapshot, file.file)}#%`;
        const [row] = await catalog.query(`SELECT count(*) AS n FROM "${vendorDataset.dataFile.dataset.name}" WHERE _origin LIKE ${sqlLiteral(origin)}`);
        const inLake = Number(row!.n);
        if (file.direct.rows !== file.rowsSent || inLake !== file.rowsSent) {
          problems.push(`collector ${report.dataset}/${report.snapshot}/${file.file}: ${file.rowsSent} valid rows, ${file.direct.rows} in its direct parts, ${inLake} in ${vendorDataset.dataFile.dataset.name}`);
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
    directRows,
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
