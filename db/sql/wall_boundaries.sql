-- One level of boundaries as a GeoJSON FeatureCollection for the wall map:
-- simplified to about :tolerance degrees and 4 decimals (about 11 m, the
-- precision of the thinned sources), each
-- feature's id its official code and its properties the names the map shows
-- on hover and, for the names written on the map, a point inside the area. {area_scope} keeps the areas of the wall's focus.
SELECT json_build_object(
         'type', 'FeatureCollection',
         'features', coalesce(json_agg(json_build_object(
           'type', 'Feature',
           'id', a.code,
           'properties', json_build_object('name', a.name, 'parent', p.name,
                                         'label', json_build_array(round(ST_X(ST_PointOnSurface(a.geom))::numeric, 5),
                                                                   round(ST_Y(ST_PointOnSurface(a.geom))::numeric, 5))),
           'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, :tolerance), 4)::json
         ) ORDER BY a.code), '[]'::json)
       )::text AS geojson,
       ST_XMin(ST_Extent(a.geom)) AS west, ST_YMin(ST_Extent(a.geom)) AS south,
       ST_XMax(ST_Extent(a.geom)) AS east, ST_YMax(ST_Extent(a.geom)) AS north
  FROM area a
  LEFT JOIN area p ON p.id = a.parent_id
 WHERE a.level = :level AND a.geom IS NOT NULL AND {area_scope}
