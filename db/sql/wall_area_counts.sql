-- Open complaints per area of one level, for the map's shading, zeros
-- included; {areas} narrows it to the areas a change touched.
SELECT a.code, count(c.{level}_id) AS n
  FROM area a
  LEFT JOIN complaint c ON c.{level}_id = a.id AND c.status NOT IN ({closed}) AND {scope}
 WHERE a.level = '{level}' AND {areas}
 GROUP BY a.code
