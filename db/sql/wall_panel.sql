-- Entries of a side panel: the newest open reports ({filter} = open, {order} =
-- created_at) or the most recently finished ({filter} = selesai, {order} =
-- completed_at); each walks its index backwards (complaint_open_created_idx,
-- complaint_finished_idx). Same columns as wall_changes.sql; confidential
-- complaints are never listed.
SELECT c.id, c.status, c.change_seq, ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon,
       c.status NOT IN ({closed}) AND c.due_at < now() AS overdue,
       true AS in_scope, c.kelurahan_id, c.kecamatan_id,
       c.created_at, c.completed_at, c.channel, cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       kel.name AS kelurahan,
       {public_photos}
  FROM complaint c
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
 WHERE {filter} AND NOT c.confidential AND {scope}
 ORDER BY {order} DESC, c.id DESC
 LIMIT :n
