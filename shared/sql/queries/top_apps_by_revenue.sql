-- name: top_apps_by_revenue
-- Apps with the highest estimated revenue over all loaded days.
SELECT app_id, max(app_name) AS app_name, sum(downloads) AS downloads, CAST(sum(revenue_usd) AS double) AS revenue_usd
FROM app_market_daily_deduplicated
GROUP BY app_id
ORDER BY revenue_usd DESC
LIMIT 10;
