-- Store and route one complaint in a single statement: the point's kelurahan,
-- kecamatan and jurisdiction, the category's OPD there, the due date, the
-- 'created' and 'routed' events, and the reporter's 'received' message (to
-- where db/outbox.py's addressee chose; none when :notify_channel is NULL).
-- One statement is one round trip, and it holds the data-version row
-- (pantau_txn_version) for less time than several would. A repeated
-- submission (same submission_key) inserts nothing and the caller reads back
-- the first one.
WITH point AS (
  SELECT CASE WHEN CAST(:lon AS double precision) IS NULL THEN NULL
              ELSE ST_SetSRID(ST_MakePoint(CAST(:lon AS double precision), CAST(:lat AS double precision)), 4326) END AS geom,
         coalesce(CAST(:created_at AS timestamptz), now()) AS created_at
), routed AS (
  SELECT point.*, r.kelurahan_id, r.kecamatan_id, r.jurisdiction_id, r.method
    FROM point LEFT JOIN LATERAL pantau_route_point(point.geom) r ON true
), inserted AS (
  INSERT INTO complaint (
    tracking_code, geom, address, description, category_id, channel, source,
    reporter_name, reporter_contact, anonymous, confidential, status,
    kelurahan_id, kecamatan_id, jurisdiction_id, opd_id, route_method,
    created_at, updated_at, due_at, submission_key, attributes)
  SELECT :tracking_code, geom, CAST(:address AS text), :description, :category_id, :channel, CAST(:source AS text),
         CAST(:reporter_name AS text), CAST(:reporter_contact AS text), :anonymous, :confidential,
         CASE WHEN kelurahan_id IS NULL THEN {intake.outside} ELSE {intake.inside} END,
         kelurahan_id, kecamatan_id, jurisdiction_id,
         CASE WHEN kelurahan_id IS NULL THEN NULL ELSE pantau_route_opd(:category_id, jurisdiction_id, geom) END,
         method, created_at, created_at,
         pantau_add_working_days(created_at, (SELECT target_days FROM category WHERE id = :category_id)),
         :submission_key, CAST(:attributes AS jsonb)
    FROM routed
  ON CONFLICT (submission_key) DO NOTHING
  RETURNING id, status, kelurahan_id, opd_id, route_method, created_at, channel
), events AS (
  INSERT INTO complaint_event (complaint_id, kind, at, actor_id, actor_role, to_status, data)
  SELECT id, 'created', created_at, CAST(:actor_id AS integer), CAST(:actor_role AS text), status, jsonb_build_object('channel', channel) FROM inserted
  UNION ALL
  SELECT i.id, 'routed', i.created_at, NULL, 'system', i.status,
         jsonb_build_object('kelurahan', kel.code, 'opd', o.code, 'method', i.route_method)
    FROM inserted i JOIN area kel ON kel.id = i.kelurahan_id LEFT JOIN opd o ON o.id = i.opd_id
), received AS (
  INSERT INTO notification (complaint_id, kind, channel, recipient, lang, confidential, facts)
  SELECT id, 'received', CAST(:notify_channel AS text), CAST(:notify_recipient AS text), CAST(:notify_lang AS text),
         :confidential, jsonb_build_object('status', status)
    FROM inserted
   WHERE CAST(:notify_channel AS text) IS NOT NULL
)
SELECT id, status FROM inserted;
