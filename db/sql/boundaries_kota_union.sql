-- A city's outline is the union of its kecamatan.
UPDATE area k
   SET geom = u.geom, updated_at = now()
  FROM (SELECT parent_id, ST_Multi(ST_Union(geom)) AS geom
          FROM area WHERE level = 'kecamatan' AND geom IS NOT NULL GROUP BY parent_id) u
 WHERE k.id = u.parent_id AND k.level = 'kota';
