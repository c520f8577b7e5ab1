/**
 * How the rows of a vendor dataset's data file reach `curated/` (decision 0018). Read from each
 * collector manifest's `bulk.dataFileDelivery`: by the collector (which path to run), by infra (the
 * collector role may write the data file's curated prefix only when a manifest says `direct`) and by
 * the local reconciliation (direct rows are counted from the run report, not from delivery manifests).
 */

/**
 * - `stream`: packed rows go to Kinesis; Firehose and the transform Lambda curate them.
 * - `direct`: the collector validates the rows with the same compiled validators and writes them as
 *   curated Parquet itself, one object per snapshot, part and `dt` (`directBulkPartKey`).
 */
export const BULK_DELIVERIES = ['stream', 'direct'] as const;

/** One of `BULK_DELIVERIES`. */
export type BulkDelivery = (typeof BULK_DELIVERIES)[number];

/** What a manifest without `bulk.dataFileDelivery` gets: the streaming path, every row through the transform. */
export const DEFAULT_BULK_DELIVERY: BulkDelivery = 'stream';

/**
 * Data rows per direct part: one part is one checkpoint (written, uploaded, then recorded), so this
 * bounds the rows written again after a kill and the size of the local part file (~30 MB of Parquet
 * for 500,000 app_market_daily rows).
 */
export const DEFAULT_DIRECT_PART_ROWS = 500_000;
