-- Store and route every staged complaint in one statement (the set-based twin of
-- complaint_create.sql), with 'created' and 'routed' events. Rows whose
-- submission_key exists already are skipped as duplicate submissions.
-- The points are routed all at once through the routing grid (migration
-- 0002), which gives each the kelurahan and method pantau_route_point would;
-- the kecamatan and city follow from the kelurahan as they do there.
WITH routed AS (
  SELECT s.*, g.geom, r.kelurahan_id, kec.id AS kecamatan_id, kec.parent_id AS jurisdiction_id, r.method
    FROM complaint_stage s
    CROSS JOIN LATERAL (SELECT CASE WHEN s.lon IS NULL THEN NULL
                                    ELSE ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) END AS geom) g
    LEFT JOIN pantau_route_staged('complaint_stage', 'line') r ON r.point_key = s.line
    LEFT JOIN area kel ON kel.id = r.kelurahan_id
    LEFT JOIN area kec ON kec.id = kel.parent_id
), inserted AS (
  INSERT INTO complaint (
    tracking_code, geom, address, description, category_id, channel, source,
    reporter_name, reporter_contact, anonymous, confidential, status,
    kelurahan_id, kecamatan_id, jurisdiction_id, opd_id, route_method,
    created_at, updated_at, due_at, submission_key, attributes)
  SELECT tracking_code, geom, address, description, category_id, channel, source,
         reporter_name, reporter_contact, anonymous, confidential,
         CASE WHEN kelurahan_id IS NULL THEN {intake.outside} ELSE {intake.inside} END,
         kelurahan_id, kecamatan_id, jurisdiction_id,
         CASE WHEN kelurahan_id IS NULL THEN NULL ELSE pantau_route_opd(category_id, jurisdiction_id, geom) END,
         method, created_at, created_at,
         pantau_add_working_days(created_at, (SELECT target_days FROM category c WHERE c.id = routed.category_id)),
         submission_key, COALESCE(attributes, '{}'::jsonb)
    FROM routed
   ORDER BY line
  ON CONFLICT (submission_key) DO NOTHING
  RETURNING id, status, kelurahan_id, opd_id, route_method, created_at, channel
), events AS (
  INSERT INTO complaint_event (complaint_id, kind, at, actor_role, to_status, data)
  SELECT id, 'created', created_at, 'import', status, jsonb_build_object('channel', channel) FROM inserted
  UNION ALL
  SELECT i.id, 'routed', i.created_at, 'system', i.status,
         jsonb_build_object('kelurahan', kel.code, 'opd', o.code, 'method', i.route_method)
    FROM inserted i JOIN area kel ON kel.id = i.kelurahan_id LEFT JOIN opd o ON o.id = i.opd_id
)
SELECT count(*) AS stored, count(*) FILTER (WHERE status = {intake.outside}) AS outside FROM inserted;
