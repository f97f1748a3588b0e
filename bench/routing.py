"""Routing a million points: the PostGIS bulk path against geopandas and shapely, and single routed inserts.

All on the same 1,000,000 random points (fixed seed): 90% uniform over the
kelurahan of ``bench_database(0)``, 10% uniform over their extent grown by
0.01° (about 1 km), so some fall in sliver gaps, near the city's edge or
outside it.

- ``route_grid_build_ms``: rebuilding the routing grid from the loaded
  kelurahan (``db.routing.rebuild_route_grid``, committed), best of 2.
- ``route_bulk_points_per_s``: the points are COPYed into a staging table
  (not timed), then routed into a new table by the grid
  (``db.routing.route_staged_into``, one statement): the time from there to
  the committed table of routed rows, best of 3.
- ``route_bulk_mismatches``: points whose routed kelurahan or method differs
  from ``pantau_route_point``'s, or that are missing (must be 0).
- ``geopandas_sjoin_points_per_s``: from the coordinate arrays in memory to one
  kelurahan per point: ``geopandas.sjoin(predicate="intersects")``, the
  smallest code among the covering kelurahan, then ``sjoin_nearest`` within
  25 m for the points nothing covers. The reference measures that 25 m in
  planar degrees (25 / 110,600), an approximation of pantau_route_point's
  geodesic test. Best of 3.
- ``shapely_strtree_points_per_s``: the same with ``shapely.STRtree.query``
  and ``query_nearest(max_distance=...)``. Best of 3.
- ``geopandas_sjoin_mismatches`` / ``shapely_strtree_mismatches``: their
  kelurahan against ``pantau_route_point``'s (the approximate 25 m shows here).
- ``geopandas_sjoin_intersects_only_points_per_s`` /
  ``shapely_strtree_intersects_only_points_per_s``: the same without the
  nearest step (points nothing covers stay unrouted): the bare joins.
- ``route_insert_ms_p50`` / ``route_insert_ms_p95``: ``db.complaints.create_complaint``
  for 1,000 points of the same set, each in its own committed transaction,
  through the app's engine (as the API does). They are deleted afterwards, so
  the kept benchmark database stays empty.
- ``commit_floor_ms_p50`` / ``commit_floor_ms_p95``: the floor under those: a
  bare committed one-row INSERT through psycopg into a scratch table of the
  same database, one before each routed insert (interleaved, so both see the
  same load on a shared machine). The commit's WAL flush is in both.
- ``insert_8_writers_per_s``: complaints stored per second by 8 processes at
  once (as 8 app workers: each its own engine and connection, no shared
  interpreter lock), each storing ``WRITER_INSERTS`` routed complaints in
  their own committed transactions into the same benchmark database
  (``bench_database(0)``: no other complaints), from the moment all start to
  the last commit.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import psycopg
import shapely
from sqlalchemy import Engine, text

from bench.common import bench_database, emit, log, remove_complaints
from bench.writers import writers_per_s
from db.complaints import NewComplaint, category_ids, create_complaint
from db.engine import committed_per_statement
from db.routing import rebuild_route_grid, route_staged_into

POINTS = 1_000_000
INSIDE = 0.9
SEED = 20_240_601
RUNS = 3
INSERTS = 1_000
STAGE = "route_bench_stage"
ROUTED = "route_bench_routed"
NEAR_DEGREES = 25 / 110_600  # the references' planar stand-in for 25 m
FLOOR = "commit_floor_scratch"
WRITERS = 8
WRITER_INSERTS = 250


def kelurahan(engine: Engine) -> gpd.GeoDataFrame:
    """The kelurahan in code order: a row's position is its rank for the smallest-code rule."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, code, ST_AsBinary(geom) FROM area WHERE level = 'kelurahan' ORDER BY code")
        ).all()
    return gpd.GeoDataFrame(
        {"id": [r[0] for r in rows], "code": [r[1] for r in rows]},
        geometry=shapely.from_wkb([bytes(r[2]) for r in rows]),
        crs=4326,
    )


