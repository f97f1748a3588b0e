-- Functions of revision 0025 (the single insert's path). Frozen with the
-- migration: later changes go into a new revision.
--
-- Storing one report called pantau_route_opd and pantau_add_working_days once
-- each. As LANGUAGE sql functions that cannot be inlined (they hold
-- subqueries), PostgreSQL 15 parses and plans their bodies again for every
-- statement that calls them: 0.14 ms and 0.07 ms of planning on each insert,
-- more than the routing and the row itself. The same bodies in plpgsql keep
-- their plans for the session (pg_stat_statements: 6 plans in 2,000 calls
-- instead of 2,000), and a bulk statement calling them per row costs the same.
-- What they answer is unchanged.

CREATE OR REPLACE FUNCTION pantau_route_opd(p_category integer, p_jurisdiction integer, p geometry)
RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce(
    (SELECT o.id
       FROM category_opd co
       JOIN opd o ON o.id = co.opd_id
      WHERE co.category_id = p_category
        AND (o.jurisdiction_id IS NULL OR o.jurisdiction_id = p_jurisdiction)
        AND (
          NOT EXISTS (SELECT 1 FROM opd_service_area s WHERE s.opd_id = o.id)
          OR EXISTS (SELECT 1 FROM opd_service_area s WHERE s.opd_id = o.id AND p IS NOT NULL AND ST_Intersects(s.geom, p))
        )
      ORDER BY
        EXISTS (SELECT 1 FROM opd_service_area s WHERE s.opd_id = o.id) DESC,
        (o.jurisdiction_id IS NOT NULL) DESC,
        o.code
      LIMIT 1),
    (SELECT default_opd_id FROM category WHERE id = p_category));
END $$;

CREATE OR REPLACE FUNCTION pantau_add_working_days(ts timestamptz, n integer) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce(
    (SELECT (w.day + (ts AT TIME ZONE 'Asia/Jakarta')::time) AT TIME ZONE 'Asia/Jakarta'
       FROM work_calendar w
      WHERE w.working
        AND w.before = (SELECT s.before FROM work_calendar s WHERE s.day = (ts AT TIME ZONE 'Asia/Jakarta')::date + 1)
                       + greatest(n, 1) - 1),
    pantau_add_working_days_scan(ts, n));
END $$;

-- The complaints-per-status counts (revision 0009) gathered each statement's
-- difference into a jsonb array and unpacked it again to insert it: a fifth of
-- the trigger's time on a single insert. Each kind of change now inserts its
-- difference straight from its transition tables. Same rows, same key order.
CREATE OR REPLACE FUNCTION pantau_status_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM complaint_status_count;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    SELECT coalesce(jurisdiction_id, 0), coalesce(kecamatan_id, 0), status, count(*)
      FROM new_rows
     GROUP BY 1, 2, 3
     -- In key order, so two statements never wait on each other's rows in opposite orders.
     ORDER BY 1, 2, 3
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    SELECT coalesce(jurisdiction_id, 0), coalesce(kecamatan_id, 0), status, -count(*)
      FROM old_rows
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + EXCLUDED.n;
  ELSE
    -- Only the rows whose status or area changed: one less where they were, one more where they are.
    INSERT INTO complaint_status_count AS s (jurisdiction_key, kecamatan_key, status, n)
    SELECT j, k, st, d
      FROM (SELECT v.j, v.k, v.st, sum(v.d) AS d
              FROM old_rows o
              JOIN new_rows n ON n.id = o.id
             CROSS JOIN LATERAL (VALUES (coalesce(o.jurisdiction_id, 0), coalesce(o.kecamatan_id, 0), o.status, -1),
                                        (coalesce(n.jurisdiction_id, 0), coalesce(n.kecamatan_id, 0), n.status, 1))
                   AS v(j, k, st, d)
             WHERE (o.status, o.kecamatan_id, o.jurisdiction_id) IS DISTINCT FROM (n.status, n.kecamatan_id, n.jurisdiction_id)
             GROUP BY 1, 2, 3) x
     WHERE d <> 0
     ORDER BY j, k, st
    ON CONFLICT (jurisdiction_key, kecamatan_key, status) DO UPDATE SET n = s.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;

-- Storing one report: route it, insert it, its 'created' and 'routed' events,
-- and the reporter's 'received' message (to p_notify_* as db/outbox.py's
-- addressee chose; none when p_notify_channel is NULL), in one statement.
-- A repeated submission (same submission_key) inserts nothing and returns no
-- row; the caller reads back the first one.
--
-- A function, not a statement sent by the app, so that its plan is kept: the
-- driver prepares a statement after a few runs, but drops every prepared
-- statement of a connection when a transaction on it rolls back, which every
-- read through the pool does (psycopg, on ROLLBACK). The app's inserts were
-- planned again each time (0.9 ms of planning, pg_stat_statements: 600 plans
-- in 600 calls with a read between inserts); plpgsql keeps the plan for the
-- session whatever the connection does between calls.
CREATE FUNCTION pantau_create_complaint(
  p_tracking_code text, p_lon double precision, p_lat double precision, p_address text, p_description text,
  p_category_id integer, p_channel text, p_source text, p_reporter_name text, p_reporter_contact text,
  p_anonymous boolean, p_confidential boolean, p_created_at timestamptz, p_submission_key text, p_attributes jsonb,
  p_actor_id integer, p_actor_role text, p_notify_channel text, p_notify_recipient text, p_notify_lang text)
