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
