-- Functions and triggers of revision 0026 (a leaner single insert). Frozen
-- with the migration: later changes go into a new revision.
--
-- Measured on one report stored by pantau_create_complaint (revision 0025),
-- pg_stat_user_functions with track_functions = all: pantau_route_opd took
-- 0.060 ms a call for a statement of 0.017 ms inside it, and
-- pantau_add_working_days 0.052 ms for 0.021 ms: the rest is a plpgsql call
-- each (its frame, an executor started and ended for its one query). The
-- rules now live in set-returning SQL functions, which the planner inlines
-- into the statement that calls them from FROM (as it does
-- pantau_route_point), so the insert plans them once with everything else.
-- The scalar functions every other statement calls keep their names, their
-- answers and their kept plans: each reads its row from the same rule.

-- The OPD that handles a category at a point in a jurisdiction (rules of
-- revision 0001): the most specific contact (with a service area, then of the
-- jurisdiction, then by code), else the category's default. One row, always.
CREATE FUNCTION pantau_route_opd_row(p_category integer, p_jurisdiction integer, p geometry)
RETURNS TABLE (opd_id integer)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
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
    (SELECT default_opd_id FROM category WHERE id = p_category))
$$;

CREATE OR REPLACE FUNCTION pantau_route_opd(p_category integer, p_jurisdiction integer, p geometry)
RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT r.opd_id FROM pantau_route_opd_row(p_category, p_jurisdiction, p) r);
END $$;

-- The moment n working days after ts, at the same WIB time of day (revision
-- 0006's calendar; outside it the day-by-day scan). One row, always.
CREATE FUNCTION pantau_add_working_days_row(ts timestamptz, n integer)
RETURNS TABLE (due_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    (SELECT (w.day + (ts AT TIME ZONE 'Asia/Jakarta')::time) AT TIME ZONE 'Asia/Jakarta'
       FROM work_calendar w
      WHERE w.working
        AND w.before = (SELECT s.before FROM work_calendar s WHERE s.day = (ts AT TIME ZONE 'Asia/Jakarta')::date + 1)
                       + greatest(n, 1) - 1),
    pantau_add_working_days_scan(ts, n))
$$;

CREATE OR REPLACE FUNCTION pantau_add_working_days(ts timestamptz, n integer) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT d.due_at FROM pantau_add_working_days_row(ts, n) d);
END $$;

-- A new complaint has no response or completion time, so its working days
-- are NULL: the row trigger that computes them (revision 0005) ran on every
-- insert to write NULL over NULL. On insert it now runs only when there is
-- something to compute (an import of finished complaints); every update of
-- those times still runs it.
DROP TRIGGER complaint_working_days ON complaint;
CREATE TRIGGER complaint_working_days BEFORE UPDATE OF created_at, first_response_at, completed_at ON complaint
FOR EACH ROW EXECUTE FUNCTION pantau_complaint_working_days();
CREATE TRIGGER complaint_working_days_insert BEFORE INSERT ON complaint
FOR EACH ROW
WHEN (NEW.first_response_at IS NOT NULL OR NEW.completed_at IS NOT NULL
      OR NEW.response_working_days IS NOT NULL OR NEW.completion_working_days IS NOT NULL)
EXECUTE FUNCTION pantau_complaint_working_days();

-- Storing one report (revision 0025), with the OPD and the due time read
-- from the rows above in the same plan. Same rows, same answers.
CREATE OR REPLACE FUNCTION pantau_create_complaint(
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
    SELECT point.*, r.kelurahan_id, r.kecamatan_id, r.jurisdiction_id, r.method, c.target_days
      FROM point
      LEFT JOIN LATERAL pantau_route_point(point.geom) r ON true
      -- A join, not a subquery in the arguments below: the planner inlines no function whose arguments hold one.
      LEFT JOIN category c ON c.id = p_category_id
  ), inserted AS (
    INSERT INTO complaint (
      tracking_code, geom, address, description, category_id, channel, source,
      reporter_name, reporter_contact, anonymous, confidential, status,
      kelurahan_id, kecamatan_id, jurisdiction_id, opd_id, route_method,
      created_at, updated_at, due_at, submission_key, attributes)
    SELECT p_tracking_code, routed.geom, p_address, p_description, p_category_id, p_channel, p_source,
           p_reporter_name, p_reporter_contact, p_anonymous, p_confidential,
           CASE WHEN routed.kelurahan_id IS NULL THEN {intake.outside} ELSE {intake.inside} END,
           routed.kelurahan_id, routed.kecamatan_id, routed.jurisdiction_id, o.opd_id,
           routed.method, routed.created_at, routed.created_at, due.due_at,
           p_submission_key, p_attributes
      FROM routed
      LEFT JOIN LATERAL pantau_route_opd_row(p_category_id, routed.jurisdiction_id, routed.geom) o
        ON routed.kelurahan_id IS NOT NULL
     CROSS JOIN LATERAL pantau_add_working_days_row(routed.created_at, routed.target_days) due
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
