-- The export of one filtered set as GeoJSON features, one text per row: the
-- rows of leaders_export.sql, filled in below, with their point as the geometry.
SELECT json_build_object(
         'type', 'Feature',
         'id', e.tracking_code,
         'geometry', CASE WHEN e.lon IS NULL THEN NULL
                          ELSE json_build_object('type', 'Point', 'coordinates', json_build_array(e.lon, e.lat)) END,
         'properties', to_json(e)
       )::text AS feature
  FROM ({export}) e
