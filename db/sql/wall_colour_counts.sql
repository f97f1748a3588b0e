-- Complaints per status (the legend adds them up per colour), from the counts
-- the triggers of migration 0009 keep, and the open ones past their handling
-- target as 'overdue' (open complaints only, through their partial index).
SELECT s.status AS key, sum(s.n)::bigint AS n
  FROM complaint_status_count s
 WHERE {count_scope}
 GROUP BY s.status
UNION ALL
SELECT 'overdue', count(*)
  FROM complaint c
 WHERE c.status NOT IN ({closed}) AND c.due_at < now() AND {scope}
