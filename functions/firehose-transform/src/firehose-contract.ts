/**
 * Firehose data-transformation contract (Kinesis Data Streams source). Field names and
 * result values exactly as Firehose sends and expects them; see docs/firehose-contract.md.
 */

export interface KinesisRecordMetadata {
  shardId: string;
  partitionKey: string;
  approximateArrivalTimestamp: number;
  sequenceNumber: string;
  subsequenceNumber: string | number;
}

export interface FirehoseTransformationRecord {
  recordId: string;
  approximateArrivalTimestamp: number;
  /** Base64 of the source record's data. */
  data: string;
  kinesisRecordMetadata?: KinesisRecordMetadata;
}

export interface FirehoseTransformationEvent {
  invocationId: string;
  deliveryStreamArn: string;
  sourceKinesisStreamArn?: string;
  region: string;
  records: FirehoseTransformationRecord[];
}

export type FirehoseResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface FirehoseTransformationResultRecord {
  recordId: string;
  result: FirehoseResult;
  /** Base64 of the transformed data. */
  data: string;
  /** Keys for dynamic partitioning, read by `!{partitionKeyFromLambda:<name>}` in S3 prefixes. */
  metadata?: { partitionKeys: Record<string, string> };
}

export interface FirehoseTransformationResponse {
  records: FirehoseTransformationResultRecord[];
}
