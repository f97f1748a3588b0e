"""scripts/pg.sh, as ``make run``, ``make test`` and ``make bench`` use it, with a data folder inside a private folder.

As root the cluster runs as the ``postgres`` user, who cannot enter a folder of
mode 700 such as ``/root`` or a ``mktemp -d`` folder; the cluster must still
start, answer on the socket the app computes from ``PANTAU_DATA_DIR``, and stop.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db.engine import database_url
from settings import Settings, local_pg_dir
from tests.conftest import ROOT, _test_url


def _pg_sh(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PANTAU_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [str(ROOT / "scripts" / "pg.sh"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def private_data_dir() -> Iterator[Path]:
    """A data folder inside a fresh ``mktemp -d`` folder (mode 700); its cluster is stopped and removed afterwards."""
    outer = Path(tempfile.mkdtemp(prefix="pantau-private-"))
    assert outer.stat().st_mode & 0o777 == 0o700
    data_dir = outer / "clone" / "var"
    data_dir.mkdir(parents=True)
    try:
        yield data_dir
    finally:
        _pg_sh("stop", data_dir=data_dir)
        cluster = local_pg_dir(data_dir)  # where pg.sh actually put it (as root: outside the private folder)
        shutil.rmtree(outer, ignore_errors=True)
        shutil.rmtree(cluster, ignore_errors=True)


def test_the_local_cluster_starts_answers_and_stops_in_a_private_folder(
    private_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _pg_sh("start", data_dir=private_data_dir)
    assert started.returncode == 0, started.stdout + started.stderr

    # make run and make test each find it from PANTAU_DATA_DIR (make bench through the same
    # settings.local_database_url), and it is a working PostGIS server.
    monkeypatch.setenv("PANTAU_DATA_DIR", str(private_data_dir))
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.delenv("PANTAU_TEST_DATABASE_URL", raising=False)
    monkeypatch.delenv("PANTAU_BENCH_DATABASE_URL", raising=False)
    urls = {"app": database_url(Settings()), "test": _test_url()}
    for url in urls.values():
        created = _pg_sh("createdb", make_url(url).database or "", data_dir=private_data_dir)
        assert created.returncode == 0, created.stderr
    for door, url in urls.items():
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar() == make_url(url).database, door
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            assert conn.execute(text("SELECT postgis_lib_version()")).scalar()
        engine.dispose()

    # A second start finds the running cluster instead of creating another.
    again = _pg_sh("start", data_dir=private_data_dir)
    assert again.returncode == 0 and "creating" not in again.stdout, again.stdout + again.stderr

    stopped = _pg_sh("stop", data_dir=private_data_dir)
    assert stopped.returncode == 0, stopped.stderr
    assert _pg_sh("status", data_dir=private_data_dir).returncode != 0
    assert not (local_pg_dir(private_data_dir) / "data" / "postmaster.pid").exists()


def _memory_kb() -> int:
    """The memory this machine gives, or its cgroup when that is less."""
    total = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    limit = Path("/sys/fs/cgroup/memory.max")
    cap = limit.read_text().strip() if limit.exists() else "max"
    return min(total, int(cap) // 1024) if cap.isdigit() else total


def _shared_buffers_mb(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        # In 8 kB pages, whatever unit SHOW would choose.
        pages = conn.execute(text("SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers'")).scalar()
    engine.dispose()
    return int(pages or 0) * 8 // 1024


def _started(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Start the cluster of ``data_dir`` and point the app's settings at it; the URL of its ``postgres`` database."""
    assert _pg_sh("start", data_dir=data_dir).returncode == 0
    monkeypatch.setenv("PANTAU_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL")
    return str(make_url(database_url(Settings())).set(database="postgres"))


def test_the_local_cluster_takes_a_quarter_of_the_memory_for_its_cache_unless_told_otherwise(
    private_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _started(private_data_dir, monkeypatch)

    assert _shared_buffers_mb(url) == min(max(_memory_kb() // 4096, 128), 8192)

    # An operator's own setting (ALTER SYSTEM) wins over pg.sh's at the next start.
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ALTER SYSTEM SET shared_buffers = '160MB'"))
    engine.dispose()
    assert _pg_sh("stop", data_dir=private_data_dir).returncode == 0
    assert _pg_sh("start", data_dir=private_data_dir).returncode == 0
    assert _shared_buffers_mb(url) == 160


def test_the_local_cluster_reads_its_cached_pages_back_after_a_restart(
    private_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leaders' first views after a restart find their pages in the cache, as they were before it."""
    engine = create_engine(_started(private_data_dir, monkeypatch), isolation_level="AUTOCOMMIT")
    cached = text(
        "SELECT count(*) FROM pg_buffercache b JOIN pg_class c ON b.relfilenode = pg_relation_filenode(c.oid)"
        " AND b.reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " WHERE c.relname = 'recent_reports'"
    )
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION pg_buffercache"))
        conn.execute(
            text(
                "CREATE TABLE recent_reports AS"
                " SELECT g AS id, repeat('laporan ', 30) AS body FROM generate_series(1, 20000) g"
            )
        )
        assert conn.execute(text("SELECT count(*) FROM recent_reports")).scalar() == 20000
        pages = conn.execute(text("SELECT pg_relation_size('recent_reports') / 8192")).scalar()
        assert pages and pages > 500
        assert conn.execute(cached).scalar() == pages
    engine.dispose()

    assert _pg_sh("stop", data_dir=private_data_dir).returncode == 0
    assert _pg_sh("start", data_dir=private_data_dir).returncode == 0

    # The pages come back in the background, right after the start; nothing reads the table meanwhile.
    deadline = time.monotonic() + 60
    with engine.connect() as conn:
        while (back := conn.execute(cached).scalar()) != pages and time.monotonic() < deadline:
            time.sleep(0.2)
    engine.dispose()
    assert back == pages
