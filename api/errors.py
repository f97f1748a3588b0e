"""When the database is away, say so plainly (503), never with a stack trace.

Connection failures, an exhausted pool and statement time-outs become a 503
with a ``Retry-After``: JSON ``{"error": …}`` for the API and for Dash
callbacks (``assets/pantau_errors.js`` shows it as a banner on the page), and a
small page in the reader's language that reloads itself for everything else.
Nothing needs restarting when the database comes back: the engine checks each
pooled connection before use (``pool_pre_ping``) and opens fresh ones.

A full photo disk (``photos.store.StorageFull``) is answered the same plain way:
507 Insufficient Storage with a JSON message, or 503 to a Dash callback so the
page's banner shows it. The exception has left the request's transaction by
then, so nothing of the upload (or of a report sent with it) is kept. A Dash
callback larger than ``MAX_CONTENT_LENGTH`` gets a 413 with a message for the
same banner.
"""

from __future__ import annotations

import logging
from html import escape
from urllib.parse import parse_qs, urlsplit

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import RequestEntityTooLarge

from i18n import LANGS, current_lang, t
from photos.store import StorageFull
from settings import get_settings

RETRY_AFTER_S = 10
STORAGE_FULL = "The photo storage is full: the photo was not stored and nothing was changed. Tell the administrator."
log = logging.getLogger("pantau.request")
_JSON_PREFIXES = ("/api/", "/open311/", "/_dash-")

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{seconds}">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; padding: 3rem 1.25rem; background: #f4f5f7; color: #1b1f24; }}
main {{ max-width: 34rem; margin: 0 auto; background: #fff; border-left: 6px solid #b42318; padding: 1.5rem; }}
a {{ color: #0b57d0; }}
</style>
</head>
<body>
<main role="alert">
<h1>{title}</h1>
<p>{message}</p>
<p><a href="">{retry}</a></p>
</main>
</body>
</html>
"""


def _reason(exc: Exception) -> str:
    """'busy' for a statement time-out or a full pool, 'away' when the server cannot be reached."""
    if isinstance(exc, PoolTimeout):
        return "busy"
    if isinstance(exc, OperationalError) and type(exc.orig).__name__ == "QueryCanceled":
        return "busy"
    return "away"


def _lang() -> str:
    # A Dash callback carries no ?lang=; the page that sent it does, in the Referer.
    if "lang" not in request.args and request.referrer:
        referred = parse_qs(urlsplit(request.referrer).query).get("lang", [""])[0]
        if referred in LANGS:
            return referred
    return current_lang()


def wants_json() -> bool:
    if request.path.startswith(_JSON_PREFIXES) or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def database_unavailable(exc: Exception) -> Response:
    """The 503 response for ``exc`` (a connection failure, full pool or time-out)."""
    reason = _reason(exc)
    lang = _lang()
    message = t("error.database_away" if reason == "away" else "error.database_busy", lang)
    log.warning(
        "database %s",
        reason,
        extra={"fields": {"event": "database_" + reason, "error": type(exc).__name__, "path": request.path}},
    )
    if wants_json():
        response = jsonify(error=message, code=503, reason=f"database_{reason}")
    else:
        page = _PAGE.format(
            lang=lang,
            seconds=RETRY_AFTER_S,
            title=escape(t("app.name", lang)),
            message=escape(message),
            retry=escape(t("error.retry_now", lang)),
        )
        response = Response(page, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    response.headers["Cache-Control"] = "no-store"
    return response


def photo_storage_full(exc: StorageFull) -> Response:
    """The answer to an upload that found the photo disk full."""
    log.error(
        "photo storage full",
        extra={"fields": {"event": "photo_storage_full", "error": exc.strerror, "path": request.path}},
    )
    status = 503 if request.path.startswith("/_dash-") else 507
    response = jsonify(error=STORAGE_FULL, code=status, reason="photo_storage_full")
    response.status_code = status
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    response.headers["Cache-Control"] = "no-store"
    return response


def request_too_large(exc: RequestEntityTooLarge) -> Response | RequestEntityTooLarge:
    """A Dash callback over MAX_CONTENT_LENGTH (one photo and the form): 413 with a message for the page's banner."""
    if not request.path.startswith("/_dash-"):
        return exc  # the API and Open311 answer in their own formats (api/workflow.py), or Flask's plain 413
    response = jsonify(
        error=t("error.too_large", _lang(), mb=f"{get_settings().max_photo_mb:g}"), code=413, reason="too_large"
    )
    response.status_code = 413
    return response


def init_errors(server: Flask) -> None:
    for kind in (OperationalError, InterfaceError, PoolTimeout):
        server.register_error_handler(kind, database_unavailable)
    server.register_error_handler(StorageFull, photo_storage_full)
    server.register_error_handler(RequestEntityTooLarge, request_too_large)
