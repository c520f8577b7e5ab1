import { DownloadVerificationError } from '../bulk/bulk-download';
import { BudgetExhaustedError } from '../budget/call-budget';
import { ApiKeyError } from '../config/api-key';
import { ManifestError } from '../config/manifest';
import { LeaseHeldError, LeaseLostError } from '../lease/snapshot-lease';
import { WorkDirLockedError } from '../lease/work-dir-lock';
import { QuarantineFileError } from '../parse/quarantine-writer';
import { QuarantineCountError } from '../pipeline/collect-snapshot';
import { FileFormatError } from '../pipeline/csv-file-ingest';
import { ProducerStalledError } from '../produce/kinesis-producer';
import { VendorRequestError, VendorUnavailableError } from '../vendor/vendor-client';
import { RuntimeSettingsError } from './runtime-settings';

/** Exit codes, documented in the collector README; systemd and alarms key on them. */
export const EXIT = {
  ok: 0,
  /** A bug or an unexpected failure. */
  unexpected: 1,
  /** Bad flags, settings, manifest or API key source. */
  configuration: 2,
  /** The contract's call budget cannot cover the run; nothing was called. */
  budgetExhausted: 3,
  /** The vendor failed or refused, or a download could not be verified; the next run resumes. */
  vendor: 4,
  /** Kinesis made no progress; the next run resumes from the checkpoint. */
  kinesis: 5,
  /** Finished, but counts do not reconcile (should never happen; investigate). */
  unreconciled: 6,
  /** A file's header does not match the dataset schema. */
  fileFormat: 7,
  /** Another live run holds the snapshot (its lease, or its work folder's lock); nothing was called. Not a failure. */
  leaseHeld: 8,
  /** This run lost its lease (renewal failed, or another run took it) and stopped before its next vendor call; the next run resumes. */
  leaseLost: 9,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof ManifestError || error instanceof RuntimeSettingsError || error instanceof ApiKeyError) return EXIT.configuration;
  if (error instanceof BudgetExhaustedError) return EXIT.budgetExhausted;
  if (error instanceof VendorUnavailableError || error instanceof VendorRequestError || error instanceof DownloadVerificationError) return EXIT.vendor;
  if (error instanceof ProducerStalledError) return EXIT.kinesis;
  if (error instanceof FileFormatError) return EXIT.fileFormat;
  if (error instanceof LeaseHeldError || error instanceof WorkDirLockedError) return EXIT.leaseHeld;
  if (error instanceof LeaseLostError) return EXIT.leaseLost;
  if (error instanceof QuarantineCountError || error instanceof QuarantineFileError) return EXIT.unreconciled;
  return EXIT.unexpected;
}
