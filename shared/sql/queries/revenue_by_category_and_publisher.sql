-- name: revenue_by_category_and_publisher
-- Revenue by category and publisher name: deduplicated facts joined with the current apps, publishers and categories.
SELECT
  coalesce(c.category_name, '(unlisted)') AS category_name,
  coalesce(p.publisher_name, '(unlisted)') AS publisher_name,
  count(DISTINCT d.app_id) AS apps,
  sum(d.downloads) AS downloads,
  CAST(sum(d.revenue_usd) AS double) AS revenue_usd
FROM app_market_daily_deduplicated d
LEFT JOIN app_market_apps_current a ON a.app_id = d.app_id
LEFT JOIN app_market_publishers_current p ON p.publisher_id = a.publisher_id
LEFT JOIN app_market_categories_current c ON c.category_id = d.category_id
GROUP BY coalesce(c.category_name, '(unlisted)'), coalesce(p.publisher_name, '(unlisted)')
ORDER BY revenue_usd DESC, category_name, publisher_name
LIMIT 20;