def random_points(kel: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    union = shapely.union_all(kel.geometry.values)
    shapely.prepare(union)
    minx, miny, maxx, maxy = union.bounds
    inside = int(POINTS * INSIDE)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    while sum(len(x) for x in xs) < inside:
        x, y = rng.uniform(minx, maxx, 500_000), rng.uniform(miny, maxy, 500_000)
        hit = shapely.contains_xy(union, x, y)
        xs.append(x[hit])
        ys.append(y[hit])
    pad = 0.01
    lon = np.concatenate([np.concatenate(xs)[:inside], rng.uniform(minx - pad, maxx + pad, POINTS - inside)])
    lat = np.concatenate([np.concatenate(ys)[:inside], rng.uniform(miny - pad, maxy + pad, POINTS - inside)])
    order = rng.permutation(POINTS)
    return lon[order], lat[order]


def stage(engine: Engine, lon: np.ndarray, lat: np.ndarray) -> None:
    """COPY the points into an unlogged staging table (frozen, so the first scan has nothing to write)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}, {ROUTED}")
        conn.exec_driver_sql(f"CREATE UNLOGGED TABLE {STAGE} (id integer, lon double precision, lat double precision)")
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor().copy(f"COPY {STAGE} (id, lon, lat) FROM STDIN WITH (FREEZE)") as copy:
            for row in zip(range(POINTS), lon.tolist(), lat.tolist(), strict=True):
                copy.write_row(row)


def time_grid_build(engine: Engine) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        with engine.begin() as conn:
            info = rebuild_route_grid(conn)
        best = min(best, time.perf_counter() - started)
    assert info is not None
    log(info.line())
    return best


def time_bulk(engine: Engine) -> float:
    best = float("inf")
    for _ in range(RUNS):
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {ROUTED}")
        started = time.perf_counter()
        with engine.begin() as conn:
            routed = route_staged_into(conn, STAGE, ROUTED, key="id", temporary=False)
        best = min(best, time.perf_counter() - started)
        assert routed == POINTS, routed
    return best


def edge_points(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                # The array once per statement (a scalar subquery), not detoasted per row.
                text(
                    f"SELECT count(*) FROM {STAGE} p "
                    f"WHERE (SELECT array_cat(cells, '{{}}'::smallint[]) FROM route_grid)"
                    f"[floor((p.lat - (SELECT y0 FROM route_grid)) / (SELECT cell_size FROM route_grid))::integer]"
                    f"[floor((p.lon - (SELECT x0 FROM route_grid)) / (SELECT cell_size FROM route_grid))::integer] = -1"
                )
            ).scalar_one()
        )


def exact_routes(engine: Engine) -> tuple[int, np.ndarray]:
    """(mismatches of the bulk table against pantau_route_point, the kelurahan id per point or -1)."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        rows, keys = conn.execute(text(f"SELECT count(*), count(DISTINCT point_key) FROM {ROUTED}")).one()
        differ = conn.execute(
            text(
                f"SELECT count(*) FILTER (WHERE r.point_key IS NULL OR r.kelurahan_id IS DISTINCT FROM x.kelurahan_id "
                f"                          OR r.method IS DISTINCT FROM x.method) "
                f"  FROM {STAGE} s LEFT JOIN {ROUTED} r ON r.point_key = s.id "
                f"  LEFT JOIN LATERAL pantau_route_point(ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)) x ON true"
            )
        ).scalar_one()
        # Missing points count in differ; extra or repeated rows count here.
        mismatches = differ + max(rows - POINTS, 0) + (rows - keys)
        ids = np.full(POINTS, -1, dtype=np.int64)
        for key, kid in conn.execute(
            text(f"SELECT point_key, kelurahan_id FROM {ROUTED} WHERE kelurahan_id IS NOT NULL")
        ):
            ids[key] = kid
    return int(mismatches), ids


def smallest_rank(point: np.ndarray, rank: np.ndarray, n: int) -> np.ndarray:
    """Per point the smallest rank among its (point, rank) pairs, or n where it has none."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, point, rank)
    return out


def with_geopandas(kel: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, nearest: bool = True) -> np.ndarray:
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    right = gpd.GeoDataFrame({"rank": np.arange(len(kel))}, geometry=kel.geometry.values, crs=4326)
    hits = gpd.sjoin(points, right, predicate="intersects", how="inner")
    rank = hits.groupby(level=0)["rank"].min().reindex(range(len(points)), fill_value=-1).to_numpy().copy()
    missing = np.flatnonzero(rank < 0)
    if not nearest:
        return rank
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # planar distances in a geographic CRS, on purpose
        near = gpd.sjoin_nearest(points.iloc[missing], right, max_distance=NEAR_DEGREES, how="inner")
    nearest = near.groupby(level=0)["rank"].min()  # equally near: the smallest code
    rank[nearest.index.to_numpy()] = nearest.to_numpy()
    return rank


def with_strtree(kel: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray, nearest: bool = True) -> np.ndarray:
    tree = shapely.STRtree(kel.geometry.values)
    points = shapely.points(lon, lat)
    point, rank = tree.query(points, predicate="intersects")
    best = smallest_rank(point, rank, len(points))
    missing = np.flatnonzero(best == np.iinfo(np.int64).max)
    if nearest:
        near_point, near_rank = tree.query_nearest(points[missing], max_distance=NEAR_DEGREES, all_matches=True)
        best[missing] = smallest_rank(near_point, near_rank, len(missing))
    best[best == np.iinfo(np.int64).max] = -1
    return best


def time_reference(
    route: Callable[..., np.ndarray],
    kel: gpd.GeoDataFrame,
    lon: np.ndarray,
    lat: np.ndarray,
    nearest: bool = True,
) -> tuple[float, np.ndarray]:
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        rank = route(kel, lon, lat, nearest)
        best = min(best, time.perf_counter() - started)
    ids = np.where(rank >= 0, kel["id"].to_numpy()[np.clip(rank, 0, None)], -1)
    return best, ids


def _floor_connection(engine: Engine) -> psycopg.Connection:
    """A plain psycopg connection to the benchmark database, beside a scratch table for the floor."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {FLOOR} (id bigserial PRIMARY KEY, n integer NOT NULL, "
            "at timestamptz NOT NULL DEFAULT now())"
        )
        conn.exec_driver_sql(f"TRUNCATE {FLOOR}")
    # The same database as the engine's, as a libpq URI (its socket folder and port stay query parameters).
    return psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False))


