-- :n random points spread over the kelurahan in proportion to their area.
WITH kel AS (
  SELECT id, geom, ST_Area(geom::geography) AS area FROM area WHERE level = 'kelurahan'
), share AS (
  SELECT geom, ceil(:n * area / sum(area) OVER ())::int AS k FROM kel
)
SELECT ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
  FROM share, LATERAL ST_Dump(ST_GeneratePoints(share.geom, share.k, :seed)) p
 WHERE share.k > 0
 ORDER BY random()
 LIMIT :n;
