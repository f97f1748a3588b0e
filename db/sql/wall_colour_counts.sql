-- Complaints per status (the legend adds them up per colour), and the open
-- ones past their handling target as 'overdue'.
SELECT c.status AS key, count(*) AS n
  FROM complaint c
 WHERE {scope}
 GROUP BY c.status
UNION ALL
SELECT 'overdue', count(*)
  FROM complaint c
 WHERE c.status NOT IN ({closed}) AND c.due_at < now() AND {scope}
