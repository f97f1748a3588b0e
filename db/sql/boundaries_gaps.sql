-- Holes in the union of each city's areas: slivers that no area covers.
WITH city AS (
  SELECT kota_code, ST_Union(geom) AS geom FROM boundary_stage GROUP BY kota_code
), part AS (
  SELECT kota_code, (ST_Dump(geom)).geom AS geom FROM city
), hole AS (
  SELECT kota_code, ST_MakePolygon(ST_InteriorRingN(geom, n)) AS geom
    FROM part, generate_series(1, ST_NumInteriorRings(geom)) n
)
SELECT kota_code, count(*) AS gaps,
       coalesce(sum(ST_Area(geom::geography)), 0) AS total_m2,
       coalesce(max(ST_Area(geom::geography)), 0) AS largest_m2
  FROM hole GROUP BY kota_code ORDER BY kota_code;
