import { formatTimestamp } from '@ingest-lake/shared';
import { encodeFailureEnvelope } from './failure-envelope';
import type { FirehoseTransformationEvent, FirehoseTransformationResponse } from './firehose-contract';
import type { FailedOutcome, RecordOutcome } from './record-outcome';
import { FirehoseResponseBuilder } from './response-builder';
import { transformRecord, type TransformSettings } from './transform-record';

/** Data records per (dataset, result, reason): the numbers behind metrics and reconciliation. */
export interface OutcomeCount {
  dataset: string;
  result: RecordOutcome['result'];
  reason: string | undefined;
  /** Firehose (Kinesis) records. */
  kinesisRecords: number;
  /** Data records inside them (a pack holds many). */
  records: number;
}

/** A failed record with enough context to find it on the stream. */
export interface FailureReport {
  recordId: string;
  sequenceNumber: string | undefined;
  outcome: FailedOutcome;
}

export interface BatchResult {
  response: FirehoseTransformationResponse;
  counts: OutcomeCount[];
  failures: FailureReport[];
}

const UNKNOWN_DATASET = 'unknown';

/** Adds one outcome to the per-dataset counts. A reason belongs to exactly one result, so it keys the inner map. */
function addCount(counts: Map<string, Map<string, OutcomeCount>>, outcome: RecordOutcome): void {
  const dataset = outcome.dataset ?? UNKNOWN_DATASET;
  const reason = outcome.result === 'Ok' ? undefined : outcome.reason;
  let byReason = counts.get(dataset);
  if (!byReason) counts.set(dataset, (byReason = new Map()));
  const key = reason ?? outcome.result;
  let count = byReason.get(key);
  if (!count) byReason.set(key, (count = { dataset, result: outcome.result, reason, kinesisRecords: 0, records: 0 }));
  count.kinesisRecords++;
  count.records += outcome.recordCount;
}

/** Transforms one Firehose invocation: one result per input record, in order, within the response size limit. */
export function transformBatch(event: FirehoseTransformationEvent, settings: TransformSettings, nowMillis: number): BatchResult {
  const context = { ingestedAt: formatTimestamp(nowMillis) };
  const builder = new FirehoseResponseBuilder();
  // Outcomes are kept for counting, without their transformed text (it already lives, base64, in the builder).
  const outcomes: RecordOutcome[] = [];
  for (const record of event.records) {
    const outcome = transformRecord(record, settings, context);
    switch (outcome.result) {
      case 'Ok':
        builder.ok(record.recordId, outcome.ndjson, { dataset: outcome.dataset, dt: outcome.dt }, record.data);
        outcome.ndjson = '';
        break;
      case 'Dropped':
        builder.dropped(record.recordId, record.data);
        break;
      case 'ProcessingFailed':
        builder.processingFailed(record.recordId, encodeFailureEnvelope(outcome, record.data), record.data);
        break;
    }
    outcomes.push(outcome);
  }
  const response = builder.build();
  for (const index of builder.degradedIndexes) {
    const before = outcomes[index]!;
    outcomes[index] = {
      result: 'ProcessingFailed',
      dataset: before.dataset,
      reason: 'response_too_large',
      detail: 'transformed output did not fit the 6 MB Lambda response; source data kept for replay',
      recordCount: before.recordCount,
    };
  }

  const counts = new Map<string, Map<string, OutcomeCount>>();
  const failures: FailureReport[] = [];
  event.records.forEach((record, index) => {
    const outcome = outcomes[index]!;
    addCount(counts, outcome);
    if (outcome.result === 'ProcessingFailed') {
      failures.push({ recordId: record.recordId, sequenceNumber: record.kinesisRecordMetadata?.sequenceNumber, outcome });
    }
  });
  return { response, counts: [...counts.values()].flatMap((byReason) => [...byReason.values()]), failures };
}
