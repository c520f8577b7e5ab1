import { LAMBDA_MAX_RESPONSE_BYTES } from '@ingest-lake/shared';
import type {
  FirehoseResult,
  FirehoseTransformationResponse,
  FirehoseTransformationResultRecord,
} from './firehose-contract';

/** Bytes kept free under Lambda's 6 MB response limit for the JSON framing of the response itself. */
const RESPONSE_FRAMING_MARGIN_BYTES = 16_384;

interface Entry {
  record: FirehoseTransformationResultRecord;
  /** Serialised size in the response. */
  bytes: number;
  /** Base64 of the source data, used when the entry must shrink to fit. */
  sourceData: string;
}

/**
 * Typed builder of a Firehose transformation response (Powertools for TypeScript has none).
 * It keeps one result per input recordId, in input order, and guarantees that the response
 * fits Lambda's 6 MB limit: when the transformed output would not fit, the records at the
 * end become ProcessingFailed with their source data unchanged (reason `response_too_large`),
 * which is never larger than what came in.
 */
export class FirehoseResponseBuilder {
  private readonly entries: Entry[] = [];
  private totalBytes = 0;

  constructor(private readonly maxResponseBytes: number = LAMBDA_MAX_RESPONSE_BYTES - RESPONSE_FRAMING_MARGIN_BYTES) {}

  /** A transformed record; `data` is the new payload as text, `partitionKeys` feed dynamic partitioning. */
  ok(recordId: string, data: string, partitionKeys: Record<string, string>, sourceData: string): void {
    this.push(
      { recordId, result: 'Ok', data: Buffer.from(data, 'utf8').toString('base64'), metadata: { partitionKeys } },
      sourceData,
    );
  }

  /** An intentionally dropped record (its source data is returned unchanged). */
  dropped(recordId: string, sourceData: string): void {
    this.push({ recordId, result: 'Dropped', data: sourceData }, sourceData);
  }

  /** A failed record; `data` is already base64 (a failure envelope). */
  processingFailed(recordId: string, base64Data: string, sourceData: string): void {
    this.push({ recordId, result: 'ProcessingFailed', data: base64Data }, sourceData);
  }

  /** Positions of the results that had to be degraded to fit the size limit. */
  readonly degradedIndexes: number[] = [];

  private push(record: FirehoseTransformationResultRecord, sourceData: string): void {
    const bytes = serialisedBytes(record);
    this.entries.push({ record, bytes, sourceData });
    this.totalBytes += bytes;
  }

  /** Builds the response, shrinking trailing records to their source data while it is over the limit. */
  build(): FirehoseTransformationResponse {
    for (let i = this.entries.length - 1; i >= 0 && this.totalBytes > this.maxResponseBytes; i--) {
      const entry = this.entries[i]!;
      if (entry.record.data === entry.sourceData && entry.record.result !== 'Ok') continue;
      const shrunk: FirehoseTransformationResultRecord = {
        recordId: entry.record.recordId,
        result: 'ProcessingFailed',
        data: entry.sourceData,
      };
      const bytes = serialisedBytes(shrunk);
      this.totalBytes += bytes - entry.bytes;
      this.entries[i] = { record: shrunk, bytes, sourceData: entry.sourceData };
      this.degradedIndexes.push(i);
    }
    return { records: this.entries.map((entry) => entry.record) };
  }

  /** Serialised size of the response as built so far. */
  get byteLength(): number {
    return this.totalBytes + 13;
  }

  /** Count of results by Firehose result value. */
  countByResult(): Record<FirehoseResult, number> {
    const counts: Record<FirehoseResult, number> = { Ok: 0, Dropped: 0, ProcessingFailed: 0 };
    for (const entry of this.entries) counts[entry.record.result]++;
    return counts;
  }
}

/** Upper bound of a result's serialised size (record ids, base64 and partition values are ASCII). */
function serialisedBytes(record: FirehoseTransformationResultRecord): number {
  let metadata = 0;
  if (record.metadata) {
    const keys = record.metadata.partitionKeys;
    metadata = 32;
    for (const key in keys) metadata += key.length + keys[key]!.length + 6;
  }
  return 44 + record.recordId.length + record.result.length + record.data.length + metadata;
}
