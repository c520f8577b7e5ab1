import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { collectorQuarantineKey, collectorReportKey, DEFAULT_DIRECT_PART_ROWS, type HeaderDrift, vendorBulkOrigin } from '@ingest-lake/shared';
import { archiveRawFile, rawArchiveKey } from '../archive/raw-archive';
import { downloadBulkFile } from '../bulk/bulk-download';
import type { BudgetStatus, CallBudget } from '../budget/call-budget';
import { CheckpointFile, type ApiCheckpoint } from '../checkpoint/run-checkpoint';
import { vendorTarget, type CollectorManifest } from '../config/manifest';
import type { LeaseRecord } from '../lease/lease-decision';
import { currentProcess } from '../lease/process-identity';
import { SnapshotLease, type LeaseEvent } from '../lease/snapshot-lease';
import { WorkDirLock, type WorkDirLockOwner } from '../lease/work-dir-lock';
import { directPartWriterFor, uploadDirectPart } from '../curate/direct-part-upload';
import { countQuarantineLines, QuarantineWriter } from '../parse/quarantine-writer';
import type { HeaderDriftPublisher } from '../metrics/header-drift-publisher';
import type { SnapshotCompletionPublisher } from '../metrics/snapshot-completion-publisher';
import type { KinesisProducer } from '../produce/kinesis-producer';
import type { StateStore } from '../state/state-store';
import { VendorClient } from '../vendor/vendor-client';
import { ingestCsvFile, type FileProgress } from './csv-file-ingest';
import { curateDimensionFile } from './dimension-file-curation';
import { DATA_FILE_READ_BYTES } from './fixed-chunks';
import { ingestApiPages } from './json-api-ingest';
import { buildRunReport, type RunReport } from './run-report';
import { CollectorError } from '../collector-error';

/** Progress events for the CLI (progress bars on a TTY, JSON log lines otherwise). */
export type CollectEvent =
  | { type: 'work-dir-lock'; action: 'waiting'; lockFile: string; owner: WorkDirLockOwner | undefined }
  | LeaseEvent
  | { type: 'plan'; callsNeeded: number; budget: BudgetStatus; filesToDownload: string[] }
  | { type: 'download'; file: string; bytes: number; totalBytes: number | undefined }
  | { type: 'ingest'; file: string; compressedBytes: number; totalBytes: number; rowsRead: number }
  | { type: 'file-done'; file: string; progress: FileProgress; archivedKey: string; uploaded: boolean }
  | { type: 'api-page'; checkpoint: ApiCheckpoint }
  | { type: 'header-drift'; file: string; drift: HeaderDrift; published: boolean; publishError?: string }
  | { type: 'snapshot-completed'; runId: string; published: boolean; publishError?: string };

export interface CollectOptions {
  manifest: CollectorManifest;
  /** Snapshot date `YYYY-MM-DD` (the vendor's data date). */
  snapshot: string;
  /** Local working directory (downloads, checkpoints, quarantine). Needs 2× the largest file. */
  workDir: string;
  s3: S3Client;
  lakeBucket: string;
  budget: CallBudget;
  apiKey: string;
  /** Absent: validate only (no Kinesis). */
  producer?: KinesisProducer;
  /** Multipart part size of the raw archive upload. @default 16 MiB */
  archivePartSizeBytes?: number;
  /** Fetch the JSON v1.3 API pages too. @default true when the manifest has an api section */
  includeApi?: boolean;
  /** Data rows between checkpoints: a kill re-sends at most this many rows plus one decompressed chunk's (docs/reliability.md). @default 200_000 */
  checkpointEveryRows?: number;
  /**
   * With `bulk.dataFileDelivery: direct`: data rows per curated part, each part one checkpoint (fixed
   * for a file when its ingest starts; a resume keeps the first run's). @default DEFAULT_DIRECT_PART_ROWS
   */
  directPartRows?: number;
  /**
   * The snapshot's lease, so that one run collects it across machines (the CLI always gives one).
   * @default none: only the work folder's lock keeps a second process out
   */
  lease?: {
    store: StateStore<LeaseRecord>;
    /** @default 300 */
    ttlSeconds?: number;
    /** Collect even a snapshot another run completed (its vendor calls are spent again). @default false */
    recollect?: boolean;
  };
  /** How long to wait for another run of the snapshot (folder lock and lease together): 0 refuses at once, Infinity waits. @default 0 */
  waitForLeaseSeconds?: number;
  /** Where a file whose header differs from the declared schema is reported (the CLI: a CloudWatch metric). @default none: the event only */
  headerDrift?: HeaderDriftPublisher;
  /**
   * Where this run reports the snapshot once it has finished it reconciled and written its report
   * (the CLI: the metric the missed-run alarm watches); a run that ends with the holder's report puts
   * nothing. @default none: the event only
   */
  snapshotCompletion?: SnapshotCompletionPublisher;
  onEvent?: (event: CollectEvent) => void;
}

