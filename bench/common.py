"""What every benchmark shares: output, benchmark databases, a served app.

Benchmark databases live in the same cluster as the app's (``pantau_bench_<N>``
with N complaints) and are kept between runs, so the million-row seeding is
paid once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from loopback import free_port
from settings import Settings, local_database_url

ROOT = Path(__file__).resolve().parents[1]


def emit(name: str, value: float, unit: str) -> None:
    """Print one figure as a JSON line."""
    print(json.dumps({"name": name, "value": round(float(value), 3), "unit": unit}), flush=True)


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def bench_url(complaints: int) -> str:
    base = os.environ.get("PANTAU_BENCH_DATABASE_URL")
    if base:
        return str(make_url(base).set(database=f"{make_url(base).database}_{complaints}"))
    # The cluster make bench started for PANTAU_DATA_DIR (default var/).
    return local_database_url(f"pantau_bench_{complaints}", Settings().data_dir)


def _ensure_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).first():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def bench_database(complaints: int) -> Engine:
    """A migrated database with boundaries, catalogue and exactly ``complaints`` demo complaints."""
    url = bench_url(complaints)
    os.environ["DATABASE_URL"] = url
    from db.boundaries import boundary_counts, load_boundaries
    from db.catalogue import load_catalogue
    from db.engine import make_engine
    from db.maintenance import settle_after_bulk_load
    from db.migrate import migrate_database
    from geo.boundaries.reader import default_files, read_boundaries
    from photos.store import LocalStore
    from services.demo import complaint_count, seed_demo
    from settings import get_settings

    _ensure_database(url)
    engine = make_engine(url)
    migrate_database(engine)
    with engine.begin() as conn:
        if boundary_counts(conn)["kelurahan"] == 0:
            for path, level in default_files(get_settings().boundaries_dir):
                load_boundaries(conn, read_boundaries(path, level), str(path))
        load_catalogue(conn)
        have = complaint_count(conn)
    # Benchmarks add a few complaints of their own (a new report, an API call),
    # so a database with at least the asked-for count is kept as it is; a short
    # one is topped up. Nothing is ever truncated behind another run's back.
    if have < complaints:
        missing = complaints - have
        log(f"seeding {missing} complaints into {make_url(url).database} (once; kept for later runs)")
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL statement_timeout = 0"))
            seed_demo(conn, LocalStore(get_settings().photos_dir), missing, seed=11 + have)
        settle_after_bulk_load(engine)  # as a city whose reports closed over months has its indexes
        log(f"seeded in {time.perf_counter() - started:.0f} s")
    return engine


def kelurahan_points(engine: Engine, n: int) -> list[tuple[float, float]]:
    """(lat, lon) of a point inside each of ``n`` random kelurahan."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area "
                "WHERE level = 'kelurahan' ORDER BY random() LIMIT :n) x"
            ),
            {"n": n},
        ).all()
    return [(float(lat), float(lon)) for lat, lon in rows]


def remove_complaints(engine: Engine, ids: list[int]) -> None:
    """Remove complaints a benchmark created, with their events and photos.

    The history is append-only, so its trigger is bypassed for the events; the
    complaints themselves go with triggers on, so the status counts follow.
    """
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("DELETE FROM complaint_event WHERE complaint_id = ANY(:ids)"), {"ids": ids})
        conn.execute(text("DELETE FROM photo WHERE complaint_id = ANY(:ids)"), {"ids": ids})
        conn.execute(text("SET LOCAL session_replication_role = origin"))
        conn.execute(text("UPDATE complaint SET merged_into_id = NULL WHERE merged_into_id = ANY(:ids)"), {"ids": ids})
        conn.execute(text("DELETE FROM complaint WHERE id = ANY(:ids)"), {"ids": ids})


def created_after(engine: Engine, last_id: int) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM complaint WHERE id > :i"), {"i": last_id}).scalars())


@contextmanager
def served(database_url: str, workers: int = 0, log: BinaryIO | None = None) -> Iterator[str]:
    """The app served on loopback against ``database_url``; yields its base URL.

    The server's standard error (one JSON line per request) goes to ``log``, by
    default a temporary file: a pipe nobody reads fills up under load and stalls
    every worker.
    """
    if log is None:
        with tempfile.TemporaryFile() as errors, served(database_url, workers, errors) as base:
            yield base
        return
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "HOST": "127.0.0.1", "PORT": str(port), "PANTAU_DEMO": "0"}
    if workers:
        # gunicorn.conf.py, as make serve uses it; only the worker count and the port differ.
        cmd = [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "app:server"]
    else:
        cmd = [str(ROOT / ".venv/bin/python"), "app.py"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                log.seek(0)
                raise RuntimeError(f"app did not start: {log.read().decode(errors='replace')[-4000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
