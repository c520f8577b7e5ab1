-- name: freshness
-- How recent the newest curated record of each dataset is.
SELECT 'events' AS dataset, CAST(max(_ingested_at) AS varchar) AS newest_ingested_at, count(*) AS records FROM events_deduplicated
UNION ALL
SELECT 'app_market_daily' AS dataset, CAST(max(_ingested_at) AS varchar) AS newest_ingested_at, count(*) AS records FROM app_market_daily_deduplicated;
