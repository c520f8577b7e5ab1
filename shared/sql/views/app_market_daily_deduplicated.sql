-- One row per (metric_date, app_id, country_code, device): replays and resumed runs count once;
-- the latest vendor revision wins.
CREATE OR REPLACE VIEW app_market_daily_deduplicated AS
SELECT *
FROM (
  SELECT d.*, row_number() OVER (PARTITION BY _dedup_key ORDER BY updated_at DESC, _ingested_at DESC) AS duplicate_rank
  FROM app_market_daily d
) ranked
WHERE duplicate_rank = 1;
