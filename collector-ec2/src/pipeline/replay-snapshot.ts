import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { collectorReportKey, DEFAULT_DIRECT_PART_ROWS, vendorBulkOrigin } from '@ingest-lake/shared';
import { rawArchiveKey } from '../archive/raw-archive';
import type { DirectCheckpoint } from '../checkpoint/run-checkpoint';
import { CollectorError } from '../collector-error';
import type { CollectorManifest } from '../config/manifest';
import { DirectPartWriter } from '../curate/direct-part-writer';
import { directPartWriterFor, dtOfPartKey, uploadDirectPart } from '../curate/direct-part-upload';
import { QuarantineWriter } from '../parse/quarantine-writer';
import type { KinesisProducer } from '../produce/kinesis-producer';
import { ingestCsvFile, type FileProgress } from './csv-file-ingest';
import { curateDimensionFile, type CuratedDimension } from './dimension-file-curation';
import { fixedChunks } from './fixed-chunks';
import type { FileReport, RunReport } from './run-report';

/**
 * The archived file is in an archive storage class GetObject cannot read (Glacier Flexible Retrieval
 * or Deep Archive): it must be restored first. raw/ transitions to Glacier Instant Retrieval, which
 * GetObject reads, so this only happens when an operator moved objects by hand (decision 0013).
 */
export class ArchivedObjectError extends CollectorError {
  readonly code = 'ARCHIVED_OBJECT';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly storageClass: string | undefined,
    options?: ErrorOptions,
  ) {
    super(
      `s3://${bucket}/${key} is archived (${storageClass ?? 'archive storage class'}): restore it first, e.g. ` +
        `aws s3api restore-object --bucket ${bucket} --key ${key} --restore-request '{"Days":7,"GlacierJobParameters":{"Tier":"Standard"}}' ` +
        `(Expedited 1–5 min, Standard 3–5 h, Bulk 5–12 h; Deep Archive: Standard 12 h, Bulk 48 h), then replay again`,
      options,
    );
    this.name = 'ArchivedObjectError';
  }
}

/** Storage classes whose objects GetObject refuses until restored. */
const RESTORE_FIRST = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** One metadata file curated again from raw/. */
export interface ReplayedDimension {
  file: string;
  /** The archived file it was read from. */
  key: string;
  progress: FileProgress;
  curated: CuratedDimension;
}

/**
 * A data file replayed onto the direct path (decision 0018): the parts it wrote (the run's keys), their
 * rows (= rowsSent), the rows per part it cut at and where that came from, and the run's keys it did
 * not write again, each replaced by an empty Parquet file so that the run's rows are never left twice.
 */
export interface ReplayedDirect {
  keys: string[];
  rows: number;
  partRows: number;
  partRowsFrom: 'run-report' | 'default';
  emptied: string[];
}

/** What a replay did: the data file's counts (re-streamed, or written directly), and every dimension curated again. */
export type ReplayResult = FileProgress & { key: string; direct?: ReplayedDirect; dimensions: ReplayedDimension[] };

/** Whether a file's counts add up: every row read was sent (or curated), quarantined or blank. */
export function fileReconciles(progress: FileProgress): boolean {
  return progress.rowsRead === progress.rowsSent + progress.rowsQuarantined + progress.rowsBlank;
}

/** Every file of a replay reconciles, and each dimension's Parquet holds exactly its valid rows. */
export function replayReconciles(result: ReplayResult): boolean {
  return fileReconciles(result) && (!result.direct || result.direct.rows === result.rowsSent) && result.dimensions.every((d) => fileReconciles(d.progress) && d.curated.rows === d.progress.rowsSent);
}

/**
 * Replays a stored snapshot from `raw/` without calling the vendor (no budget spent): re-streams
 * its data file to Kinesis, with the same dedup keys as the first time so curated views count the
 * rows once, or, when the manifest says `bulk.dataFileDelivery: direct`, writes its curated parts
 * again at the keys the run wrote (replacing them, never adding rows; decision 0018), and curates its twelve metadata files again into
 * `curated/dataset=<dimension>/dt=<snapshot>/` through the collector's own `curateDimensionFile`,
 * replacing each snapshot's Parquet file.
 */
