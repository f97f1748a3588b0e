"""The routing grid: bulk routing (imports, demo seeding) sends every point where pantau_route_point does."""

from pathlib import Path

import geopandas as gpd
from sqlalchemy import Connection, text

from db.boundaries import load_boundaries
from db.routing import rebuild_route_grid, route_grid_info
from geo.boundaries.reader import read_boundaries
from services.intake import import_complaints
from settings import get_settings
from tests.conftest import inside

# Hard cases for a grid, a few thousand points in all: on shared vertices and
# edges, in the sliver gaps and overlaps between neighbours, just outside the
# city at distances around 25 m, exactly on the grid's own cell lines, and
# scattered over the extent.
HARD_POINTS = """
CREATE TEMP TABLE grid_point (id serial, kind text, lon double precision, lat double precision);
WITH kel AS (SELECT geom FROM area WHERE level = 'kelurahan'),
city AS (SELECT ST_Union(geom) AS g FROM kel),
part AS (SELECT (ST_Dump(g)).geom AS g FROM city),
vertex AS (
  SELECT 'vertex' AS kind, d.geom FROM kel k, ST_DumpPoints(k.geom) d WHERE d.path[3] % 7 = 0
), edge AS (
  SELECT 'edge', ST_LineInterpolatePoint(s.geom, 0.5) FROM kel k, ST_DumpSegments(k.geom) s WHERE s.path[3] % 9 = 0
), gap_polygon AS (
  SELECT ST_MakePolygon(ST_InteriorRingN(g, n)) AS s FROM part, generate_series(1, ST_NumInteriorRings(g)) n
), overlap_polygon AS (
  SELECT (ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3))).geom AS s
    FROM area a JOIN area b ON a.id < b.id AND ST_Intersects(a.geom, b.geom)
   WHERE a.level = 'kelurahan' AND b.level = 'kelurahan'
), sliver AS (
  SELECT 'gap' AS kind, s FROM gap_polygon WHERE ST_Area(s) > 0
  UNION ALL SELECT 'overlap', s FROM overlap_polygon WHERE ST_Area(s) > 0
), gap_overlap AS (
  -- Slivers are too thin for ST_GeneratePoints: a point on each, and the centre of its widest part.
  SELECT kind, ST_PointOnSurface(s) FROM sliver
  UNION ALL SELECT kind, (ST_MaximumInscribedCircle(s)).center FROM sliver
), band AS (
  SELECT 'band ' || d || ' m', v.geom
    FROM unnest(ARRAY[4, 15, 22, 24.5, 24.9, 25.1, 25.5, 28, 40]) d,
         LATERAL ST_Dump(ST_Buffer((SELECT g FROM city)::geography, d)::geometry) b,
         LATERAL ST_DumpPoints(ST_ExteriorRing(b.geom)) v
   WHERE v.path[1] % 13 = 0
), scatter AS (
  SELECT 'scatter', (ST_Dump(ST_GeneratePoints(ST_Expand((SELECT ST_Envelope(g) FROM city), 0.01), 600, 3))).geom
)
INSERT INTO grid_point (kind, lon, lat)
SELECT kind, ST_X(geom), ST_Y(geom) FROM (
  SELECT * FROM vertex UNION ALL SELECT * FROM edge UNION ALL SELECT * FROM gap_overlap
  UNION ALL SELECT * FROM band UNION ALL SELECT * FROM scatter) p;
-- Corners of grid cells near the city's edge: the arithmetic's rounding is at its worst there.
INSERT INTO grid_point (kind, lon, lat)
SELECT 'cell corner', g.x0 + fx * g.cell_size, g.y0 + fy * g.cell_size
  FROM route_grid g, route_edge e, LATERAL (SELECT e.cell % g.nx AS fx, e.cell / g.nx AS fy) c
 WHERE e.cell % 17 = 0;
"""

DIFFERENCES = """
SELECT p.kind, p.lon, p.lat, r.kelurahan_id, r.method, x.kelurahan_id AS expected, x.method AS expected_method
  FROM grid_point p
  LEFT JOIN pantau_route_staged('grid_point') r ON r.point_key = p.id
  LEFT JOIN LATERAL pantau_route_point(ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) x ON true
 WHERE r.point_key IS NULL OR r.kelurahan_id IS DISTINCT FROM x.kelurahan_id OR r.method IS DISTINCT FROM x.method
"""


def hard_points(conn: Connection) -> dict[str, int]:
    for statement in HARD_POINTS.split(";\n"):
        if statement.strip():
            conn.execute(text(statement))
    return dict(conn.execute(text("SELECT kind, count(*) FROM grid_point GROUP BY kind")).all())


