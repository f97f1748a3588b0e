"""Pantau's web app: ``create_app(settings)`` wires Dash, the API, caching and the CLI."""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

import dash
from dash import Dash, dcc, html
from flask import Flask, jsonify
from flask_caching import Cache
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from api import register_api
from api.errors import guard_dash_callbacks
from i18n import current_lang
from settings import Settings, get_settings

cache = Cache()
STARTED = time.time()

# Dash's own page, with the request's language on <html>: screen readers pick their voice by it, and the
# browser its hyphenation and whether to offer a translation.
INDEX_STRING = """<!DOCTYPE html>
<html lang="{%lang%}">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


class PantauDash(Dash):
    """Dash, with the language of the request (``?lang=``, the cookie, ``PANTAU_LANG``) filled into the page."""

    def interpolate_index(self, *args: Any, **kwargs: Any) -> str:
        return str(super().interpolate_index(*args, **kwargs)).replace("{%lang%}", current_lang())


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        # gunicorn workers start together: the first key linked into place wins, and every worker reads it.
        path.parent.mkdir(parents=True, exist_ok=True)
        mine = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(mine, path)
        except FileExistsError:
            pass
        finally:
            mine.unlink()
    return path.read_text().strip()


def _cache_config(settings: Settings) -> dict[str, object]:
    if settings.redis_url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url, "CACHE_DEFAULT_TIMEOUT": 300}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300, "CACHE_THRESHOLD": 2000}


def register_health(server: Flask) -> None:
    @server.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        from db.boundaries import boundary_counts
        from db.engine import get_engine, replica_state

        try:
            with get_engine().connect() as conn:
                postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar()
                counts = boundary_counts(conn)
        except OperationalError:
            # A public page: the driver's message names the socket path and the server, so it stays in here.
            return jsonify(status="error", database="unreachable"), 503
        ready = counts["kelurahan"] > 0
        return jsonify(
            status="ok" if ready else "starting",
            database="ok",
            postgis=postgis,
            boundaries=counts,
            # The replica's lag and where reads go: a replica away or behind is not the app's failure (the
            # primary serves its reads), so it never turns this answer into a 503.
            replica=replica_state().as_json(),
            uptime_s=round(time.time() - STARTED, 1),
        ), (200 if ready else 503)


def create_app(settings: Settings | None = None) -> Dash:
    """Build the Dash app and its Flask server for ``settings``."""
    settings = settings or get_settings()
    server = Flask(__name__)
    server.config.update(
        SECRET_KEY=_secret_key(settings),
        # One photo per request, base64 in a Dash callback (4/3 of its size), and room for the rest.
        MAX_CONTENT_LENGTH=int(settings.max_photo_mb * 1048576 * 4 / 3) + 1048576,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    cache.init_app(server, config=_cache_config(settings))
    app = PantauDash(
        __name__,
        index_string=INDEX_STRING,
        server=server,  # type: ignore[arg-type]
        use_pages=True,
        pages_folder="layouts",
        title="Pantau",
        update_title=None,  # type: ignore[arg-type]
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.layout = html.Div([dcc.Location(id="url", refresh="callback-nav"), dash.page_container])
    register_health(server)
    register_api(server)
    guard_dash_callbacks(server)

    import callbacks  # noqa: F401  (registers the @callback functions)
    from cli import COMMANDS

    for command in COMMANDS:
        server.cli.add_command(command)
    # Dash finishes setting itself up on the first request, marking it done before doing it: in a
    # threaded worker two first requests at once would find half a set-up ("Callback function not
    # found"). Do it here, once, before any request.
    with server.test_request_context("/"):
        app._setup_server()
    return app


app = create_app()
server = app.server

if __name__ == "__main__":
    settings = get_settings()
    app.run(host=settings.host, port=settings.port, debug=False)
