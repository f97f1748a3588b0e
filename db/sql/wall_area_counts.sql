-- Open complaints per area of one level, and how many of them are past their
-- handling target, for the map's shading and the names written on it, zeros
-- included; {areas} narrows it to the areas a change touched.
SELECT a.code, count(c.{level}_id) AS n, count(c.{level}_id) FILTER (WHERE c.due_at < now()) AS overdue
  FROM area a
  LEFT JOIN complaint c ON c.{level}_id = a.id AND c.status NOT IN ({closed}) AND {scope}
 WHERE a.level = '{level}' AND {areas}
 GROUP BY a.code