/** Where a snapshot's local state lives. */
export function snapshotDirectory(workDir: string, dataset: string, snapshot: string): string {
  return path.join(workDir, dataset, `snapshot=${snapshot}`);
}

/** A local quarantine file and the count the run report gives for it disagree; nothing was uploaded. */
export class QuarantineCountError extends CollectorError {
  readonly code = 'QUARANTINE_COUNT_MISMATCH';
  constructor(
    readonly path: string,
    readonly lines: number,
    readonly reported: number,
  ) {
    super(`quarantine file ${path} holds ${lines} lines, the run report counts ${reported} quarantined rows`);
    this.name = 'QuarantineCountError';
  }
}

/**
 * Collects one snapshot of a vendor dataset: take the work folder's lock and the snapshot's lease,
 * reserve the calls, then for each of its files download (resumable) → archive untouched to raw/ →
 * parse and validate → send the data file's rows to Kinesis; then page through the JSON API. Every
 * step is checkpointed, so a run killed at any point resumes without re-downloading finished files
 * or losing rows; a second run of the same snapshot refuses (or waits) before any vendor call.
 */
export async function collectSnapshot(options: CollectOptions): Promise<RunReport> {
  const { manifest, snapshot } = options;
  const directory = snapshotDirectory(options.workDir, manifest.dataset, snapshot);
  const waitSeconds = options.waitForLeaseSeconds ?? 0;
  const startedWaiting = Date.now();
  await mkdir(directory, { recursive: true });
  const lock = await WorkDirLock.acquire(directory, {
    waitSeconds,
    onWait: (owner) => options.onEvent?.({ type: 'work-dir-lock', action: 'waiting', lockFile: path.join(directory, 'collector.lock'), owner }),
  });
  try {
    const checkpoint = await CheckpointFile.openOrCreate(directory, manifest.dataset, snapshot);
    let lease: SnapshotLease | undefined;
    if (options.lease) {
      const self = currentProcess();
      const acquisition = await SnapshotLease.acquire({
        store: options.lease.store,
        dataset: manifest.dataset,
        snapshot,
        holder: { runId: checkpoint.state.runId, host: self.host, pid: self.pid, workDir: directory, startedAt: self.startedAt },
        ...(options.lease.ttlSeconds === undefined ? {} : { ttlSeconds: options.lease.ttlSeconds }),
        ...(options.lease.recollect ? { recollect: true } : {}),
        waitSeconds: Math.max(0, waitSeconds - (Date.now() - startedWaiting) / 1000),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      });
      if (acquisition.kind === 'completed-by-other-run') {
        options.onEvent?.({ type: 'lease', action: 'completed-by-holder', store: options.lease.store.describe(), lease: acquisition.record });
        return await readRunReport(options.s3, options.lakeBucket, manifest.dataset, snapshot);
      }
      lease = acquisition.lease;
    }
    let outcome: 'completed' | 'failed' = 'failed';
    try {
      const report = await collectHeldSnapshot(options, directory, checkpoint, lease);
      outcome = 'completed';
      return report;
    } finally {
      await lease?.release(outcome);
    }
  } finally {
    await lock.release();
  }
}

