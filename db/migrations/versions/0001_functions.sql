-- Functions and triggers of revision 0001. Frozen with the migration: later
-- changes go into a new revision.

INSERT INTO data_version (id, version) VALUES (1, 0);

-- Within one transaction every complaint change gets the same version number,
-- taken from data_version once. The row lock on data_version is held until
-- commit, so versions are handed out in commit order: a reader that has seen
-- version V and asks for change_seq > V misses nothing.
CREATE FUNCTION pantau_txn_version() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v text := current_setting('pantau.txn_version', true);
  txid text := txid_current()::text;
BEGIN
  IF v IS NOT NULL AND v <> '' AND split_part(v, ':', 1) = txid THEN
    RETURN split_part(v, ':', 2)::bigint;
  END IF;
  UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
  PERFORM set_config('pantau.txn_version', txid || ':' || v, true);
  RETURN v::bigint;
END $$;

CREATE FUNCTION pantau_complaint_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_seq := pantau_txn_version();
  IF TG_OP = 'UPDATE' THEN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER complaint_touch BEFORE INSERT OR UPDATE ON complaint
FOR EACH ROW EXECUTE FUNCTION pantau_complaint_touch();

-- The history is append-only: nothing rewrites what happened.
CREATE FUNCTION pantau_event_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'complaint_event is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER complaint_event_append_only BEFORE UPDATE OR DELETE ON complaint_event
FOR EACH ROW EXECUTE FUNCTION pantau_event_immutable();

-- Routing a point to its kelurahan. Boundaries are thinned source data with
-- sliver gaps and overlaps up to ~11 m between neighbours, so:
--   1. a point covered by one or more kelurahan goes to the one with the
--      smallest code (deterministic for points on shared edges and overlaps);
--   2. a point in no kelurahan but within 25 m of one goes to the nearest;
--   3. anything else routes nowhere (the caller keeps it as luar_wilayah).
-- 0.0003 degrees (>= 33 m at these latitudes) is only an index pre-filter;
-- the 25 m test is on the geography.
CREATE FUNCTION pantau_route_point(p geometry)
RETURNS TABLE (kelurahan_id integer, kecamatan_id integer, jurisdiction_id integer, method text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- No ORDER BY over the UNION: Append runs its branches in order and the
  -- outer LIMIT stops it, so the costly nearest search runs only on a miss.
  WITH hit AS MATERIALIZED (
    (SELECT a.id, 'within'::text AS method
       FROM area a
      WHERE a.level = 'kelurahan' AND ST_Intersects(a.geom, p)
      ORDER BY a.code
      LIMIT 1)
    UNION ALL
    (SELECT a.id, 'nearest'::text
       FROM area a
      WHERE a.level = 'kelurahan' AND ST_DWithin(a.geom, p, 0.0003)
        AND ST_DWithin(a.geom::geography, p::geography, 25)
      ORDER BY ST_Distance(a.geom::geography, p::geography), a.code
      LIMIT 1)
    LIMIT 1
  )
  SELECT kel.id, kec.id, kec.parent_id, hit.method
    FROM hit
    JOIN area kel ON kel.id = hit.id
    LEFT JOIN area kec ON kec.id = kel.parent_id
$$;

-- The OPD for a category at a place: among the agencies that take the category
-- (category_opd), those of the point's jurisdiction (or of none), preferring
-- one whose service area covers the point, then one without a service area.
-- An agency whose service area exists but does not cover the point is skipped.
-- Falls back to the category's default OPD.
CREATE FUNCTION pantau_route_opd(p_category integer, p_jurisdiction integer, p geometry)
RETURNS integer
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

-- Is this day (in WIB) a working day: Monday to Friday and not a holiday.
CREATE FUNCTION pantau_is_working_day(d date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT extract(isodow FROM d) < 6 AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.day = d)
$$;

-- The moment n working days after ts, at the same WIB time of day.
CREATE FUNCTION pantau_add_working_days(ts timestamptz, n integer) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (g.d + (ts AT TIME ZONE 'Asia/Jakarta')::time) AT TIME ZONE 'Asia/Jakarta'
    FROM generate_series((ts AT TIME ZONE 'Asia/Jakarta')::date + 1,
                         (ts AT TIME ZONE 'Asia/Jakarta')::date + greatest(n, 1) * 2 + 30,
                         interval '1 day') AS s(day),
         LATERAL (SELECT s.day::date AS d) g
   WHERE pantau_is_working_day(g.d)
   ORDER BY g.d
  OFFSET greatest(n, 1) - 1
   LIMIT 1
$$;

-- Working days elapsed between two moments (fractional on the end days), WIB.
CREATE FUNCTION pantau_working_days_between(a timestamptz, b timestamptz) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN b IS NULL OR a IS NULL THEN NULL
    ELSE (
      SELECT coalesce(sum(
               extract(epoch FROM least(b, ((g.d + 1)::timestamp AT TIME ZONE 'Asia/Jakarta'))
                                - greatest(a, (g.d::timestamp AT TIME ZONE 'Asia/Jakarta'))) / 86400.0), 0)
        FROM generate_series((a AT TIME ZONE 'Asia/Jakarta')::date, (b AT TIME ZONE 'Asia/Jakarta')::date, interval '1 day') s(day),
             LATERAL (SELECT s.day::date AS d) g
       WHERE pantau_is_working_day(g.d)
    ) END
$$;
