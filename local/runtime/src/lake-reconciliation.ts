import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { streamedDatasets } from '@ingest-lake/shared';
import type { RunReport } from '@ingest-lake/collector';
import type { DeliveryManifest } from './delivery-writer';
import type { LakeCatalog } from './lake-catalog';
import { countLake, total, type LakeCounts } from './lake-report';

/** The reconciliation report of the whole lake (every delivery and every collector run in it). */
export interface LakeReconciliation {
  deliveries: number;
  /** Data records the delivery streams received. */
  recordsIn: number;
  curatedRows: Record<string, number>;
  failedRows: Record<string, number>;
  droppedRows: number;
  /** Curated rows that repeat a dedup key (re-sends, replays): the *_deduplicated views count them once. */
  duplicatesRemoved: Record<string, number>;
  collectorRuns: Array<{ dataset: string; snapshot: string; file: string; rowsRead: number; rowsSent: number; rowsQuarantined: number; rowsBlank: number }>;
  /** Rows the collector quarantined, per its reports and per the quarantine files in errors/collector/. */
  collectorQuarantined: { reported: number; inLake: number };
  /** Every unexplained difference, in words. Empty = reconciled. */
  problems: string[];
  reconciled: boolean;
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
 * reason, or a documented drop; what the delivery manifests say matches what the lake holds; and
 * every collector file's rows were sent, quarantined (and found in errors/collector/) or blank.
 * `counts` saves a second pass over the lake when the caller already took them.
 */
export async function reconcileLake(s3: S3Client, bucket: string, catalog: LakeCatalog, counts?: LakeCounts): Promise<LakeReconciliation> {
  const problems: string[] = [];
  const manifests = await Promise.all(
    (await listKeys(s3, bucket, 'state/firehose/')).map(async (key) => JSON.parse(await readText(s3, bucket, key)) as DeliveryManifest),
  );
  const manifestCurated: Record<string, number> = {};
  let recordsIn = 0;
  let droppedRows = 0;
  for (const manifest of manifests) {
    recordsIn += manifest.dataRecords;
    droppedRows += manifest.droppedRows;
    for (const [dataset, n] of Object.entries(manifest.curatedRows)) manifestCurated[dataset] = (manifestCurated[dataset] ?? 0) + n;
  }
  const { curatedRows, distinctKeys, failedRows } = counts ?? (await countLake(catalog));
  const duplicatesRemoved: Record<string, number> = {};
  for (const dataset of streamedDatasets) {
    duplicatesRemoved[dataset.name] = curatedRows[dataset.name]! - distinctKeys[dataset.name]!;
    if ((manifestCurated[dataset.name] ?? 0) !== curatedRows[dataset.name]) {
      problems.push(`${dataset.name}: deliveries report ${manifestCurated[dataset.name] ?? 0} curated rows, the lake holds ${curatedRows[dataset.name]}`);
    }
  }
  const accounted = total(curatedRows) + total(failedRows) + droppedRows;
  if (recordsIn !== accounted) problems.push(`delivery streams received ${recordsIn} records; curated + errors + drops = ${accounted}`);

  const collectorRuns: LakeReconciliation['collectorRuns'] = [];
  let reported = 0;
  for (const key of (await listKeys(s3, bucket, 'state/collector/')).filter((k) => k.endsWith('/report.json'))) {
    const report = JSON.parse(await readText(s3, bucket, key)) as RunReport;
    for (const file of report.files) {
      collectorRuns.push({ dataset: report.dataset, snapshot: report.snapshot, file: file.file, rowsRead: file.rowsRead, rowsSent: file.rowsSent, rowsQuarantined: file.rowsQuarantined, rowsBlank: file.rowsBlank });
      reported += file.rowsQuarantined;
      if (file.rowsRead !== file.rowsSent + file.rowsQuarantined + file.rowsBlank) {
        problems.push(`collector ${report.dataset}/${report.snapshot}/${file.file}: ${file.rowsRead} rows read ≠ sent + quarantined + blank`);
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
  for (const key of await listKeys(s3, bucket, 'errors/collector/')) inLake += (await readText(s3, bucket, key)).split('\n').filter(Boolean).length;
  if (reported !== inLake) problems.push(`collector reports ${reported} quarantined rows; errors/collector/ holds ${inLake}`);

  return {
    deliveries: manifests.length,
    recordsIn,
    curatedRows,
    failedRows,
    droppedRows,
    duplicatesRemoved,
    collectorRuns,
    collectorQuarantined: { reported, inLake },
    problems,
    reconciled: problems.length === 0,
  };
}
