"""Fixtures shared by every test: a real PostGIS test database and a real headless Chromium.

The test database is ``PANTAU_TEST_DATABASE_URL`` or ``pantau_test`` in the
project-local cluster (``make test`` starts it). It is dropped and created
afresh once per run, migrated, and loaded with the shared boundaries and the
catalogue. Tests that only read or write inside a transaction use ``conn``,
which is rolled back afterwards; tests that need committed rows (concurrency,
the web server, the browser) use ``engine`` and clean up with ``purge``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from loopback import free_port
from settings import Settings, get_settings, local_database_url

# Fixtures shared across test files live in these modules beside their helpers; pytest finds them by
# name, so no test file imports a fixture (tests/unit/test_test_shape.py holds it).
pytest_plugins = ("tests.integration.staff", "tests.integration.intake", "tests.integration.gateways")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
_DATA_DIR = Path(tempfile.mkdtemp(prefix="pantau-test-"))


def _test_url() -> str:
    if os.environ.get("PANTAU_TEST_DATABASE_URL"):
        return os.environ["PANTAU_TEST_DATABASE_URL"]
    # The cluster make test started for the user's PANTAU_DATA_DIR, read before the override below.
    return local_database_url("pantau_test", Settings().data_dir)


TEST_URL = _test_url()
# The data folder of the project-local cluster make test runs (tests/integration/test_replica.py copies it).
CLUSTER_DATA_DIR = Settings().data_dir
# Everything the app reads from settings must point at the test database and a
# throwaway data folder before any app module is imported.
os.environ["DATABASE_URL"] = TEST_URL
os.environ["PANTAU_DATA_DIR"] = str(_DATA_DIR)
os.environ["PANTAU_DEMO"] = "0"
# The suite logs in from 127.0.0.1 far more often than PANTAU_LOGIN_RATE allows a person; test_audit.py checks the limit.
os.environ.setdefault("PANTAU_LOGIN_RATE", "10000/minute")
# The delivery worker chases overdue work only where a test asks it to (test_chase.py): elsewhere a reminder
# would add events to the histories other tests read.
os.environ.setdefault("PANTAU_CHASE_INTERVAL_S", "0")
# Nor does it rebuild indexes behind other tests' backs (test_maintenance.py asks).
os.environ.setdefault("PANTAU_REINDEX_INTERVAL_H", "0")
os.environ.setdefault("PANTAU_BOUNDARIES_DIR", str(ROOT.parent / "shared" / "data" / "boundaries"))

from sqlalchemy import Connection, Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from headless import start_chromium  # noqa: E402


def _recreate_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The migrated test database with boundaries and catalogue loaded (committed)."""
    from db.boundaries import load_boundaries
    from db.catalogue import load_catalogue
    from db.engine import get_engine
    from db.jurisdictions import load_jurisdictions
    from db.migrate import migrate_database
    from geo.boundaries.reader import default_files, read_boundaries
    from settings import get_settings

    _recreate_database(TEST_URL)
    eng = get_engine()
    migrate_database(eng)
    files = default_files(get_settings().boundaries_dir)
    assert files, f"no boundary files in {get_settings().boundaries_dir}"
    with eng.begin() as conn:
        for path, level in files:
            load_boundaries(conn, read_boundaries(path, level), str(path))
        load_catalogue(conn)
        load_jurisdictions(conn, get_settings().jurisdictions_file)
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


def inside(conn: Connection, kelurahan_code: str = "3671011001") -> tuple[float, float]:
    """A point (lat, lon) inside a kelurahan (Sukarasa, Kota Tangerang, unless told): the one such helper."""
    row = conn.execute(
        text("SELECT ST_Y(p), ST_X(p) FROM area, LATERAL ST_PointOnSurface(geom) p WHERE code = :c"),
        {"c": kelurahan_code},
    ).one()
    return float(row[0]), float(row[1])


