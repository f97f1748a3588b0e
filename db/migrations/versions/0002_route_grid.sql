-- Functions of revision 0002 (the routing grid). Frozen with the migration:
-- later changes go into a new revision.
--
-- Routing a million points one by one (pantau_route_point, a GiST probe of
-- the kelurahan per point) manages about 0.1M points a second. The grid
-- answers most points with arithmetic instead: a regular grid of cells over
-- the kelurahan, stored as one smallint array in route_grid, where
--
--   cells[fy][fx] = k > 0  every point of the cell routes to kelurahan_ids[k]
--                          ('within'): that kelurahan covers the whole cell and
--                          any other touching it has a larger code (k is the
--                          kelurahan's rank by code);
--   cells[fy][fx] = 0      no kelurahan within 25 m of any point of the cell;
--   cells[fy][fx] = -1     an edge cell: its points are tested against the
--                          candidates that route_edge lists for cell
--                          fy * nx + fx, with pantau_route_point's own
--                          predicates, or handed to pantau_route_point.
--
-- A point's cell is fx = floor((lon - x0) / cell_size), fy likewise. Cells are
-- classified on boxes grown by 1e-9 degrees, so the rounding in that
-- arithmetic (about 1e-17 degrees) never puts a point in a cell whose class
-- does not hold for it. "Within 25 m of a cell" is tested in degrees, as
-- "within near degrees on both axes", with near = 26 m over the fewest metres
-- a degree spans anywhere in the grid (at least 0.00025, about 28 m, here):
-- that can only mark more edge cells, never fewer.
--
-- The cells are found as a quadtree: cells of cell_size * 2^levels are
-- classified first and only edge cells are split, level by level, each child
-- inheriting its parent's candidates (a kelurahan covering the parent covers
-- the child untested). pantau_route_grid_rebuild() rebuilds everything from
-- area (db.boundaries.load_boundaries calls it), and the grid keeps a
-- fingerprint of the boundaries it was built from: while they differ, the
-- bulk statement is plain per-point routing, never a wrong answer.

-- A fingerprint of the kelurahan boundaries: ids, codes and geometry.
CREATE FUNCTION pantau_route_grid_fingerprint() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT md5(coalesce(string_agg(convert_to(id::text || ':' || code || ':', 'UTF8') || coalesce(ST_AsBinary(geom), ''::bytea),
                                 ''::bytea ORDER BY id), ''::bytea))
    FROM area WHERE level = 'kelurahan'
$$;

-- Does the grid describe the boundaries as they are now?
CREATE FUNCTION pantau_route_grid_current() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce((SELECT fingerprint FROM route_grid WHERE id = 1) = pantau_route_grid_fingerprint(), false)
$$;

CREATE FUNCTION pantau_route_grid_rebuild(cell_size double precision DEFAULT 0.00025, levels integer DEFAULT 4,
                                          max_cells integer DEFAULT 2000000)
RETURNS void
LANGUAGE plpgsql
SET client_min_messages = warning
AS $$
DECLARE
  near double precision;
  eps constant double precision := 1e-9;
  started timestamptz := clock_timestamp();
  ext box2d;
  s double precision;
  top double precision;
  sz double precision;
  gx0 double precision;
  gy0 double precision;
  nbx integer;
  nby integer;
  gnx integer;
  gny integer;
  lvl integer;
  span integer;
  grid smallint[];
  leaf record;