RETURNS TABLE (new_id bigint, new_status varchar)
LANGUAGE plpgsql AS $$
BEGIN
  WITH point AS (
    SELECT CASE WHEN p_lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4326) END AS geom,
           coalesce(p_created_at, now()) AS created_at
  ), routed AS (
    SELECT point.*, r.kelurahan_id, r.kecamatan_id, r.jurisdiction_id, r.method
      FROM point LEFT JOIN LATERAL pantau_route_point(point.geom) r ON true
  ), inserted AS (
    INSERT INTO complaint (
      tracking_code, geom, address, description, category_id, channel, source,
      reporter_name, reporter_contact, anonymous, confidential, status,
      kelurahan_id, kecamatan_id, jurisdiction_id, opd_id, route_method,
      created_at, updated_at, due_at, submission_key, attributes)
    SELECT p_tracking_code, routed.geom, p_address, p_description, p_category_id, p_channel, p_source,
           p_reporter_name, p_reporter_contact, p_anonymous, p_confidential,
           CASE WHEN routed.kelurahan_id IS NULL THEN {intake.outside} ELSE {intake.inside} END,
           routed.kelurahan_id, routed.kecamatan_id, routed.jurisdiction_id,
           CASE WHEN routed.kelurahan_id IS NULL THEN NULL
                ELSE pantau_route_opd(p_category_id, routed.jurisdiction_id, routed.geom) END,
           routed.method, routed.created_at, routed.created_at,
           pantau_add_working_days(routed.created_at, (SELECT c.target_days FROM category c WHERE c.id = p_category_id)),
           p_submission_key, p_attributes
      FROM routed
    ON CONFLICT (submission_key) DO NOTHING
    RETURNING complaint.id, complaint.status, complaint.kelurahan_id, complaint.opd_id, complaint.route_method,
              complaint.created_at, complaint.channel
  ), events AS (
    INSERT INTO complaint_event (complaint_id, kind, at, actor_id, actor_role, to_status, data)
    SELECT i.id, 'created', i.created_at, p_actor_id, p_actor_role, i.status, jsonb_build_object('channel', i.channel)
      FROM inserted i
    UNION ALL
    SELECT i.id, 'routed', i.created_at, NULL, 'system', i.status,
           jsonb_build_object('kelurahan', kel.code, 'opd', o.code, 'method', i.route_method)
      FROM inserted i JOIN area kel ON kel.id = i.kelurahan_id LEFT JOIN opd o ON o.id = i.opd_id
  ), received AS (
    INSERT INTO notification (complaint_id, kind, channel, recipient, lang, confidential, facts)
    SELECT i.id, 'received', p_notify_channel, p_notify_recipient, p_notify_lang, p_confidential,
           jsonb_build_object('status', i.status)
      FROM inserted i
     WHERE p_notify_channel IS NOT NULL
  )
  SELECT i.id, i.status INTO new_id, new_status FROM inserted i;
  IF new_id IS NOT NULL THEN
    RETURN NEXT;
  END IF;
END $$;
