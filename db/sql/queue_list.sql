-- The operators' queue: work in the order it should be handled. New reports
-- first, then those outside every boundary (they wait for an operator), then
-- completions waiting for an operator's confirmation and handovers whose door failed, then overdue ones (a manual handover past its follow-up
-- day too); within each, the most overdue and then the oldest first.
-- The scope limits it to what the viewer reaches (db/scope.py: an agency, a
-- field supervisor's jobs, some kecamatan).
-- The order and the count are worked out on complaint alone (codes turned into
-- ids first); names are joined only for the rows shown.
WITH matching AS MATERIALIZED (
  SELECT c.id, c.status, c.due_at, c.created_at, c.handover_due
    FROM complaint c
   WHERE c.status = ANY(CAST(:statuses AS text[]))
     AND (CAST(:category AS text) IS NULL OR c.category_id = (SELECT id FROM category WHERE code = :category))
     AND (CAST(:opd AS text) IS NULL OR c.opd_id = (SELECT id FROM opd WHERE code = :opd))
     AND (CAST(:kecamatan AS text) IS NULL
          OR c.kecamatan_id = (SELECT id FROM area WHERE code = :kecamatan AND level = 'kecamatan'))
     AND (NOT :overdue_only OR c.due_at < now())
     AND (CAST(:q AS text) IS NULL OR c.tracking_code ILIKE :q || '%' OR c.description ILIKE '%' || :q || '%')
     AND {scope}
), top AS (
  SELECT id, CASE WHEN status = {intake.inside} THEN 0
                  WHEN status = {intake.outside} THEN 1
                  WHEN status IN ({confirm.sources}) OR status IN ({resend.sources}) THEN 2
                  WHEN due_at < now() OR handover_due < now() THEN 3
                  ELSE 4 END AS urgency, due_at, created_at
    FROM matching
   ORDER BY urgency, due_at NULLS LAST, created_at, id
   LIMIT :limit
)
SELECT c.id, c.tracking_code, c.status, c.created_at, c.due_at, c.confidential,
       (c.due_at < now() AND c.status NOT IN ({closed})) AS overdue,
       left(c.description, 160) AS description,
       ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       cat.code AS category_code, cat.name_id AS category_name_id, cat.name_en AS category_name_en,
       -- A report handed over by hand shows where it went (db/jurisdictions.py).
       o.code AS opd_code, coalesce(o.short_name, '→ ' || h.name) AS opd_short, kota.code AS kota_code,
       -- ... and the day it is followed up (db/jurisdictions.py: HANDOVER_WORKING_DAYS), late once past.
       c.handover_due, (c.handover_due < now() AND c.status NOT IN ({closed})) AS handover_overdue,
       kel.name AS kelurahan, kec.name AS kecamatan, u.username AS assignee,
       -- Overdue work chased (db/chase.py): 'escalation' once escalated, else 'reminder' once reminded.
       (SELECT CASE WHEN bool_or(ch.kind = 'escalation') THEN 'escalation' ELSE 'reminder' END
          FROM complaint_chase ch WHERE ch.complaint_id = c.id HAVING count(*) > 0) AS chased,
       -- Why sending it through its destination's door failed (db/doors.py).
       (SELECT hv.last_error FROM handover hv
         WHERE hv.complaint_id = c.id AND c.status IN ({resend.sources})) AS handover_error,
       (SELECT count(*) FROM matching) AS total
  FROM top
  JOIN complaint c ON c.id = top.id
  JOIN category cat ON cat.id = c.category_id
  LEFT JOIN opd o ON o.id = c.opd_id
  LEFT JOIN area kel ON kel.id = c.kelurahan_id
  LEFT JOIN area kec ON kec.id = c.kecamatan_id
  LEFT JOIN area kota ON kota.id = c.jurisdiction_id
  LEFT JOIN app_user u ON u.id = c.assignee_id
  LEFT JOIN jurisdiction h ON h.code = c.handover_to
 ORDER BY top.urgency, top.due_at NULLS LAST, top.created_at, top.id;
