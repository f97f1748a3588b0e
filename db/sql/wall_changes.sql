-- Every complaint changed after one data version up to another, given as the
-- change tokens of those versions (wall_change_tokens.sql; the versions of
-- complaint_change_version follow commit order, so nothing committed at or
-- below the later one is missed; migration 0028), with what
-- the wall needs to redraw its marker and its panel entry. in_scope is false
-- for a complaint that no longer belongs on this wall (its marker goes).
-- Confidential complaints come too, for the shading of their areas, but
-- db/wall.py passes on only their area ids: never a marker or a panel entry.
SELECT c.id, c.status, c.change_seq, ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon,
       c.status NOT IN ({closed}) AND c.due_at < now() AS overdue,
       ({scope}) AS in_scope, c.kelurahan_id, c.kecamatan_id,
       c.created_at, c.completed_at, c.channel, cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       kel.name AS kelurahan, c.confidential,
       {public_photos}
  FROM complaint c
  JOIN complaint_change_version v ON v.token = c.change_seq
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
 WHERE c.change_seq = ANY(CAST(:tokens AS bigint[]))
 ORDER BY v.version, c.change_seq, c.id
 LIMIT :limit
