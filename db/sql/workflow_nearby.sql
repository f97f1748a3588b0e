-- Possible duplicates: other open complaints of the same category within
-- the given radius (metres), among those the viewer reaches (the scope, db/scope.py).
-- The bounding-box test uses the GiST index on geom; the exact test is
-- ST_DWithin on the geography (metres on the spheroid). Each comes with its field
-- supervisor, so the operator sees which report carries the work before merging.
WITH me AS (
  SELECT id, category_id, geom,
         CAST(:radius AS double precision) / 110000.0 AS dy,
         CAST(:radius AS double precision) / (110000.0 * greatest(cos(radians(ST_Y(geom))), 0.05)) AS dx
    FROM complaint WHERE id = :id AND geom IS NOT NULL
)
SELECT o.id, o.tracking_code, o.status, o.created_at, left(o.description, 160) AS description,
       o.assignee_id, u.username AS assignee, ag.short_name AS opd_short,
       ST_Distance(o.geom::geography, me.geom::geography) AS distance_m
  FROM me
  JOIN complaint o
    ON o.category_id = me.category_id
   AND o.id <> me.id
   AND o.status NOT IN ({closed})
   AND o.geom && ST_Expand(me.geom, me.dx, me.dy)
   AND ST_DWithin(o.geom::geography, me.geom::geography, :radius)
  LEFT JOIN app_user u ON u.id = o.assignee_id
  LEFT JOIN opd ag ON ag.id = o.opd_id
 WHERE {scope}
 ORDER BY distance_m, o.created_at
 LIMIT :limit;
