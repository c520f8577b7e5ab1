-- One row per event, even after Firehose retries or producer re-sends (same _dedup_key).
-- Runs unchanged on Athena (Presto/Trino SQL) and DuckDB.
CREATE OR REPLACE VIEW events_deduplicated AS
SELECT *
FROM (
  SELECT e.*, row_number() OVER (PARTITION BY _dedup_key ORDER BY _ingested_at) AS duplicate_rank
  FROM events e
) ranked
WHERE duplicate_rank = 1;
