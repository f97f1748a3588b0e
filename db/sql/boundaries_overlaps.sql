-- Neighbours whose polygons overlap by more than :min_m2 square metres.
SELECT a.code AS code_a, b.code AS code_b,
       ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS area_m2
  FROM boundary_stage a
  JOIN boundary_stage b ON a.code < b.code AND ST_Intersects(a.geom, b.geom)
 WHERE ST_Area(ST_Intersection(a.geom, b.geom)::geography) > :min_m2
 ORDER BY area_m2 DESC;