/** The collection itself, once this run holds the folder and the snapshot. */
async function collectHeldSnapshot(options: CollectOptions, directory: string, checkpoint: CheckpointFile, lease: SnapshotLease | undefined): Promise<RunReport> {
  const { manifest, snapshot } = options;
  const vendorDataset = manifest.vendorDataset;
  const runId = checkpoint.state.runId;
  const files = [vendorDataset.dataFile, ...vendorDataset.metadataFiles];
  const includeApi = (options.includeApi ?? true) && manifest.api !== undefined;
  // Progress is recorded first (it is true whoever holds the lease), then a lost lease stops the run.
  const saveCheckpoint = async () => {
    await checkpoint.save();
    lease?.assertHeld();
  };
  const uploadQuarantine = async (localPath: string, key: string, reportedRows: number) => {
    // The lake's copy is the whole file, replaced by key: a repeated upload cannot add lines.
    const lines = await countQuarantineLines(localPath);
    if (lines !== reportedRows) throw new QuarantineCountError(localPath, lines, reportedRows);
    lease?.assertHeld();
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.lakeBucket,
        Key: key,
        Body: createReadStream(localPath),
        ContentLength: (await stat(localPath)).size,
        ContentType: 'application/x-ndjson',
      }),
    );
  };

  const filesToDownload = files.filter((f) => !checkpoint.file(f.file).downloaded).map((f) => f.file);
  const api = includeApi ? (checkpoint.state.api ??= emptyApiCheckpoint()) : undefined;
  const pagesLeft = api && !api.done ? manifest.api!.maxPages - api.pagesFetched : 0;
  const callsNeeded = filesToDownload.length + pagesLeft;
  const budgetStatus = await options.budget.reserve(runId, callsNeeded);
  options.onEvent?.({ type: 'plan', callsNeeded, budget: budgetStatus, filesToDownload });
  await saveCheckpoint();

  const client = new VendorClient({
    baseUrl: manifest.vendor.baseUrl,
    authHeader: manifest.vendor.auth.header,
    apiKey: options.apiKey,
    budget: options.budget,
    runId,
    timeoutMs: manifest.vendor.timeoutMs,
    maxAttempts: manifest.vendor.maxAttempts,
    ...(lease ? { beforeRequest: () => lease.assertHeld() } : {}),
  });
  const quarantineDir = path.join(directory, 'quarantine');
  await mkdir(quarantineDir, { recursive: true });
  const curatedDir = path.join(directory, 'curated');
  await mkdir(curatedDir, { recursive: true });

  /** Tells of a drifted header (event, and the publisher); a failed publish is reported, never fatal. */
  const reportHeaderDrift = async (file: string, drift: HeaderDrift): Promise<void> => {
    const publisher = options.headerDrift;
    const outcome = await publishOutcome(publisher && (() => publisher.publish({ vendorDataset: manifest.dataset, snapshot, file, drift })));
    options.onEvent?.({ type: 'header-drift', file, drift, ...outcome });
  };

  try {
    for (const vendorFile of files) {
      const state = checkpoint.file(vendorFile.file);
      const localPath = path.join(directory, vendorFile.file);
      if (!state.downloaded) {
        const target = vendorTarget(manifest.bulk.path, manifest.bulk.query, { dataset: manifest.dataset, file: vendorFile.file, snapshot });
        state.downloaded = await downloadBulkFile({
          client,
          target,
          destination: localPath,
          maxResumes: manifest.bulk.maxResumes,
          ...(manifest.bulk.checksumHeader ? { checksumHeader: manifest.bulk.checksumHeader } : {}),
          onProgress: (bytes, totalBytes) => options.onEvent?.({ type: 'download', file: vendorFile.file, bytes, totalBytes }),
        });
        await saveCheckpoint();
      }
      if (!state.archived) {
        const key = rawArchiveKey(manifest.dataset, snapshot, vendorFile.file);
        const result = await archiveRawFile({
          s3: options.s3,
          bucket: options.lakeBucket,
          key,
          path: localPath,
          sha256: state.downloaded.sha256,
          ...(options.archivePartSizeBytes ? { partSizeBytes: options.archivePartSizeBytes } : {}),
        });
        state.archived = { key: result.key };
        await saveCheckpoint();
      }
      if (!state.ingested) {
        const isDataFile = vendorFile === vendorDataset.dataFile;
        // A metadata file is curated whole into one Parquet file: a killed run starts it again from line 1.
        if (!isDataFile) delete state.progress;
        // Quarantine lines written after the last checkpoint are dropped here and written again below.
        const quarantine = await QuarantineWriter.open(path.join(quarantineDir, `${vendorFile.file}.ndjson`), state.progress?.quarantineBytes ?? 0);
        const totalBytes = (await stat(localPath)).size;
        const source = createReadStream(localPath, { highWaterMark: DATA_FILE_READ_BYTES });
        const onProgress = ({ compressedBytes, rowsRead }: { compressedBytes: number; rowsRead: number }) =>
          options.onEvent?.({ type: 'ingest', file: vendorFile.file, compressedBytes, totalBytes, rowsRead });
        // Reported whether the file is then refused (exit 7) or read with nulls; awaited before either.
        let driftReported: Promise<void> | undefined;
        const onHeaderDrift = (drift: HeaderDrift) => {
          driftReported = reportHeaderDrift(vendorFile.file, drift);
        };
        try {
          if (isDataFile) {
            // The data file straight to curated Parquet (decision 0018): one part per checkpoint.
            const direct = manifest.bulk.dataFileDelivery === 'direct' ? (state.direct ??= { partRows: options.directPartRows ?? DEFAULT_DIRECT_PART_ROWS, parts: 0, keys: [], rows: 0 }) : undefined;
            const parts = direct ? directPartWriterFor({ dataset: vendorFile.dataset, snapshot, directory: path.join(curatedDir, vendorFile.dataset.name), direct }) : undefined;
            state.progress = await ingestCsvFile({
              dataset: vendorFile.dataset,
              origin: vendorBulkOrigin(manifest.dataset, snapshot, vendorFile.file),
              file: vendorFile.file,
              snapshot,
              source,
              quarantine,
              packTargetBytes: manifest.packTargetBytes,
              ...(!parts && options.producer ? { producer: options.producer } : {}),
              ...(parts ? { curate: (pack: Uint8Array) => parts.addPack(pack) } : {}),
              ...(state.progress ? { resumeFrom: state.progress } : {}),
              ...(direct
                ? { checkpointEveryRows: direct.partRows }
                : options.checkpointEveryRows === undefined
                  ? {}
                  : { checkpointEveryRows: options.checkpointEveryRows }),
              onCheckpoint: async (progress) => {
                // A direct part is in the lake before the frontier that covers it is recorded.
                if (parts) {
                  await uploadDirectPart({
                    s3: options.s3,
                    lakeBucket: options.lakeBucket,
                    direct: direct!,
                    closed: parts.closePart(),
                    record: saveCheckpoint,
                    ...(lease ? { beforePut: () => lease.assertHeld() } : {}),
                  });
                }
                state.progress = progress;
                await saveCheckpoint();
              },
              onProgress,
              onHeaderDrift,
            });
          } else {
            const result = await curateDimensionFile({
              vendorDataset: manifest.dataset,
              vendorFile,
              snapshot,
              source,
              quarantine,
              curatedDir,
              s3: options.s3,
              lakeBucket: options.lakeBucket,
              packTargetBytes: manifest.packTargetBytes,
              ...(lease ? { beforeUpload: () => lease.assertHeld() } : {}),
              onProgress,
              onHeaderDrift,
            });
            state.progress = result.progress;
            state.curated = result.curated;
          }
        } finally {
          await quarantine.close();
          await driftReported;
        }
        if (state.progress.rowsQuarantined > 0) {
          await uploadQuarantine(quarantine.path, collectorQuarantineKey(manifest.dataset, snapshot, vendorFile.file), state.progress.rowsQuarantined);
        }
        state.ingested = true;
        await saveCheckpoint();
        options.onEvent?.({ type: 'file-done', file: vendorFile.file, progress: state.progress, archivedKey: state.archived.key, uploaded: true });
      }
    }
    if (api && !api.done) {
      const quarantine = await QuarantineWriter.open(path.join(quarantineDir, 'api.ndjson'), api.quarantineBytes);
      try {
        await ingestApiPages({
          client,
          manifest,
          snapshot,
          quarantine,
          checkpoint: api,
          saveCheckpoint,
          onPage: (state) => options.onEvent?.({ type: 'api-page', checkpoint: state }),
          ...(options.producer ? { producer: options.producer } : {}),
        });
      } finally {
        await quarantine.close();
      }
      // Rejected API records join the files' quarantines in the lake's error zone.
      if (api.done && api.recordsQuarantined > 0) await uploadQuarantine(quarantine.path, collectorQuarantineKey(manifest.dataset, snapshot, 'api'), api.recordsQuarantined);
    }
  } finally {
    await options.budget.release(runId);
  }
  const report = buildRunReport(checkpoint.state, await options.budget.status());
  lease?.assertHeld();
  // The run report goes to the lake too, where reconciliation finds it.
  await options.s3.send(
    new PutObjectCommand({
      Bucket: options.lakeBucket,
      Key: collectorReportKey(manifest.dataset, snapshot),
      Body: JSON.stringify(report),
      ContentType: 'application/json',
    }),
  );
  // Only once the report is in the lake: the alarm's "a run finished" means the lake says so too.
  if (report.reconciled) {
    const publisher = options.snapshotCompletion;
    const outcome = await publishOutcome(publisher && (() => publisher.publish({ vendorDataset: manifest.dataset, snapshot, runId })));
    options.onEvent?.({ type: 'snapshot-completed', runId, ...outcome });
  }
  return report;
}

/**
 * Runs a metric publish, if there is a publisher, and says how it went: a failed put is reported in
 * the run's event, never fails the run (the data is in the lake; the alarm errs towards telling).
 */
async function publishOutcome(publish: (() => Promise<void>) | undefined): Promise<{ published: boolean; publishError?: string }> {
  if (!publish) return { published: false };
  try {
    await publish();
    return { published: true };
  } catch (error) {
    return { published: false, publishError: (error as Error).message };
  }
}

/** The report the holder of a snapshot's lease wrote when it finished. */
async function readRunReport(s3: S3Client, bucket: string, dataset: string, snapshot: string): Promise<RunReport> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: collectorReportKey(dataset, snapshot) }));
  return JSON.parse(await response.Body!.transformToString()) as RunReport;
}

function emptyApiCheckpoint(): ApiCheckpoint {
  return { nextCursor: null, pagesFetched: 0, recordsRead: 0, recordsSent: 0, recordsQuarantined: 0, quarantineBytes: 0, done: false };
}
