-- Where a report outside the city's intake could go: the served city whose boundary contains it, else the
-- nearest served city, with the distance in metres on the ellipsoid (0 inside).
SELECT a.code, a.name, round(ST_Distance(a.geom::geography, c.geom::geography)) AS distance_m
  FROM complaint c
  JOIN area a ON a.level = 'kota' AND a.geom IS NOT NULL
 WHERE c.id = :id AND c.geom IS NOT NULL
 ORDER BY ST_Distance(a.geom, c.geom), a.code
 LIMIT 1;
