/**
 * Service limits the codec and producers are built around (see docs/decisions/0003-record-packing.md
 * for the sources).
 */

/** Kinesis: a record's data blob plus partition key may not exceed 1 MiB. */
export const KINESIS_MAX_RECORD_BYTES = 1_048_576;
/** Kinesis: a partition key is 1–256 Unicode characters. */
export const KINESIS_MAX_PARTITION_KEY_LENGTH = 256;
/** Kinesis PutRecords: at most 500 records per call. */
export const KINESIS_MAX_RECORDS_PER_PUT = 500;
/** Kinesis PutRecords: at most 5 MiB per call, data and partition keys together. */
export const KINESIS_MAX_BYTES_PER_PUT = 5 * 1_048_576;
/** Kinesis: a shard accepts 1,000 records/s and 1 MiB/s. */
export const KINESIS_SHARD_RECORDS_PER_SECOND = 1_000;
export const KINESIS_SHARD_BYTES_PER_SECOND = 1_048_576;
/** Firehose reads records of at most 1,000 KiB from a stream. */
export const FIREHOSE_MAX_RECORD_BYTES = 1_024_000;
/** Firehose bills ingestion per record, rounded up to the next 5 KB. */
export const FIREHOSE_BILLING_INCREMENT_BYTES = 5_120;
/** Lambda: a synchronous invocation's response may not exceed 6 MB. */
export const LAMBDA_MAX_RESPONSE_BYTES = 6_291_456;
/**
 * Default target size of a packed Kinesis record. Just under one Firehose billing increment,
 * whether "5 KB" is read as 5,000 or 5,120 bytes, so a pack never pays for a second increment.
 */
export const DEFAULT_PACK_TARGET_BYTES = 5_000;
