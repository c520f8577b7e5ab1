import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { archiveRawFile, rawArchiveKey } from '../archive/raw-archive';
import { downloadBulkFile } from '../bulk/bulk-download';
import type { BudgetStatus, CallBudget } from '../budget/call-budget';
import { CheckpointFile, type ApiCheckpoint } from '../checkpoint/run-checkpoint';
import { vendorTarget, type CollectorManifest } from '../config/manifest';
import { QuarantineWriter } from '../parse/quarantine-writer';
import type { KinesisProducer } from '../produce/kinesis-producer';
import { VendorClient } from '../vendor/vendor-client';
import { ingestCsvFile, type FileProgress } from './csv-file-ingest';
import { ingestApiPages } from './json-api-ingest';
import { buildRunReport, type RunReport } from './run-report';

/** Progress events for the CLI (progress bars on a TTY, JSON log lines otherwise). */
export type CollectEvent =
  | { type: 'plan'; callsNeeded: number; budget: BudgetStatus; filesToDownload: string[] }
  | { type: 'download'; file: string; bytes: number; totalBytes: number | undefined }
  | { type: 'ingest'; file: string; compressedBytes: number; totalBytes: number; rowsRead: number }
  | { type: 'file-done'; file: string; progress: FileProgress; archivedKey: string; uploaded: boolean }
  | { type: 'api-page'; checkpoint: ApiCheckpoint };

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
  onEvent?: (event: CollectEvent) => void;
}

/** Where a snapshot's local state lives. */
export function snapshotDirectory(workDir: string, dataset: string, snapshot: string): string {
  return path.join(workDir, dataset, `snapshot=${snapshot}`);
}

/** Key of a file's quarantine in the lake's error zone. */
export function quarantineKey(dataset: string, snapshot: string, file: string): string {
  return `errors/collector/${dataset}/snapshot=${snapshot}/${file}.quarantine.ndjson`;
}

/**
 * Collects one snapshot of a vendor dataset: reserve the calls, then for each of its files
 * download (resumable) → archive untouched to raw/ → parse and validate → send the data file's rows
 * to Kinesis; then page through the JSON API. Every step is checkpointed, so a run killed at any
 * point resumes without re-downloading finished files or losing rows.
 */
export async function collectSnapshot(options: CollectOptions): Promise<RunReport> {
  const { manifest, snapshot } = options;
  const vendorDataset = manifest.vendorDataset;
  const directory = snapshotDirectory(options.workDir, manifest.dataset, snapshot);
  const checkpoint = await CheckpointFile.openOrCreate(directory, manifest.dataset, snapshot);
  const runId = checkpoint.state.runId;
  const files = [vendorDataset.dataFile, ...vendorDataset.metadataFiles];
  const includeApi = (options.includeApi ?? true) && manifest.api !== undefined;
  const uploadQuarantine = async (localPath: string, key: string) =>
    options.s3.send(
      new PutObjectCommand({
        Bucket: options.lakeBucket,
        Key: key,
        Body: createReadStream(localPath),
        ContentLength: (await stat(localPath)).size,
        ContentType: 'application/x-ndjson',
      }),
    );

  const filesToDownload = files.filter((f) => !checkpoint.file(f.file).downloaded).map((f) => f.file);
  const api = includeApi ? (checkpoint.state.api ??= emptyApiCheckpoint()) : undefined;
  const pagesLeft = api && !api.done ? manifest.api!.maxPages - api.pagesFetched : 0;
  const callsNeeded = filesToDownload.length + pagesLeft;
  const budgetStatus = await options.budget.reserve(runId, callsNeeded);
  options.onEvent?.({ type: 'plan', callsNeeded, budget: budgetStatus, filesToDownload });
  await checkpoint.save();

  const client = new VendorClient({
    baseUrl: manifest.vendor.baseUrl,
    authHeader: manifest.vendor.auth.header,
    apiKey: options.apiKey,
    budget: options.budget,
    runId,
    timeoutMs: manifest.vendor.timeoutMs,
    maxAttempts: manifest.vendor.maxAttempts,
  });
  const quarantineDir = path.join(directory, 'quarantine');
  await mkdir(quarantineDir, { recursive: true });

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
        await checkpoint.save();
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
        await checkpoint.save();
      }
      if (!state.ingested) {
        const isDataFile = vendorFile === vendorDataset.dataFile;
        const quarantine = await QuarantineWriter.open(path.join(quarantineDir, `${vendorFile.file}.ndjson`), state.progress?.quarantineBytes ?? 0);
        const totalBytes = (await stat(localPath)).size;
        try {
          state.progress = await ingestCsvFile({
            dataset: vendorFile.dataset,
            origin: `vendor-bulk:${manifest.dataset}/snapshot=${snapshot}/${vendorFile.file}`,
            file: vendorFile.file,
            snapshot,
            source: createReadStream(localPath, { highWaterMark: 1 << 20 }),
            quarantine,
            packTargetBytes: manifest.packTargetBytes,
            ...(isDataFile && options.producer ? { producer: options.producer } : {}),
            ...(state.progress ? { resumeFrom: state.progress } : {}),
            onCheckpoint: async (progress) => {
              state.progress = progress;
              await checkpoint.save();
            },
            onProgress: ({ compressedBytes, rowsRead }) =>
              options.onEvent?.({ type: 'ingest', file: vendorFile.file, compressedBytes, totalBytes, rowsRead }),
          });
        } finally {
          await quarantine.close();
        }
        if (state.progress.rowsQuarantined > 0) await uploadQuarantine(quarantine.path, quarantineKey(manifest.dataset, snapshot, vendorFile.file));
        state.ingested = true;
        await checkpoint.save();
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
          saveCheckpoint: () => checkpoint.save(),
          onPage: (state) => options.onEvent?.({ type: 'api-page', checkpoint: state }),
          ...(options.producer ? { producer: options.producer } : {}),
        });
      } finally {
        await quarantine.close();
      }
      // Rejected API records join the files' quarantines in the lake's error zone.
      if (api.done && api.recordsQuarantined > 0) await uploadQuarantine(quarantine.path, quarantineKey(manifest.dataset, snapshot, 'api'));
    }
  } finally {
    await options.budget.release(runId);
  }
  const report = buildRunReport(checkpoint.state, await options.budget.status());
  // The run report goes to the lake too, where reconciliation finds it.
  await options.s3.send(
    new PutObjectCommand({
      Bucket: options.lakeBucket,
      Key: runReportKey(manifest.dataset, snapshot),
      Body: JSON.stringify(report),
      ContentType: 'application/json',
    }),
  );
  return report;
}

/** Key of a snapshot's collector run report in the lake. */
export function runReportKey(dataset: string, snapshot: string): string {
  return `state/collector/${dataset}/snapshot=${snapshot}/report.json`;
}

function emptyApiCheckpoint(): ApiCheckpoint {
  return { nextCursor: null, pagesFetched: 0, recordsRead: 0, recordsSent: 0, recordsQuarantined: 0, quarantineBytes: 0, done: false };
}
