"""How the hot paths grow with the database: 100,000, 1,000,000 and 5,000,000 complaints (docs/SCALING.md).

Each path is timed in-process against its benchmark database (``pantau_bench_<N>``,
seeded once by bench.common), without HTTP, so the figures show the database
work alone; bench.wall and bench.leaders measure the same paths through the
served app. Figures, each suffixed with the size (``_100000`` …):

- ``growth_insert_ms_p50`` / ``_p95``: one complaint stored, routed and
  committed (``create_complaint``), 200 of them; removed afterwards.
- ``growth_insert_per_s_8_writers``: complaints stored per second by 8 processes
  at once, 250 each, at 64 kelurahan in turn (bench.writers; each holds the data-version
  row from the end of its statement until its commit, migration 0028).
- ``growth_wall_first_ms``: what a wall screen's first render reads (markers,
  area counts, colour counts, both panels), caches empty.
- ``growth_wall_tick_ms_p50`` / ``_p95``: a tick after one new complaint: the
  changes since the screen's version, the touched area's count and the colour
  counts, 20 of them.
- ``growth_leaders_filter_ms_p50`` / ``_p95``: bench.leaders' 50 filter
  combinations through ``db.leaders.dashboard``; ``growth_leaders_all_ms``: the
  unfiltered view; ``growth_leaders_cut_months_ms``: everything from the 15th
  three months back to the 14th of last month (one whole month between two cut
  ones). The same with ``_exact`` (``dashboard(..., exact=True)``, every
  complaint read, as before the rollups of migration 0020) in the same
  transaction, in a pass of their own after those 52 views, and
  ``growth_leaders_views_differing_from_exact``: how many of those 52 views
  showed any other figure than the exact scan (0).
- ``growth_export_csv_rows_per_s``: the whole set through ``copy_csv``.

``PANTAU_BENCH_GROWTH_SIZES`` (default ``100000,1000000,5000000``) picks the sizes,
``PANTAU_BENCH_GROWTH_PATHS`` (default all: ``wall,inserts,writers,leaders,export``) the paths.
Seeding 5,000,000 takes about half an hour the first time.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from api.export import sheet_words
from bench.common import bench_database, emit, kelurahan_points, log, remove_complaints
from bench.leaders import combinations, filter_choices
from bench.writers import writers_per_s
from db import wall
from db.complaints import NewComplaint, category_ids, create_complaint
from db.engine import committed_per_statement, data_version
from db.filters import WIB, Scope, from_controls, parse_filters, resolve
from db.leaders import Dashboard, copy_csv, dashboard

INSERTS = 200
TICKS = 20


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _tick(engine: Engine, where: wall.Resolved, since: int) -> None:
    """What a wall screen's tick reads after a change: the changes, the touched areas' counts, the colour counts."""
    with engine.connect() as conn:
        changed = wall.changes(conn, since, data_version(conn), where)
        wall.area_counts(conn, "kecamatan", where, [kecamatan for kecamatan, _ in changed.areas if kecamatan])
        wall.colour_counts(conn, where)


def inserts_and_ticks(engine: Engine, n: int) -> None:
    """Store complaints one by one; for the last TICKS of them, time the wall tick that follows."""
    with engine.connect() as conn:
        categories = category_ids(conn)
        where = wall.resolve(conn, wall.WallArea())
    codes = sorted(categories)
    points = kelurahan_points(engine, 50)
    stored: list[int] = []
    insert_ms: list[float] = []
    tick_ms: list[float] = []
    try:
        for i in range(INSERTS + TICKS):
            lat, lon = points[i % len(points)]
            new = NewComplaint(category=codes[i % len(codes)], description=f"bench growth {i}", lat=lat, lon=lon)
            with engine.connect() as conn:
                before = data_version(conn)
            started = time.perf_counter()
            with committed_per_statement(engine) as conn:  # as the doors store a report
                created = create_complaint(conn, new, categories=categories)
            stored.append(created.id)
            if i < INSERTS:
                insert_ms.append((time.perf_counter() - started) * 1000)
                continue

            tick_ms.append(_ms(lambda since=before: _tick(engine, where, since)))
    finally:
        remove_complaints(engine, stored)
    emit(f"growth_insert_ms_p50_{n}", statistics.median(insert_ms), "ms")
    emit(f"growth_insert_ms_p95_{n}", _p95(insert_ms), "ms")
    emit(f"growth_wall_tick_ms_p50_{n}", statistics.median(tick_ms), "ms")
    emit(f"growth_wall_tick_ms_p95_{n}", _p95(tick_ms), "ms")


def concurrent_inserts(engine: Engine, n: int, writers: int = 8, each: int = 250) -> None:
    points = kelurahan_points(engine, 64)  # spread over the cities, as reports are
    emit(f"growth_insert_per_s_{writers}_writers_{n}", writers_per_s(engine, points, writers, each), "complaints/s")


def wall_first(engine: Engine, n: int) -> None:
    def first() -> None:
        with engine.connect() as conn:
            where = wall.resolve(conn, wall.WallArea())
            wall.markers(conn, where)
            wall.area_counts(conn, "kecamatan", where)
            wall.colour_counts(conn, where)
            wall.newest(conn, where)
            wall.finished(conn, where)

    emit(f"growth_wall_first_ms_{n}", _ms(first), "ms")


def leaders(engine: Engine, n: int) -> None:
    """The 52 views timed as a leader meets them, one after another; then the same views by the exact scan.

    The exact scans come in a pass of their own: run between two views, each would read the whole filtered set
    out of the caches the next view then reads again cold, which no leader's click ever follows. Both passes
    run in one transaction, so "now" (the periods, what is overdue) is the same for both and the figures can
    be compared one by one."""
    with engine.connect() as conn:
        choices = filter_choices(conn)
    # Last, the unfiltered view and a period that cuts a month at both ends around one whole month.
    start, end = _cut_period(datetime.now(WIB).date())
    cut = {"pim-period": "custom", "start": start.isoformat(), "end": end.isoformat()}
    states = [*combinations(*choices), {"pim-period": "all"}, cut]

    def views(conn: Connection, states: list[dict[str, Any]], exact: bool) -> list[tuple[float, Dashboard]]:
        out = []
        for controls in states:
            get = controls.get
            query = from_controls(
                get("pim-kota"), get("pim-kecamatan"), get("pim-kelurahan"), get("pim-opd"), get("pim-category"),
                get("pim-status"), get("pim-channel"), get("pim-period"), get("start"), get("end"),
            )  # fmt: skip
            resolved = resolve(conn, parse_filters(query), Scope())
            started = time.perf_counter()
            shown = dashboard(conn, resolved, get("pim-level", "kecamatan"), exact=exact)
            out.append(((time.perf_counter() - started) * 1000, shown))
        return out

    with engine.begin() as conn:
        views(conn, [{"pim-period": "today"}], False)  # warm the connection and the catalogue
        rolled = views(conn, states, False)
        # The exact scan is the benchmark's reference, never a leader's click: at 5,000,000 its all-time view
        # takes 9-15 s, at the app's statement limit, which it crossed in one run.
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        exact = views(conn, states, True)
    timings = [took for took, _ in rolled[:-2]]
    exact_timings = [took for took, _ in exact[:-2]]
    differ = sum(shown != exact_shown for (_, shown), (_, exact_shown) in zip(rolled, exact, strict=True))
    emit(f"growth_leaders_filter_ms_p50_{n}", statistics.median(timings), "ms")
    emit(f"growth_leaders_filter_ms_p95_{n}", _p95(timings), "ms")
    emit(f"growth_leaders_filter_exact_ms_p50_{n}", statistics.median(exact_timings), "ms")
    emit(f"growth_leaders_filter_exact_ms_p95_{n}", _p95(exact_timings), "ms")
    emit(f"growth_leaders_all_ms_{n}", rolled[-2][0], "ms")
    emit(f"growth_leaders_all_exact_ms_{n}", exact[-2][0], "ms")
    emit(f"growth_leaders_cut_months_ms_{n}", rolled[-1][0], "ms")
    emit(f"growth_leaders_cut_months_exact_ms_{n}", exact[-1][0], "ms")
    emit(f"growth_leaders_views_differing_from_exact_{n}", differ, "views")


def _cut_period(today: date) -> tuple[date, date]:
    """From the 15th three months back to the 14th of last month: the month between whole, the ends cut."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    three_back = (last_month - timedelta(days=40)).replace(day=1)
    return three_back + timedelta(days=14), last_month + timedelta(days=13)


