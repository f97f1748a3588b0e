-- One complaint's card on the wall, only when the screen asking could draw it:
-- in its {scope}, {drawable} (never a confidential complaint) and in a status
-- wall_markers.sql draws (open, finished in the last :recent_days days, or
-- rejected / duplicate when the screen shows those). The marker budgets are
-- not re-checked: everything within these conditions is public anyway. No
-- reporter data at all.
SELECT c.id, c.tracking_code, c.status, c.created_at, c.completed_at, c.due_at,
       c.status NOT IN ({closed}) AND c.due_at < now() AS overdue,
       c.description,
       cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       kel.name AS kelurahan, kec.name AS kecamatan, kota.name AS kota,
       o.name AS opd, o.short_name AS opd_short,
       -- Overdue work chased (db/chase.py): each reminder and escalation, its stage and when; no text.
       (SELECT json_agg(json_build_object('stage', ch.stage, 'kind', ch.kind, 'at', ch.at) ORDER BY ch.at)
          FROM complaint_chase ch WHERE ch.complaint_id = c.id) AS chases,
       {public_photos}
  FROM complaint c
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
  LEFT JOIN area kec ON kec.id = c.kecamatan_id
  LEFT JOIN area kota ON kota.id = c.jurisdiction_id
  LEFT JOIN opd o ON o.id = c.opd_id
 WHERE c.id = :id AND {drawable} AND {scope}
   AND (c.status NOT IN ({closed})
        OR (c.status IN ({green}) AND c.completed_at > now() - make_interval(days => :recent_days))
        OR (c.status IN ({grey}) AND :grey))
