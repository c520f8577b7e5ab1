-- name: records_per_day
-- Curated records per day and dataset (deduplicated).
SELECT 'events' AS dataset, CAST(dt AS varchar) AS day, count(*) AS records FROM events_deduplicated GROUP BY dt
UNION ALL
SELECT 'app_market_daily' AS dataset, CAST(dt AS varchar) AS day, count(*) AS records FROM app_market_daily_deduplicated GROUP BY dt
ORDER BY day, dataset;
