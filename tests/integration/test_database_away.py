"""When the database is away: a clear 503 (never a stack trace), and recovery without a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import Engine, text

from api.errors import init_errors
from db.engine import make_engine
from settings import get_settings


@pytest.fixture
def dead_url(tmp_path: Path) -> str:
    """A database URL whose socket folder has no server in it: connections are refused."""
    return f"postgresql+psycopg://postgres@/pantau?host={tmp_path}&port=5999"


@pytest.fixture
def app_on(dead_url: str) -> Iterator[Flask]:
    """A bare Flask app with Pantau's error handling and routes that need the database."""
    app = Flask(__name__)
    init_errors(app)
    engine = make_engine(dead_url)

    def query() -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT 1")).scalar())

    for path in ("/api/v1/things", "/_dash-update-component", "/operator"):
        app.add_url_rule(path, path, query, methods=["GET", "POST"])
    yield app
    engine.dispose()


def test_the_api_and_dash_callbacks_get_a_json_503(app_on: Flask) -> None:
    client = app_on.test_client()
    client.set_cookie("pantau_lang", "en")
    for method, path in (("get", "/api/v1/things"), ("post", "/_dash-update-component")):
        response = getattr(client, method)(path)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "10"
        assert response.get_json() == {
            "error": "The database cannot be reached right now. The page will try again shortly.",
            "code": 503,
            "reason": "database_away",
        }


def test_a_page_load_gets_a_small_page_in_the_readers_language_that_retries(app_on: Flask) -> None:
    response = app_on.test_client().get("/operator?lang=id", headers={"Accept": "text/html"})
    assert response.status_code == 503 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "Basis data sedang tidak dapat dihubungi" in page
    assert '<meta http-equiv="refresh" content="10">' in page
    for leak in ("Traceback", "psycopg", "OperationalError", "5999", "SELECT"):
        assert leak not in page, leak


def test_a_statement_that_runs_too_long_is_cut_off_with_a_busy_message(engine: Engine) -> None:
    app = Flask(__name__)
    init_errors(app)

    @app.get("/api/v1/slow")
    def slow() -> str:
        with engine.connect() as conn:
            conn.execute(text("SET LOCAL statement_timeout = 50"))
            conn.execute(text("SELECT pg_sleep(5)"))
        return "never"

    response = app.test_client().get("/api/v1/slow?lang=en")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "database_busy"
    assert "busy" in response.get_json()["error"]


def test_the_real_app_answers_503_while_its_database_is_away_and_recovers(
    client,  # type: ignore[no-untyped-def]
    dead_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login = {"username": "nobody-here", "password": "wrong password"}
    monkeypatch.setenv("DATABASE_URL", dead_url)
    get_settings.cache_clear()
    try:
        away = client.post("/api/v1/auth/token", json=login)
        health = client.get("/healthz")
        open311 = {fmt: client.get(f"/open311/v2/services.{fmt}?lang=en") for fmt in ("xml", "json")}
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert away.status_code == 503 and away.get_json()["reason"] == "database_away"
    # /healthz is public: the state, never the driver's message (it names the socket's folder and port).
    assert health.status_code == 503 and health.get_json() == {"status": "error", "database": "unreachable"}
    assert dead_url.split("host=")[1].split("&")[0] not in health.get_data(as_text=True)
    # Open311 clients get the GeoReport error list, in the format they asked for.
    xml = open311["xml"]
    assert xml.status_code == 503 and xml.content_type.startswith("text/xml") and xml.headers["Retry-After"] == "10"
    (error,) = ET.fromstring(xml.data).findall("error")
    assert error.findtext("code") == "503" and "cannot be reached" in (error.findtext("description") or "")
    assert open311["json"].status_code == 503
    assert open311["json"].get_json() == [{"code": 503, "description": error.findtext("description")}]
    # The database is back: the very next request works, with nothing restarted.
    assert client.post("/api/v1/auth/token", json=login).status_code == 401


def test_pooled_connections_killed_by_a_database_restart_are_replaced_by_themselves(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/healthz").status_code == 200  # the pool now holds open connections
    with make_engine(str(engine.url.render_as_string(hide_password=False))).connect() as admin:
        killed = admin.execute(
            text(
                # As a restart does: each is gone (the call waits up to 5 s for it) before the next request.
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    assert killed and killed >= 1
    assert client.get("/healthz").status_code == 200


def test_a_connection_the_server_closed_while_it_was_idle_is_replaced_without_an_error(engine: Engine) -> None:
    """The pool hands out no connection the server has dropped: an idle time-out, say (db/liveness.py)."""
    pool = make_engine(str(engine.url.render_as_string(hide_password=False)), get_settings())
    try:
        with pool.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            conn.execute(text("SET idle_session_timeout = '1s'"))
            conn.commit()  # kept past the pool's reset
        with pool.connect() as conn:  # straight back: the same connection, still alive
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() == first
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:  # the server ends it
            gone = text("SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = :p)")
            deadline = time.monotonic() + 10
            while not admin.execute(gone, {"p": first}).scalar() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert admin.execute(gone, {"p": first}).scalar()
        with pool.connect() as conn:
            again = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert again != first
    finally:
        pool.dispose()
