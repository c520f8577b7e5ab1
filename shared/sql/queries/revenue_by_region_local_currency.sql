-- name: revenue_by_region_local_currency
-- Revenue by region and country, in USD and in the country's currency at the vendor's rate of the same day.
-- Dialect: both operands of the division are cast to double (Trino divides decimals as decimals, DuckDB as doubles).
WITH day_rates AS (
  SELECT currency_code, rate_date, usd_rate
  FROM (
    SELECT r.currency_code, r.rate_date, r.usd_rate,
      row_number() OVER (PARTITION BY r.currency_code, r.rate_date ORDER BY r.dt DESC) AS rate_rank
    FROM app_market_exchange_rates r
  ) ranked_rates
  WHERE rate_rank = 1
)
SELECT
  coalesce(g.region_name, '(unknown)') AS region_name,
  d.country_code,
  coalesce(c.currency_code, '(unknown)') AS currency_code,
  CAST(sum(d.revenue_usd) AS double) AS revenue_usd,
  round(sum(CAST(d.revenue_usd AS double) / CAST(x.usd_rate AS double)), 2) AS revenue_local_currency
FROM app_market_daily_deduplicated d
LEFT JOIN app_market_countries_current c ON c.country_code = d.country_code
LEFT JOIN app_market_regions_current g ON g.region_code = c.region_code
LEFT JOIN day_rates x ON x.currency_code = c.currency_code AND x.rate_date = d.metric_date
GROUP BY coalesce(g.region_name, '(unknown)'), d.country_code, coalesce(c.currency_code, '(unknown)')
ORDER BY region_name, revenue_usd DESC;
