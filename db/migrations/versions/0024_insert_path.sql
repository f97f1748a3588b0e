-- Functions of revision 0024 (the single insert's path). Frozen with the
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
