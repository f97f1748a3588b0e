-- Every area with its parent and population, and (at :level only) its outline
-- simplified to about :tolerance degrees with 5 decimals (about 1 m), and its
-- bounding box: the filter lists and the dashboard's choropleth.
SELECT a.id, a.code, a.name, a.level, a.parent_id, a.population,
       CASE WHEN a.level = :level THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, :tolerance), 5) END AS geometry,
       ST_XMin(a.geom) AS west, ST_YMin(a.geom) AS south, ST_XMax(a.geom) AS east, ST_YMax(a.geom) AS north
  FROM area a
 ORDER BY a.level, a.code