def purge(engine: Engine, complaint_ids: list[int] | None = None, *, all_complaints: bool = False) -> None:
    """Remove committed test complaints with their events and photos (the history is append-only, so bypass its trigger)."""
    with engine.begin() as c:
        c.execute(text("SET LOCAL session_replication_role = replica"))
        if all_complaints:
            # Replica mode skips the TRUNCATE triggers that empty the status counts (migration 0009) and the
            # leaders' rollups (migration 0020).
            c.execute(
                text(
                    "TRUNCATE complaint_event, photo, document, complaint, complaint_status_count, leaders_rollup,"
                    " leaders_rollup_day, leaders_rollup_hist RESTART IDENTITY CASCADE"
                )
            )
            return
        ids = list(complaint_ids or [])
        if not ids:
            return
        c.execute(text("UPDATE complaint SET merged_into_id = NULL WHERE merged_into_id = ANY(:ids)"), {"ids": ids})
        c.execute(text("DELETE FROM complaint_event WHERE complaint_id = ANY(:ids)"), {"ids": ids})
        c.execute(text("DELETE FROM photo WHERE complaint_id = ANY(:ids)"), {"ids": ids})
        c.execute(text("DELETE FROM document WHERE complaint_id = ANY(:ids)"), {"ids": ids})
        # The complaints themselves with triggers on, so the status counts (migration 0009) follow.
        c.execute(text("SET LOCAL session_replication_role = origin"))
        c.execute(text("DELETE FROM complaint WHERE id = ANY(:ids)"), {"ids": ids})


@pytest.fixture
def committed(engine: Engine) -> Iterator[list[int]]:
    """A list to append ids of complaints a test commits; they are purged afterwards."""
    ids: list[int] = []
    yield ids
    purge(engine, ids)


@pytest.fixture(scope="session")
def live_server(engine: Engine) -> Iterator[str]:
    """The real app served over HTTP on loopback, against the test database."""
    from werkzeug.serving import make_server

    from app import server

    port = free_port()
    httpd = make_server("127.0.0.1", port, server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()


@pytest.fixture
def client(engine: Engine):  # type: ignore[no-untyped-def]
    """Flask's in-process test client for the real app."""
    from app import server
    from tests.contract import ContractClient

    server.config["TESTING"] = True
    server.test_client_class = ContractClient  # every /api/v1/ answer is checked against /api/openapi.json
    return server.test_client()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Settings]]:
    """Set PANTAU_* variables for this test and return the settings they make (undone after the test)."""

    def apply(**env: str) -> Settings:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    yield apply
    get_settings.cache_clear()


def make_browser(width: int = 1440, height: int = 900):  # type: ignore[no-untyped-def]
    return start_chromium(width, height)


@pytest.fixture
def browser(request: pytest.FixtureRequest, live_server: str) -> Iterator[object]:
    """Headless Chromium (1440×900); a screenshot of the last page is kept in test-artifacts/."""
    size = getattr(request, "param", (1440, 900))
    driver = make_browser(*size)
    try:
        yield driver
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        try:
            driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
        finally:
            driver.quit()


def console_errors(driver) -> list[str]:  # type: ignore[no-untyped-def]
    """Severe messages from the page's console (errors), ignoring the favicon."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"]
    ]


def flask_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command ``flask --app app ARGS`` against the test database, in this process.

    The same click commands the shell reaches, on the app's own CLI group; in-process because each
    ``flask`` process spends about two seconds importing the app. An exception the command does not
    handle is written to stderr as a traceback, as the shell would show it, so tests that assert
    "no traceback" still see one. ``flask_process`` runs the real executable where that matters.
    """
    from app import server

    result = server.test_cli_runner().invoke(args=list(args), input=stdin)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["flask", "--app", "app", *args], result.exit_code, result.stdout, stderr)


def flask_process(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app app ARGS`` as a separate process, exactly as a user types it."""
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=600,
    )
