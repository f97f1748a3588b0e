-- Jobs to do in the field: nearest to the given lon/lat first when a position is
-- given and nearest is asked for, otherwise (and after that) the oldest first;
-- only those the viewer reaches (the scope, db/scope.py).
WITH here AS (
  SELECT CASE WHEN CAST(:lon AS double precision) IS NULL THEN NULL
              ELSE ST_SetSRID(ST_MakePoint(CAST(:lon AS double precision), CAST(:lat AS double precision)), 4326)::geography
         END AS p
)
SELECT c.id, c.tracking_code, c.status, c.created_at, c.due_at, c.version, c.confidential,
       (c.due_at < now()) AS overdue,
       c.description, c.address,
       ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       cat.code AS category_code, cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       o.code AS opd_code, o.short_name AS opd_short,
       kel.name AS kelurahan, kec.name AS kecamatan,
       ST_Distance(c.geom::geography, here.p) AS distance_m
  FROM complaint c
 CROSS JOIN here
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN opd o ON o.id = c.opd_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
  LEFT JOIN area kec ON kec.id = c.kecamatan_id
 WHERE c.status = ANY(CAST(:statuses AS text[]))
   AND {scope}
 ORDER BY CASE WHEN :nearest THEN ST_Distance(c.geom::geography, here.p) END NULLS LAST, c.created_at, c.id
 LIMIT :limit;
