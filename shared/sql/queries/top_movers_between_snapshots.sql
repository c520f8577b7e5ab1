-- name: top_movers_between_snapshots
-- Apps whose revenue changed most between the two newest days, with current name and publisher (absent on a day = 0).
WITH newest AS (
  SELECT max(dt) AS newest_dt FROM app_market_daily_deduplicated
), before_newest AS (
  SELECT max(d.dt) AS previous_dt FROM app_market_daily_deduplicated d CROSS JOIN newest n WHERE d.dt < n.newest_dt
), per_app AS (
  SELECT
    d.app_id,
    sum(CASE WHEN d.dt = n.newest_dt THEN d.revenue_usd ELSE 0 END) AS newest_revenue,
    sum(CASE WHEN d.dt = b.previous_dt THEN d.revenue_usd ELSE 0 END) AS previous_revenue
  FROM app_market_daily_deduplicated d
  CROSS JOIN newest n
  CROSS JOIN before_newest b
  WHERE d.dt >= coalesce(b.previous_dt, n.newest_dt)
  GROUP BY d.app_id
)
SELECT
  m.app_id,
  coalesce(a.app_name, '(unlisted)') AS app_name,
  coalesce(p.publisher_name, '(unlisted)') AS publisher_name,
  CAST(b.previous_dt AS varchar) AS previous_day,
  CAST(n.newest_dt AS varchar) AS newest_day,
  CAST(m.previous_revenue AS double) AS previous_revenue_usd,
  CAST(m.newest_revenue AS double) AS newest_revenue_usd,
  CAST(m.newest_revenue - m.previous_revenue AS double) AS revenue_change_usd
FROM per_app m
CROSS JOIN newest n
CROSS JOIN before_newest b
LEFT JOIN app_market_apps_current a ON a.app_id = m.app_id
LEFT JOIN app_market_publishers_current p ON p.publisher_id = a.publisher_id
ORDER BY abs(m.newest_revenue - m.previous_revenue) DESC, m.app_id
LIMIT 20;