def test_the_grid_routes_hard_points_exactly_as_pantau_route_point(conn: Connection) -> None:
    info = route_grid_info(conn)
    assert info is not None and info.current and info.edge_cells > 0
    kinds = hard_points(conn)
    assert {"vertex", "edge", "gap", "overlap", "band 24.9 m", "band 25.1 m", "scatter", "cell corner"} <= set(kinds)
    assert sum(kinds.values()) > 2000

    assert conn.execute(text(DIFFERENCES)).all() == []
    # The set is hard where it should be: points two kelurahan cover, points
    # routed to the nearest kelurahan, points outside every boundary.
    shared, nearest, outside = conn.execute(
        text(
            "SELECT count(*) FILTER (WHERE (SELECT count(*) FROM area a WHERE a.level = 'kelurahan' "
            "                                AND ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))) > 1), "
            "       count(*) FILTER (WHERE r.method = 'nearest'), count(*) FILTER (WHERE r.method IS NULL) "
            "FROM grid_point p JOIN pantau_route_staged('grid_point') r ON r.point_key = p.id"
        )
    ).one()
    assert shared > 50 and nearest > 50 and outside > 50
    assert conn.execute(text("SELECT count(*) FROM pantau_route_staged('grid_point')")).scalar() == sum(kinds.values())


def test_a_bulk_import_routes_each_complaint_as_a_single_report_would_be(conn: Connection, tmp_path: Path) -> None:
    hard_points(conn)
    rows = conn.execute(text("SELECT id, lon, lat FROM grid_point WHERE id % 10 = 0 ORDER BY id")).all()
    path = tmp_path / "laporan.csv"
    path.write_text(
        "category,description,lat,lon\n"
        + "".join(f"sampah,Sampah menumpuk titik {i},{lat!r},{lon!r}\n" for i, lon, lat in rows)
    )
    result = import_complaints(conn, path)
    assert result.stored == len(rows) and not result.errors

    wrong = conn.execute(
        text(
            "SELECT c.description, c.kelurahan_id, c.route_method, c.status, x.kelurahan_id, x.method "
            "FROM complaint c "
            "LEFT JOIN LATERAL pantau_route_point(c.geom) x ON true "
            "WHERE c.description LIKE 'Sampah menumpuk titik %' AND c.channel = 'walk_in' "
            "  AND (c.kelurahan_id IS DISTINCT FROM x.kelurahan_id OR c.route_method IS DISTINCT FROM x.method "
            "       OR c.kecamatan_id IS DISTINCT FROM x.kecamatan_id OR c.jurisdiction_id IS DISTINCT FROM x.jurisdiction_id "
            "       OR (c.status = 'luar_wilayah') <> (x.kelurahan_id IS NULL))"
        )
    ).all()
    assert wrong == []


def test_reimporting_boundaries_rebuilds_the_grid_and_bulk_routing_follows(conn: Connection, tmp_path: Path) -> None:
    first, second = "3671011001", "3671061001"
    lat, lon = inside(conn, first)
    conn.execute(text("CREATE TEMP TABLE survey_point (id integer, lon double precision, lat double precision)"))
    conn.execute(text("INSERT INTO survey_point VALUES (1, :x, :y)"), {"x": lon, "y": lat})
    routed_to = "SELECT a.code FROM pantau_route_staged('survey_point') r JOIN area a ON a.id = r.kelurahan_id"
    assert conn.execute(text(routed_to)).scalar() == first

    # The city re-surveys: the two kelurahan trade places.
    frame = gpd.read_file(get_settings().boundaries_dir / "kota_tangerang_kelurahan.geojson")
    swapped = frame[frame["kode_kelurahan"].isin([first, second])].copy()
    geoms = dict(zip(swapped["kode_kelurahan"], swapped.geometry, strict=True))
    swapped["geometry"] = [geoms[second] if c == first else geoms[first] for c in swapped["kode_kelurahan"]]
    path = tmp_path / "survei_ulang.geojson"
    gpd.GeoDataFrame(swapped, geometry="geometry", crs=4326).to_file(path, driver="GeoJSON")
    report = load_boundaries(conn, read_boundaries(path, "kelurahan"), str(path), reroute=False)

    assert report.grid is not None and report.grid.current
    assert any(line.strip().startswith("routing grid:") for line in report.lines())
    assert conn.execute(text(routed_to)).scalar() == second
    assert conn.execute(text(DIFFERENCES.replace("grid_point", "survey_point").replace("p.kind", "p.id"))).all() == []


def test_a_grid_older_than_the_boundaries_is_never_used(conn: Connection) -> None:
    hard_points(conn)
    conn.execute(text("DELETE FROM grid_point WHERE id % 4 <> 0"))  # a stale grid routes point by point: slower
    # Boundaries changed behind the grid's back: two kelurahan trade geometry.
    conn.execute(
        text(
            "UPDATE area a SET geom = b.geom FROM area b "
            "WHERE (a.code, b.code) IN (('3671011001', '3671061001'), ('3671061001', '3671011001'))"
        )
    )
    info = route_grid_info(conn)
    assert info is not None and not info.current
    assert conn.execute(text(DIFFERENCES)).all() == []

    rebuilt = rebuild_route_grid(conn)
    assert rebuilt is not None and rebuilt.current
    assert conn.execute(text(DIFFERENCES)).all() == []