BEGIN
  -- One rebuild at a time; readers keep the grid they had until this commits.
  LOCK TABLE route_grid, route_edge IN SHARE ROW EXCLUSIVE MODE;
  DROP TABLE IF EXISTS pg_temp.rg_kel, pg_temp.rg_pair, pg_temp.rg_rel, pg_temp.rg_cell, pg_temp.rg_leaf;
  IF (SELECT count(*) FROM area WHERE level = 'kelurahan') > 32767 THEN
    RAISE EXCEPTION 'the routing grid holds at most 32767 kelurahan';
  END IF;
  CREATE TEMP TABLE rg_kel AS
    SELECT row_number() OVER (ORDER BY code)::smallint AS idx, id, code, geom
      FROM area WHERE level = 'kelurahan' AND geom IS NOT NULL AND NOT ST_IsEmpty(geom);
  SELECT ST_Extent(geom) INTO ext FROM rg_kel;
  DELETE FROM route_edge;
  IF ext IS NULL THEN
    DELETE FROM route_grid;
    DROP TABLE rg_kel;
    RETURN;
  END IF;

  -- A degree spans at least least(110574.3, 111319.5 cos phi) metres either way.
  near := greatest(0.00025, 26 / least(110574.3, 111319.5 * cos(radians(least(
            greatest(abs(ST_YMin(ext)), abs(ST_YMax(ext))) + 0.01, 89)))));
  -- The grid covers the kelurahan with a margin of 2 * near. An area far
  -- away makes the cells larger, never the array longer than max_cells.
  gx0 := ST_XMin(ext) - 2 * near;
  gy0 := ST_YMin(ext) - 2 * near;
  s := greatest(cell_size, sqrt((ST_XMax(ext) + 2 * near - gx0) * (ST_YMax(ext) + 2 * near - gy0) / max_cells));
  top := s * (1 << levels);
  nbx := ceil((ST_XMax(ext) + 2 * near - gx0) / top);
  nby := ceil((ST_YMax(ext) + 2 * near - gy0) / top);
  gnx := nbx << levels;
  gny := nby << levels;

  -- (kelurahan, top-level cell) pairs wherever the kelurahan's box, grown by
  -- near, reaches. prel is what the parent cell already tells: NULL nothing,
  -- 'c' the kelurahan covers it, 'x' crosses it, 'n' is only near it.
  CREATE TEMP TABLE rg_pair AS
    SELECT k.id AS kid, ix, iy, NULL::"char" AS prel
      FROM rg_kel k,
           generate_series(floor((ST_XMin(k.geom) - near - gx0) / top)::integer,
                           floor((ST_XMax(k.geom) + near - gx0) / top)::integer) ix,
           generate_series(floor((ST_YMin(k.geom) - near - gy0) / top)::integer,
                           floor((ST_YMax(k.geom) + near - gy0) / top)::integer) iy;
  CREATE TEMP TABLE rg_leaf (lvl integer, ix integer, iy integer, kid integer);

  FOR lvl IN 0..levels LOOP
    sz := top / (1 << lvl);
    -- What each kelurahan does to each cell. Rows come grouped by kelurahan,
    -- so PostGIS keeps each one prepared for GEOS.
    CREATE TEMP TABLE rg_rel AS
      SELECT p.kid, k.code, p.ix, p.iy,
             CASE p.prel
               WHEN 'c' THEN 'c'
               WHEN 'n' THEN NULL
               ELSE CASE WHEN ST_Covers(k.geom, ST_MakeEnvelope(gx0 + p.ix * sz - eps, gy0 + p.iy * sz - eps,
                                                                gx0 + (p.ix + 1) * sz + eps, gy0 + (p.iy + 1) * sz + eps, 4326))
                         THEN 'c'
                         WHEN ST_Intersects(k.geom, ST_MakeEnvelope(gx0 + p.ix * sz - eps, gy0 + p.iy * sz - eps,
                                                                    gx0 + (p.ix + 1) * sz + eps, gy0 + (p.iy + 1) * sz + eps, 4326))
                         THEN 'x'
                    END
             END::"char" AS rel
        FROM rg_pair p JOIN rg_kel k ON k.id = p.kid;
    CREATE TEMP TABLE rg_cell AS
      SELECT ix, iy, min(code) FILTER (WHERE rel = 'c') AS min_c, min(code) FILTER (WHERE rel = 'x') AS min_x
        FROM rg_rel GROUP BY ix, iy;
    -- Nearness matters only where nothing covers the cell: a covered point never goes to the nearest.
    UPDATE rg_rel r SET rel = 'n'
      FROM rg_cell c, rg_kel k
     WHERE r.rel IS NULL AND c.ix = r.ix AND c.iy = r.iy AND c.min_c IS NULL AND k.id = r.kid
       AND ST_Intersects(k.geom, ST_MakeEnvelope(gx0 + r.ix * sz - near, gy0 + r.iy * sz - near,
                                                 gx0 + (r.ix + 1) * sz + near, gy0 + (r.iy + 1) * sz + near, 4326));
    -- Interior: min_c covers the cell and anything else touching it has a larger code.
    INSERT INTO rg_leaf
      SELECT lvl, c.ix, c.iy, k.id
        FROM rg_cell c JOIN rg_kel k ON k.code = c.min_c
       WHERE c.min_x IS NULL OR c.min_c < c.min_x;
    -- What still matters in the edge cells: kelurahan that may cover a point
    -- and have a code below min_c, min_c itself, and where nothing covers the
    -- cell, everything near it. Cells with nothing at all are outside.
    DROP TABLE rg_pair;
    CREATE TEMP TABLE rg_pair AS
      SELECT r.kid, r.ix, r.iy, r.rel AS prel
        FROM rg_rel r JOIN rg_cell c ON c.ix = r.ix AND c.iy = r.iy
       WHERE r.rel IS NOT NULL
         AND (c.min_c IS NULL OR (c.min_x < c.min_c AND r.code <= c.min_c AND (r.rel = 'x' OR r.code = c.min_c)))
       ORDER BY r.kid;
    DROP TABLE rg_rel, rg_cell;
    EXIT WHEN lvl = levels;
    -- Split the edge cells in four.
    CREATE TEMP TABLE rg_rel AS
      SELECT p.kid, p.ix * 2 + d.dx AS ix, p.iy * 2 + d.dy AS iy, p.prel
        FROM rg_pair p, (VALUES (0, 0), (1, 0), (0, 1), (1, 1)) d (dx, dy)
       ORDER BY p.kid;
    DROP TABLE rg_pair;
    ALTER TABLE rg_rel RENAME TO rg_pair;
  END LOOP;

  -- Paint the leaves into the array; outside stays 0.
  grid := array_fill(0::smallint, ARRAY[gny, gnx], ARRAY[0, 0]);
  FOR leaf IN SELECT l.lvl, l.ix, l.iy, k.idx FROM rg_leaf l JOIN rg_kel k ON k.id = l.kid LOOP
    span := 1 << (levels - leaf.lvl);
    FOR j IN leaf.iy * span .. leaf.iy * span + span - 1 LOOP
      FOR i IN leaf.ix * span .. leaf.ix * span + span - 1 LOOP
        grid[j][i] := leaf.idx;
      END LOOP;
    END LOOP;
  END LOOP;
  FOR leaf IN SELECT DISTINCT ix, iy FROM rg_pair LOOP
    grid[leaf.iy][leaf.ix] := -1;
  END LOOP;

  INSERT INTO route_edge (cell, kelurahan_id, rank)
  SELECT p.iy * gnx + p.ix, p.kid, k.idx FROM rg_pair p JOIN rg_kel k ON k.id = p.kid;
  INSERT INTO route_grid (id, x0, y0, cell_size, nx, ny, cells, kelurahan_ids, fingerprint, max_edge_m,
                          interior_cells, edge_cells, built_at, build_ms)
  SELECT 1, gx0, gy0, s, gnx, gny, grid,
         (SELECT array_agg(id ORDER BY idx) FROM rg_kel),
         pantau_route_grid_fingerprint(),
         (SELECT max(ST_Length(d.geom::geography)) FROM rg_kel k, ST_DumpSegments(k.geom) d),
         (SELECT coalesce(sum(1 << (2 * (levels - l.lvl))), 0) FROM rg_leaf l),
         (SELECT count(*) FROM (SELECT DISTINCT ix, iy FROM rg_pair) e),
         now(), extract(epoch FROM clock_timestamp() - started) * 1000
  ON CONFLICT (id) DO UPDATE SET
    x0 = EXCLUDED.x0, y0 = EXCLUDED.y0, cell_size = EXCLUDED.cell_size, nx = EXCLUDED.nx, ny = EXCLUDED.ny,
    cells = EXCLUDED.cells, kelurahan_ids = EXCLUDED.kelurahan_ids, fingerprint = EXCLUDED.fingerprint,
    max_edge_m = EXCLUDED.max_edge_m, interior_cells = EXCLUDED.interior_cells, edge_cells = EXCLUDED.edge_cells,
    built_at = EXCLUDED.built_at, build_ms = EXCLUDED.build_ms;
  DROP TABLE rg_kel, rg_pair, rg_leaf;
