import type { DecodeFailureReason, IssueReason } from '@ingest-lake/shared';

/** Why a record is ProcessingFailed; each value is a metric dimension and a documented error class. */
export type FailureReason =
  | 'not_base64'
  | Exclude<DecodeFailureReason, 'empty'>
  | 'unknown_dataset'
  | IssueReason
  | 'mixed_partition'
  | 'missing_partition'
  /** A client's own event_time too far before or after the record's arrival. */
  | 'event_time_out_of_range'
  | 'response_too_large';

/** Why a record is intentionally Dropped (counted, documented, never silent). */
export type DropReason = 'empty_record' | 'routed_elsewhere';

/** What the transform decided for one Firehose record. `recordCount` counts the data records inside it. */
export type RecordOutcome =
  | { result: 'Ok'; dataset: string; dt: string; ndjson: string; recordCount: number }
  | { result: 'Dropped'; dataset: string | undefined; reason: DropReason; recordCount: number }
  | {
      result: 'ProcessingFailed';
      dataset: string | undefined;
      reason: FailureReason;
      detail: string;
      field?: string;
      /** 1-based position of the failing entry within a pack. */
      entry?: number;
      recordCount: number;
    };

export type FailedOutcome = Extract<RecordOutcome, { result: 'ProcessingFailed' }>;
