"""Errors answered plainly in each door's own format, never with a stack trace.

Each door answers in its own format (``refuse``): Open311 paths with the
GeoReport error list in the URL's ``.xml`` or ``.json``, the staff API, SMS and
Dash callbacks with JSON ``{"error": …, "code": …}``, pages with a short text.

**The database is away.**
Connection failures, an exhausted pool and statement time-outs become a 503
with a ``Retry-After``: JSON ``{"error": …}`` for the API and for Dash
callbacks (``assets/pantau_errors.js`` shows it as a banner on the page), and a
small page in the reader's language that reloads itself for everything else.
Nothing needs restarting when the database comes back: the engine checks each
pooled connection as it is checked out (db/liveness.py) and opens fresh ones.

A full photo disk (``photos.store.StorageFull``) is answered the same plain way:
507 Insufficient Storage with a JSON message, or 503 to a Dash callback so the
page's banner shows it. The exception has left the request's transaction by
then, so nothing of the upload (or of a report sent with it) is kept. A Dash
callback larger than ``MAX_CONTENT_LENGTH`` gets a 413 with a message for the
same banner.

**Hostile or malformed input** gets a 400, not a 500: a NUL character in the
path or query string (PostgreSQL text cannot hold it) is refused before any
view runs, naming the parameter; JSON nested too deeply to parse is treated as
not JSON; a value the database still refuses (``DataError``), a date or number
out of range (``OverflowError``) and a Dash callback request of the wrong shape
are answered 400 with a warning log line that names the error, not a
traceback. Doors check their own fields first, with messages naming them.

**Unknown API paths**: Dash serves its page to every other GET path, so
``/api/…`` and ``/open311/…`` paths no route serves, and file names such as
``/manifest.json``, are answered 404 (405 with ``Allow`` for a known path
asked with the wrong method) before the page is built.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from functools import wraps
from html import escape
from pathlib import PurePath
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dash.exceptions import DependencyException
from flask import Flask, Response, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from api.open311_format import errors as open311_errors
from api.request_log import masked_path
from i18n import LANGS, current_lang, t
from photos.store import StorageFull
from settings import get_settings

RETRY_AFTER_S = 10
STORAGE_FULL = "The photo storage is full: the photo was not stored and nothing was changed. Tell the administrator."
log = logging.getLogger("pantau.request")
_JSON_PREFIXES = ("/api/", "/open311/", "/_dash-")
_API_PREFIXES = ("/api/", "/open311/")
DASH_CATCHALL = "/<path:path>"  # the rule Dash serves its page from, for any GET path
DASH_CALLBACK = "/_dash-update-component"
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# What a Dash callback raises when the request's ids, values or shape are not what its page sends.
_MALFORMED_CALLBACK = (TypeError, AttributeError, KeyError, IndexError, ValueError)

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


def _open311_format() -> str | None:
    """``xml`` or ``json`` on an Open311 path (the spec's default, XML, unless the path ends in .json)."""
    if not request.path.startswith("/open311/"):
        return None
    return "json" if request.path.endswith(".json") else "xml"


def refuse(status: int, message: str, **extra: Any) -> Response:
    """``message`` as a ``status`` answer in the door's own format."""
    fmt = _open311_format()
    if fmt is not None:
        return open311_errors(fmt, status, message)
    if wants_json():
        response = jsonify(error=message, code=status, **extra)
    else:
        response = Response(message + "\n", mimetype="text/plain")
    response.status_code = status
    return response


def printable(text: str) -> str:
    """``text`` fit to quote back in an error: a NUL shown as ``\\x00`` (XML cannot carry it), at most 100 characters."""
    return text.replace("\x00", "\\x00")[:100]


def _refuse_nul() -> Response | None:
    if "\x00" in request.path:
        return refuse(400, "the path contains a NUL character (\\x00)")
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            return refuse(400, f"{printable(name)}: contains a NUL character (\\x00)")
    return None


def _served_methods() -> list[str]:
    """The methods a route other than Dash's page serves at this path."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    served = []
    for method in _METHODS:
        try:
            rule, _ = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.rule != DASH_CATCHALL:
            served.append(method)
    return served


def _refuse_unknown_path() -> Response | None:
    failed = request.routing_exception
    if request.url_rule is not None and request.url_rule.rule != DASH_CATCHALL:
        return None  # a route of its own
    if failed is not None and not isinstance(failed, NotFound | MethodNotAllowed):
        return None  # a redirect (a missing trailing slash)
    path = request.path
    if path.startswith(_API_PREFIXES) or path in ("/api", "/open311"):
        served = _served_methods()
        if served:
            response = refuse(405, f"{request.method} is not allowed here; use {', '.join(served)}")
            response.headers["Allow"] = ", ".join(served)
            return response
        return refuse(404, f"no such API path: {printable(masked_path(path))}")
    if request.url_rule is not None and "." in path.rsplit("/", 1)[-1]:
        return refuse(404, "not found")  # a file name (manifest.json, robots.txt): not one of the app's pages
    return None


def refuse_bad_requests() -> Response | None:
    """Before any view: a NUL in the path or query string, an unknown API path."""
    return _refuse_nul() or _refuse_unknown_path()


def _bad_input(exc: Exception, message: str) -> Response:
    log.warning(
        "bad input",
        extra={"fields": {"event": "bad_input", "error": type(exc).__name__, "path": masked_path(request.path)}},
    )
    return refuse(400, message)


def value_refused(exc: DataError) -> Response:
    """The database refused a value (a NUL that reached it, a number out of its range)."""
    return _bad_input(exc, "a value in this request cannot be used (a NUL character, or a number out of range)")


def out_of_range(exc: OverflowError) -> Response:
    return _bad_input(exc, "a date or number in this request is out of range")


def nested_too_deeply(exc: RecursionError) -> Response:
    return _bad_input(exc, "the request is nested too deeply")


def http_error(exc: HTTPException) -> Any:
    """Werkzeug's own errors (a body that is not JSON, too large…) in the door's format; pages keep Flask's."""
    if exc.code is None or not wants_json():
        return exc
    response = refuse(exc.code, exc.description or exc.name)
    for name, value in exc.get_headers():
        if name in ("Allow", "Retry-After"):
            response.headers[name] = value
    return response


def unknown_bundle(_exc: DependencyException) -> Any:
    """A script path under /_dash-component-suites/ that Dash does not serve: not found, like any other path."""
    return http_error(NotFound())


class DepthSafeJSON(DefaultJSONProvider):
    """JSON nested deeper than Python's recursion limit is not JSON (a 400, or None with ``silent``)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def guard_dash_callbacks(server: Flask) -> None:
    """A Dash callback request of the wrong shape (ids, values, missing keys) is answered 400, not 500.

    Dash's renderer sends the ids and values of the page's own components; a callback failing on the
    shape of what it was given had a hand-made request. The log line names the error and where it
    arose, so a real bug is still found.
    """
    dispatch: Callable[..., Any] = server.view_functions[DASH_CALLBACK]

    @wraps(dispatch)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return dispatch(*args, **kwargs)
        except _MALFORMED_CALLBACK as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{PurePath(frame.filename).name}:{frame.lineno}"
            log.warning(
                "callback refused",
                extra={"fields": {"event": "bad_callback", "error": type(exc).__name__, "where": where}},
            )
            return refuse(400, "malformed callback request")

    server.view_functions[DASH_CALLBACK] = guarded


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
    fmt = _open311_format()
    if fmt is not None:
        response = open311_errors(fmt, 503, message)
    elif wants_json():
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
    server.register_error_handler(DataError, value_refused)
    server.register_error_handler(OverflowError, out_of_range)
    server.register_error_handler(RecursionError, nested_too_deeply)
    server.register_error_handler(HTTPException, http_error)
    server.register_error_handler(DependencyException, unknown_bundle)
    server.json = DepthSafeJSON(server)
    # Before every other hook but the request log's timer: nothing else (CSRF, limits) runs for these.
    server.before_request_funcs.setdefault(None, []).insert(0, refuse_bad_requests)
    server.register_error_handler(RequestEntityTooLarge, request_too_large)