END $$;

-- The statement that routes every row of a staged table of points (columns
-- lon and lat, and a unique key column): one row (point_key, kelurahan_id,
-- method) per point, with what pantau_route_point gives it (NULLs outside).
-- It is text so that callers run it as one statement of their own, such as
-- CREATE TABLE ... AS, which PostgreSQL may run with parallel workers;
-- pantau_route_staged() below returns its rows.
--
-- Interior and outside cells are answered by the array. Points in edge cells
-- are tested against their cell's candidates with pantau_route_point's own
-- predicate (ST_Intersects on the geometry): the covering one with the
-- smallest code wins. For the few that nothing covers, the 25 m rule is
-- settled from planar distances wherever bounds on the geodesic distance
-- decide it; the rest go to pantau_route_point itself.
--
-- The bounds, for a point at latitude phi and a kelurahan at planar distance
-- dp degrees: PostGIS measures on the spheroid to the nearest point of the
-- great-circle edges. The spheroid's metric is at least
-- least(110574.3, 111319.5 cos phi) metres per degree in any direction,
-- spheroid distances are within [0.9944, 1.0045] of spherical ones (radius
-- 6371008.8 m, 111195.1 m per degree), and a great-circle edge strays from
-- the straight edge by at most bulge = L^2 tan(phi) / (8 R) for the longest
-- edge L. So the geodesic distance lies within
--   [least(...) * dp - 1.0045 * bulge, 1.0045 * (111195.1 * dp + bulge)].
-- A point is settled when every candidate's lower bound exceeds 25 m
-- (outside), or exactly one candidate's does not and its upper bound is
-- below 25 m (that one, 'nearest').
CREATE FUNCTION pantau_route_staged_sql(stage regclass, key name DEFAULT 'id') RETURNS text
LANGUAGE sql STABLE AS $f$
  SELECT CASE WHEN pantau_route_grid_current() THEN format($q$
    WITH edge_point AS MATERIALIZED (
      SELECT p.%1$I::bigint AS id, p.lon, p.lat, %4$s * (SELECT nx FROM route_grid WHERE id = 1) + %5$s AS cell
        FROM %2$s p WHERE %3$s = -1
    ), pair AS MATERIALIZED (
      SELECT e.id, e.lon, e.lat, e.cell, re.rank,
             ST_Intersects(k.geom, ST_SetSRID(ST_MakePoint(e.lon, e.lat), 4326)) AS covered
        FROM edge_point e JOIN route_edge re ON re.cell = e.cell JOIN area k ON k.id = re.kelurahan_id
    ), edge AS MATERIALIZED (
      -- The covering candidate of smallest rank is the one with the smallest code.
      SELECT id, min(lon) AS lon, min(lat) AS lat, min(cell) AS cell,
             (SELECT kelurahan_ids FROM route_grid WHERE id = 1)[min(rank) FILTER (WHERE covered)] AS kid
        FROM pair GROUP BY id
    ), uncovered AS MATERIALIZED (
      SELECT b.id, b.lon, b.lat, count(*) FILTER (WHERE b.lo <= 25) AS maybe,
             min(b.kid) FILTER (WHERE b.lo <= 25 AND b.hi < 25) AS sure
        FROM (SELECT d.id, d.lon, d.lat, d.kid,
                     least(110574.3, 111319.5 * cos(radians(abs(d.lat) + 0.001))) * d.dp - 1.0045 * d.bulge AS lo,
                     1.0045 * (111195.1 * d.dp + d.bulge) AS hi
                FROM (SELECT e.id, e.lon, e.lat, k.id AS kid,
                             ST_Distance(k.geom, ST_SetSRID(ST_MakePoint(e.lon, e.lat), 4326)) AS dp,
                             (SELECT max_edge_m FROM route_grid WHERE id = 1) ^ 2
                               * tan(radians(least(abs(e.lat) + 0.01, 89))) / (8 * 6300000.0) + 0.001 AS bulge
                        FROM edge e
                        CROSS JOIN LATERAL (SELECT re.kelurahan_id FROM route_edge re WHERE re.cell = e.cell OFFSET 0) re
                        JOIN area k ON k.id = re.kelurahan_id
                       WHERE e.kid IS NULL
                      OFFSET 0) d) b
       GROUP BY b.id, b.lon, b.lat
    )
    SELECT p.%1$I::bigint AS point_key, v.kelurahan_id, v.method
      FROM %2$s p
      JOIN (SELECT u.i::smallint AS v, u.k AS kelurahan_id, 'within'::text AS method
              FROM unnest((SELECT kelurahan_ids FROM route_grid WHERE id = 1)) WITH ORDINALITY u (k, i)
            UNION ALL SELECT 0::smallint, NULL, NULL) v
        ON v.v = coalesce(%3$s, 0::smallint)
    UNION ALL
    SELECT id, kid, 'within' FROM edge WHERE kid IS NOT NULL
    UNION ALL
    SELECT id, CASE WHEN maybe = 1 THEN sure END, CASE WHEN maybe = 1 THEN 'nearest' END
      FROM uncovered WHERE maybe = 0 OR (maybe = 1 AND sure IS NOT NULL)
    UNION ALL
    SELECT u.id, r.kelurahan_id, r.method
      FROM uncovered u
      LEFT JOIN LATERAL pantau_route_point(ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326)) r ON true
     WHERE NOT (maybe = 0 OR (maybe = 1 AND sure IS NOT NULL))
  $q$, key, stage,
    -- %3$s: the point's cell value; %4$s, %5$s: its row and column.
    '(SELECT array_cat(cells, ''{}''::smallint[]) FROM route_grid WHERE id = 1)[' || fy || '][' || fx || ']', fy, fx)
  ELSE format(
    'SELECT p.%1$I::bigint AS point_key, r.kelurahan_id, r.method FROM %2$s p '
    'LEFT JOIN LATERAL pantau_route_point(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) r ON true', key, stage)
  END
  FROM (SELECT 'floor((p.lat - (SELECT y0 FROM route_grid WHERE id = 1)) / (SELECT cell_size FROM route_grid WHERE id = 1))::integer' AS fy,
               'floor((p.lon - (SELECT x0 FROM route_grid WHERE id = 1)) / (SELECT cell_size FROM route_grid WHERE id = 1))::integer' AS fx) e
$f$;

-- The same as rows: SELECT * FROM pantau_route_staged('complaint_stage', 'line').
CREATE FUNCTION pantau_route_staged(stage regclass, key name DEFAULT 'id')
RETURNS TABLE (point_key bigint, kelurahan_id integer, method text)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY EXECUTE pantau_route_staged_sql(stage, key);
END $$;
