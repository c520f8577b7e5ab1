import type { FailedOutcome } from './record-outcome';

/**
 * What a ProcessingFailed record carries as its `data`: the machine-readable reason and the
 * untouched source bytes, so the error prefix holds everything needed to diagnose and replay.
 * Firehose writes failed records under `processing-failed/` wrapped in its own error record
 * (`attemptsMade`, `errorCode`, `rawData`, …); see docs/firehose-contract.md.
 */
export interface FailureEnvelope {
  error: {
    reason: FailedOutcome['reason'];
    detail: string;
    dataset?: string;
    field?: string;
    entry?: number;
  };
  /** Base64 of the source record, exactly as Firehose delivered it. */
  sourceData: string;
}

/** Base64 of the failure envelope JSON (newline-terminated) for one failed record. */
export function encodeFailureEnvelope(outcome: FailedOutcome, sourceData: string): string {
  const envelope: FailureEnvelope = {
    error: {
      reason: outcome.reason,
      detail: outcome.detail,
      ...(outcome.dataset === undefined ? {} : { dataset: outcome.dataset }),
      ...(outcome.field === undefined ? {} : { field: outcome.field }),
      ...(outcome.entry === undefined ? {} : { entry: outcome.entry }),
    },
    sourceData,
  };
  return Buffer.from(`${JSON.stringify(envelope)}\n`, 'utf8').toString('base64');
}

/** Reads a failure envelope back (from the error prefix); undefined when the bytes are not one. */
export function decodeFailureEnvelope(data: Buffer): FailureEnvelope | undefined {
  try {
    const parsed = JSON.parse(data.toString('utf8')) as Partial<FailureEnvelope>;
    return typeof parsed.error?.reason === 'string' && typeof parsed.sourceData === 'string' ? (parsed as FailureEnvelope) : undefined;
  } catch {
    return undefined;
  }
}