export async function replaySnapshot(options: {
  manifest: CollectorManifest;
  snapshot: string;
  s3: S3Client;
  lakeBucket: string;
  producer: KinesisProducer;
  workDir: string;
  /** Rows per direct part when the run report does not record the run's. @default DEFAULT_DIRECT_PART_ROWS */
  directPartRows?: number;
  onProgress?: (progress: { file: string; compressedBytes: number; totalBytes: number; rowsRead: number }) => void;
}): Promise<ReplayResult> {
  const { manifest, snapshot } = options;
  const dataFile = manifest.vendorDataset.dataFile;
  const directory = path.join(options.workDir, manifest.dataset, `snapshot=${snapshot}`, 'replay');
  const curatedDir = path.join(directory, 'curated');
  await mkdir(curatedDir, { recursive: true });
  // Every archived file is checked before any is read: a replay stops before it re-streams anything
  // when one of them needs a restore first.
  const files = [dataFile, ...manifest.vendorDataset.metadataFiles];
  const keys = new Map<string, ArchivedFile>();
  for (const file of files) keys.set(file.file, await headArchived(options.s3, options.lakeBucket, rawArchiveKey(manifest.dataset, snapshot, file.file)));
  const runStamp = Date.now();
  const quarantineFor = (file: string) => QuarantineWriter.open(path.join(directory, `${file}.${runStamp}.quarantine.ndjson`));
  const progressOf = (file: string) => {
    const totalBytes = keys.get(file)!.bytes;
    return ({ compressedBytes, rowsRead }: { compressedBytes: number; rowsRead: number }) => options.onProgress?.({ file, compressedBytes, totalBytes, rowsRead });
  };

  const dataArchive = keys.get(dataFile.file)!;
  let dataProgress: FileProgress;
  let direct: ReplayedDirect | undefined;
  const dataQuarantine = await quarantineFor(dataFile.file);
  try {
    const common = {
      dataset: dataFile.dataset,
      origin: vendorBulkOrigin(manifest.dataset, snapshot, dataFile.file),
      file: dataFile.file,
      snapshot,
      quarantine: dataQuarantine,
      packTargetBytes: manifest.packTargetBytes,
      onProgress: progressOf(dataFile.file),
    };
    if (manifest.bulk.dataFileDelivery === 'direct') {
      const run = await runDirectReport(options.s3, options.lakeBucket, manifest.dataset, snapshot, dataFile.file);
      const partRows = run?.partRows ?? options.directPartRows ?? DEFAULT_DIRECT_PART_ROWS;
      // Held in memory: a replay has no checkpoint, a killed one is run again from the start.
      const state: DirectCheckpoint = { partRows, parts: 0, keys: [], rows: 0 };
      const partsDir = path.join(curatedDir, dataFile.dataset.name);
      const parts = directPartWriterFor({ dataset: dataFile.dataset, snapshot, directory: partsDir, direct: state });
      const upload = (closed: ReturnType<DirectPartWriter['closePart']>, into = state) =>
        uploadDirectPart({ s3: options.s3, lakeBucket: options.lakeBucket, direct: into, closed, record: async () => undefined });
      dataProgress = await ingestCsvFile({
        ...common,
        // Read as the collector reads its local copy, so that the parts close where the run's closed.
        source: fixedChunks(await readArchived(options.s3, options.lakeBucket, dataArchive)),
        curate: (pack) => parts.addPack(pack),
        checkpointEveryRows: partRows,
        onCheckpoint: async () => upload(parts.closePart()),
      });
      const emptied = (run?.keys ?? []).filter((key) => !state.keys.includes(key));
      for (const [part, dts] of partsOf(emptied)) {
        const empty = new DirectPartWriter({ dataset: dataFile.dataset, snapshot, directory: partsDir, firstPart: part, firstPartDts: dts, now: () => '' });
        await upload(empty.closePart(), { partRows, parts: 0, keys: [], rows: 0 });
      }
      direct = { keys: state.keys, rows: state.rows, partRows, partRowsFrom: run?.partRows === undefined ? 'default' : 'run-report', emptied };
    } else {
      dataProgress = await ingestCsvFile({ ...common, source: await readArchived(options.s3, options.lakeBucket, dataArchive), producer: options.producer });
    }
  } finally {
    await dataQuarantine.close();
  }

  const dimensions: ReplayedDimension[] = [];
  for (const vendorFile of manifest.vendorDataset.metadataFiles) {
    const archive = keys.get(vendorFile.file)!;
    const quarantine = await quarantineFor(vendorFile.file);
    try {
      const { progress, curated } = await curateDimensionFile({
        vendorDataset: manifest.dataset,
        vendorFile,
        snapshot,
        source: await readArchived(options.s3, options.lakeBucket, archive),
        quarantine,
        curatedDir,
        s3: options.s3,
        lakeBucket: options.lakeBucket,
        packTargetBytes: manifest.packTargetBytes,
        onProgress: progressOf(vendorFile.file),
      });
      dimensions.push({ file: vendorFile.file, key: archive.key, progress, curated });
    } finally {
      await quarantine.close();
    }
  }
  return { ...dataProgress, key: dataArchive.key, ...(direct ? { direct } : {}), dimensions };
}

/** The data file's direct parts as the snapshot's run report in the lake records them; none without a report. */
async function runDirectReport(s3: S3Client, bucket: string, dataset: string, snapshot: string, file: string): Promise<FileReport['direct']> {
  let report: RunReport;
  try {
    report = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: collectorReportKey(dataset, snapshot) }))).Body!.transformToString()) as RunReport;
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
  return report.files.find((f) => f.file === file)?.direct;
}

/** Part keys grouped by part number, each with its `dt` partitions. */
function partsOf(keys: string[]): Map<number, string[]> {
  const parts = new Map<number, string[]>();
  for (const key of keys) {
    const part = /-part-(\d{5})\.parquet$/.exec(key)?.[1];
    if (part === undefined) throw new Error(`${key}: not a curated part key (no -part-nnnnn.parquet)`);
    parts.set(Number(part), [...(parts.get(Number(part)) ?? []), dtOfPartKey(key)]);
  }
  return parts;
}

/** An archived file as its HEAD describes it. */
interface ArchivedFile {
  key: string;
  bytes: number;
  storageClass: string | undefined;
}

/** HEAD of an archived file; refuses one GetObject cannot read until it is restored. */
async function headArchived(s3: S3Client, bucket: string, key: string): Promise<ArchivedFile> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  // Restored copies carry `ongoing-request="false"` in x-amz-restore; anything else needs a restore first.
  if (RESTORE_FIRST.has(head.StorageClass ?? '') && !/ongoing-request="false"/.test(head.Restore ?? '')) {
    throw new ArchivedObjectError(bucket, key, head.StorageClass);
  }
  return { key, bytes: head.ContentLength ?? 0, storageClass: head.StorageClass };
}

/** The archived file's body; S3's InvalidObjectState (archived after the HEAD) becomes ArchivedObjectError. */
async function readArchived(s3: S3Client, bucket: string, file: ArchivedFile): Promise<Readable> {
  try {
    return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }))).Body as Readable;
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidObjectState') throw new ArchivedObjectError(bucket, file.key, file.storageClass, { cause: error });
    throw error;
  }
}