def time_inserts(engine: Engine, lon: np.ndarray, lat: np.ndarray) -> tuple[list[float], list[float]]:
    """Seconds of each routed insert, and of each bare committed insert (the floor) timed just before it."""
    rng = np.random.default_rng(SEED + 1)
    with engine.connect() as conn:
        categories = category_ids(conn)
    codes = sorted(categories)
    token = time.time_ns()
    took: list[float] = []
    floor: list[float] = []
    ids: list[int] = []
    bare = _floor_connection(engine)
    try:
        for n, i in enumerate(rng.choice(POINTS, INSERTS, replace=False)):
            started = time.perf_counter()
            bare.execute(f"INSERT INTO {FLOOR} (n) VALUES (%s)", (n,))
            bare.commit()
            floor.append(time.perf_counter() - started)
            new = NewComplaint(
                category=codes[n % len(codes)],
                description=f"bench routing {token} {n}",
                lat=float(lat[i]),
                lon=float(lon[i]),
            )
            started = time.perf_counter()
            with committed_per_statement(engine) as conn:  # as the doors store a report
                created = create_complaint(conn, new, categories=categories)
            took.append(time.perf_counter() - started)
            ids.append(created.id)
    finally:
        remove_complaints(engine, ids)
        bare.execute(f"DROP TABLE {FLOOR}")
        bare.commit()
        bare.close()
    return took, floor


def concurrent_writers(engine: Engine, lon: np.ndarray, lat: np.ndarray) -> float:
    """Complaints per second stored by WRITERS processes at once."""
    points = [(float(lat[i]), float(lon[i])) for i in range(WRITERS * WRITER_INSERTS)]
    return writers_per_s(engine, points, WRITERS, WRITER_INSERTS)


def _ms_p50_p95(seconds: list[float]) -> tuple[float, float]:
    return statistics.median(seconds) * 1000, statistics.quantiles(seconds, n=20)[-1] * 1000


def run() -> None:
    engine = bench_database(0)
    kel = kelurahan(engine)
    lon, lat = random_points(kel)
    log(f"routing: {POINTS} points over {len(kel)} kelurahan, staging with COPY")
    stage(engine, lon, lat)

    emit("route_grid_build_ms", time_grid_build(engine) * 1000, "ms")
    emit("route_bulk_points_per_s", POINTS / time_bulk(engine), "points/s")
    log(f"routing: {edge_points(engine)} of the points fall in edge cells and are tested exactly")
    log("routing: checking every routed point against pantau_route_point")
    mismatches, exact = exact_routes(engine)
    emit("route_bulk_mismatches", mismatches, "points")

    for name, route in (("geopandas_sjoin", with_geopandas), ("shapely_strtree", with_strtree)):
        seconds, ids = time_reference(route, kel, lon, lat)
        emit(f"{name}_points_per_s", POINTS / seconds, "points/s")
        emit(f"{name}_mismatches", int(np.count_nonzero(ids != exact)), "points")
        seconds, _ = time_reference(route, kel, lon, lat, nearest=False)
        emit(f"{name}_intersects_only_points_per_s", POINTS / seconds, "points/s")

    took, floor = time_inserts(engine, lon, lat)
    for name, samples in (("route_insert", took), ("commit_floor", floor)):
        p50, p95 = _ms_p50_p95(samples)
        emit(f"{name}_ms_p50", p50, "ms")
        emit(f"{name}_ms_p95", p95, "ms")
    emit("insert_8_writers_per_s", concurrent_writers(engine, lon, lat), "complaints/s")

    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}, {ROUTED}")
