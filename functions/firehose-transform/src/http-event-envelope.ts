import type { FirehoseTransformationRecord } from './firehose-contract';

/**
 * Wraps a raw HTTP request body (what API Gateway's mapping template puts on the stream)
 * in the `events` envelope. The id comes from the stream position, so a record Firehose
 * delivers twice keeps its identity; the trace id is the partition key that the mapping
 * template takes from `X-Amzn-Trace-Id`.
 */
export function httpEventEnvelope(payload: Record<string, unknown>, record: FirehoseTransformationRecord): Record<string, unknown> {
  const metadata = record.kinesisRecordMetadata;
  // Epoch milliseconds; the dataset's validator normalises them to timestamp text.
  const arrival = metadata?.approximateArrivalTimestamp ?? record.approximateArrivalTimestamp;
  return {
    event_id: metadata ? `${metadata.shardId}:${metadata.sequenceNumber}` : record.recordId,
    event_time: arrival,
    ingest_time: arrival,
    source: 'http',
    trace_id: metadata?.partitionKey ?? null,
    event_type: typeof payload.type === 'string' ? payload.type : null,
    payload: JSON.stringify(payload),
  };
}

/** Where a record sat on the stream, for the `_origin` lineage column. */
export function streamPosition(record: FirehoseTransformationRecord): string {
  const metadata = record.kinesisRecordMetadata;
  return metadata ? `kinesis:${metadata.shardId}:${metadata.sequenceNumber}` : `firehose:${record.recordId}`;
}
