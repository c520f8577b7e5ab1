import { formatTimestamp, parseTimestampMillis } from '@ingest-lake/shared';
import type { FirehoseTransformationRecord } from './firehose-contract';

/**
 * How far a client's own `event_time` may lie from the record's arrival: older events are late data
 * worth keeping (a phone that was offline), but not forever; events from the future are clock errors.
 */
export interface EventTimeWindow {
  /** @default 7 days */
  maxAgeMillis: number;
  /** @default 5 minutes */
  maxLeadMillis: number;
}

export const DEFAULT_EVENT_TIME_WINDOW: EventTimeWindow = { maxAgeMillis: 7 * 86_400_000, maxLeadMillis: 5 * 60_000 };

/** The record's arrival on the stream, epoch milliseconds. */
export function arrivalMillis(record: FirehoseTransformationRecord): number {
  return record.kinesisRecordMetadata?.approximateArrivalTimestamp ?? record.approximateArrivalTimestamp;
}

/**
 * Wraps a raw HTTP request body (what API Gateway's mapping template puts on the stream) in the
 * `events` envelope. A client's own `event_id` and `event_time` are kept: the id makes a client's
 * retry count once (the deduplicated view keys on it), the time puts the event in its own `dt`. A
 * body without them gets the stream position as its id (so a record Firehose delivers twice keeps
 * its identity) and the arrival time. The trace id is the partition key that the mapping template
 * takes from `X-Amzn-Trace-Id`. The dataset's validator then checks both client values.
 */
export function httpEventEnvelope(payload: Record<string, unknown>, record: FirehoseTransformationRecord): Record<string, unknown> {
  const metadata = record.kinesisRecordMetadata;
  // Epoch milliseconds; the dataset's validator normalises them to timestamp text.
  const arrival = arrivalMillis(record);
  const streamId = metadata ? `${metadata.shardId}:${metadata.sequenceNumber}` : record.recordId;
  return {
    event_id: payload.event_id ?? streamId,
    event_time: payload.event_time ?? arrival,
    ingest_time: arrival,
    source: 'http',
    trace_id: metadata?.partitionKey ?? null,
    event_type: typeof payload.type === 'string' ? payload.type : null,
    payload: JSON.stringify(payload),
  };
}

/**
 * Why a validated event's time falls outside the window around its arrival, or undefined when it
 * does not. Only client-supplied times can: the arrival time is always inside.
 */
export function eventTimeOutsideWindow(eventTime: unknown, arrival: number, window: EventTimeWindow): string | undefined {
  const millis = parseTimestampMillis(eventTime);
  if (millis === undefined) return undefined; // the validator reports malformed times
  if (millis < arrival - window.maxAgeMillis) {
    return `event_time ${formatTimestamp(millis)} is more than ${window.maxAgeMillis / 3_600_000} h before its arrival (${formatTimestamp(arrival)})`;
  }
  if (millis > arrival + window.maxLeadMillis) {
    return `event_time ${formatTimestamp(millis)} is more than ${window.maxLeadMillis / 60_000} min after its arrival (${formatTimestamp(arrival)})`;
  }
  return undefined;
}

/** Where a record sat on the stream, for the `_origin` lineage column. */
export function streamPosition(record: FirehoseTransformationRecord): string {
  const metadata = record.kinesisRecordMetadata;
  return metadata ? `kinesis:${metadata.shardId}:${metadata.sequenceNumber}` : `firehose:${record.recordId}`;
}
