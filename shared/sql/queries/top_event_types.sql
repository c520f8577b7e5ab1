-- name: top_event_types
-- The ten most frequent event types (the payload's "type").
SELECT coalesce(event_type, '(none)') AS event_type, count(*) AS events
FROM events_deduplicated
GROUP BY 1
ORDER BY events DESC, event_type
LIMIT 10;
