"""A streaming replica under a burst of reports: how far behind it falls, and how soon it shows each one.

A replica of the local cluster is made for the run (``scripts/pg.sh replica start bench``, removed after).
Writers file reports on the primary as fast as they can while a sampler reads the data version on both
servers every few milliseconds and the replica's lag as ``/healthz`` measures it (db/replica.py). Figures,
each suffixed with the database size:

- ``replica_burst_reports_per_s``: the burst's rate (``PANTAU_BENCH_REPLICA_WRITERS`` writers, default 4,
  ``PANTAU_BENCH_REPLICA_REPORTS`` reports in all, default 2000);
- ``replica_visible_ms_p50`` / ``_p95`` / ``_max``: from a version first seen on the primary to the
  replica showing it (sampled every ``SAMPLE_S``, so ± that);
- ``replica_lag_s_max`` / ``replica_lag_bytes_max``: the largest lag /healthz would have shown;
- ``replica_catch_up_ms``: from the burst's last commit to the replica at the same version.

``PANTAU_BENCH_REPLICA_SIZE`` (default ``100000``) picks the database. It needs the local cluster (a replica
of a database elsewhere is that server's to make); with ``PANTAU_BENCH_DATABASE_URL`` set it says so and
measures nothing. The reports it files are removed afterwards.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bench.common import ROOT, bench_database, created_after, emit, kelurahan_points, log, remove_complaints
from db.engine import data_version
from settings import LOCAL_PG_PORT, Settings, local_pg_dir

SAMPLE_S = 0.005
NAME = "bench"


def _pg_sh(*args: str) -> None:
    subprocess.run([str(ROOT / "scripts" / "pg.sh"), *args], check=True, stdout=subprocess.DEVNULL)


def _burst(engine: Engine, writers: int, reports: int, points: list[tuple[float, float]]) -> tuple[float, float]:
    """File ``reports`` reports from ``writers`` threads; returns (start, end) monotonic times."""
    from db.complaints import NewComplaint, create_complaint

    per = reports // writers

    def write(offset: int) -> None:
        for i in range(per):
            lat, lon = points[(offset * per + i) % len(points)]
            with engine.begin() as conn:
                create_complaint(
                    conn, NewComplaint(category="jalan_rusak", description=f"uji replika {i}", lon=lon, lat=lat)
                )

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return started, time.monotonic()


def bench_size(size: int, writers: int, reports: int) -> None:
    from db import replica

    engine = bench_database(size)
    database = make_url(str(engine.url)).database
    _pg_sh("replica", "remove", NAME)
    _pg_sh("replica", "start", NAME)
    folder = local_pg_dir(Settings().data_dir) / f"replica-{NAME}" / "run"
    standby = create_engine(f"postgresql+psycopg://postgres@/{database}?host={folder}&port={LOCAL_PG_PORT}")
    points = kelurahan_points(engine, 200)
    with engine.connect() as conn:
        last_id = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM complaint")).scalar_one())
    primary_seen: dict[int, float] = {}
    replica_seen: dict[int, float] = {}
    lags: list[tuple[float | None, int | None]] = []
    done = threading.Event()

    def sample() -> None:
        with engine.connect() as p, standby.connect() as r:
            p.execution_options(isolation_level="AUTOCOMMIT")
            r.execution_options(isolation_level="AUTOCOMMIT")
            tick = 0
            while not done.is_set():
                now = time.monotonic()
                primary_seen.setdefault(data_version(p), now)
                replica_seen.setdefault(data_version(r), now)
                tick += 1
                if tick % 20 == 0:
                    state = replica.measure(standby, engine, float("inf"))
                    lags.append((state.lag_s, state.lag_bytes))
                time.sleep(SAMPLE_S)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        time.sleep(0.2)
        started, ended = _burst(engine, writers, reports, points)
        with engine.connect() as conn:
            final = data_version(conn)
        while True:
            with standby.connect() as conn:
                if data_version(conn) >= final:
                    caught = time.monotonic()
                    break
            time.sleep(0.001)
        time.sleep(0.2)
    finally:
        done.set()
        sampler.join()
        remove_complaints(engine, created_after(engine, last_id))
        standby.dispose()
        _pg_sh("replica", "remove", NAME)
    # Each version the primary showed, until the replica showed it or a later one.
    shown = sorted(replica_seen.items())
    delays = []
    for version, at in primary_seen.items():
        seen = next((t for v, t in shown if v >= version), None)
        if seen is not None:
            delays.append(max(0.0, seen - at) * 1000)
    delays.sort()
    emit(f"replica_burst_reports_per_s_{size}", reports / (ended - started), "reports/s")
    emit(f"replica_visible_ms_p50_{size}", statistics.median(delays), "ms")
    emit(f"replica_visible_ms_p95_{size}", delays[int(len(delays) * 0.95) - 1], "ms")
    emit(f"replica_visible_ms_max_{size}", delays[-1], "ms")
    emit(f"replica_lag_s_max_{size}", max((s or 0.0) for s, _ in lags), "s")
    emit(f"replica_lag_bytes_max_{size}", max((b or 0) for _, b in lags), "bytes")
    emit(f"replica_catch_up_ms_{size}", (caught - ended) * 1000, "ms")


def run() -> None:
    if os.environ.get("PANTAU_BENCH_DATABASE_URL"):
        log("bench.replica: a replica is made from the local cluster only; unset PANTAU_BENCH_DATABASE_URL")
        return
    size = int(os.environ.get("PANTAU_BENCH_REPLICA_SIZE", "100000"))
    writers = int(os.environ.get("PANTAU_BENCH_REPLICA_WRITERS", "4"))
    reports = int(os.environ.get("PANTAU_BENCH_REPLICA_REPORTS", "2000"))
    bench_size(size, writers, reports)