def export(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL statement_timeout = 0"))  # as api/export.py does: an export takes minutes
        resolved = resolve(conn, parse_filters({}), Scope())
        started = time.perf_counter()
        lines = sum(chunk.count(b"\n") for chunk in copy_csv(conn, resolved, sheet_words("id")))
        seconds = time.perf_counter() - started
    emit(f"growth_export_csv_rows_per_s_{n}", lines / seconds, "rows/s")


PATHS: dict[str, Callable[[Engine, int], None]] = {
    "wall": wall_first,
    "inserts": inserts_and_ticks,
    "writers": concurrent_inserts,
    "leaders": leaders,
    "export": export,
}


def run() -> None:
    sizes = [int(s) for s in os.environ.get("PANTAU_BENCH_GROWTH_SIZES", "100000,1000000,5000000").split(",") if s]
    paths = [p for p in os.environ.get("PANTAU_BENCH_GROWTH_PATHS", ",".join(PATHS)).split(",") if p]
    if unknown := set(paths) - set(PATHS):
        raise SystemExit(f"PANTAU_BENCH_GROWTH_PATHS: unknown {', '.join(sorted(unknown))}; known: {', '.join(PATHS)}")
    for n in sizes:
        engine = bench_database(n)
        log(f"growth: {n} complaints")
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE complaint"))
        for name, path in PATHS.items():
            if name in paths:
                path(engine, n)
        engine.dispose()
