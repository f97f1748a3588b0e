"""Structured logs: one JSON object per line on standard error, one line per request.

Each request line has the time, a request id (the client's ``X-Request-ID``
when it is a plain token, else a new one; echoed in the response), method,
path, status, duration, response size, the worker's pid and who asked (the
staff role and id, or ``public``). Nothing a reporter typed is written: no
query strings, no bodies, no form fields, no IP addresses, and tracking codes
in paths are masked. Errors from the app's logger come out in the same shape,
with the traceback as one string field, tracking codes masked in both.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request, session
from flask.logging import default_handler
from werkzeug.exceptions import RequestEntityTooLarge

from api.browser_cache import is_static

REQUEST_ID = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_TRACKING_CODE = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", re.I)
logger = logging.getLogger("pantau.request")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message and any ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            # Flask's own error line names the path ("Exception on /lacak/<code> [GET]"): masked like the request's.
            "message": masked_path(record.getMessage()),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["traceback"] = masked_path("".join(traceback.format_exception(*record.exc_info)))
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (so test capture and gunicorn both see it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def masked_path(path: str) -> str:
    """The path (or any log text) with tracking codes replaced: a code is enough to read a report's status."""
    return _TRACKING_CODE.sub("XXXX-XXXX-XXXX", path)


def request_id() -> str:
    """This request's id (the same one the response carries)."""
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID, "")
        g.request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
    return str(g.request_id)


def _who() -> tuple[str, int | None]:
    # Only look the user up when the request carries credentials: a public request costs no query. A static
    # file is served alike to everyone, without looking at who asks (api/browser_cache.py).
    if is_static() or ("staff" not in g and "_user_id" not in session and not request.headers.get("Authorization")):
        return "public", None
    from api.auth import current_staff

    try:
        user = current_staff()
    except Exception:  # the database may be the reason this request failed
        return "unknown", None
    return (user.role, user.id) if user is not None else ("public", None)


def _start() -> None:
    g.request_started = time.perf_counter()
    # CPU of this request's own thread (gunicorn's gthread and the dev server run one request per thread):
    # what the app spends, apart from waiting on the database or on other requests for the cores.
    g.request_cpu_started = time.thread_time()
    request_id()


def _finish(response: Response) -> Response:
    rid = request_id()
    response.headers[REQUEST_ID] = rid
    role, user_id = _who()
    fields: dict[str, Any] = {
        "event": "request",
        "request_id": rid,
        "method": request.method,
        "path": masked_path(request.path),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
        "cpu_ms": round((time.thread_time() - g.get("request_cpu_started", time.thread_time())) * 1000, 1),
        # A streamed body (an export) is never measured: that would hold all of it in memory.
        "bytes": response.calculate_content_length() if response.is_sequence else response.content_length,
        "role": role,
        "user_id": user_id,
        "pid": os.getpid(),
    }
    if request.path.endswith("/_dash-update-component"):
        try:
            body = request.get_json(silent=True)
        except RequestEntityTooLarge:
            body = None  # over MAX_CONTENT_LENGTH: already answered 413, and the body is never read
        if isinstance(body, dict) and isinstance(body.get("output"), str):
            fields["callback"] = body["output"][:160]  # component ids, never their values
    logger.info("%s %s %s", request.method, fields["path"], response.status_code, extra={"fields": fields})
    return response


def init_request_log(server: Flask) -> None:
    """A JSON line per request on standard error; the app's own error log in the same format."""
    handler = StderrHandler()
    # pantau.replica: when reads leave the replica for the primary and come back (db/replica.py).
    for log in (logger, server.logger, logging.getLogger("pantau.replica")):
        log.handlers = [h for h in log.handlers if h is not default_handler and not isinstance(h, StderrHandler)]
        log.addHandler(handler)
        log.propagate = False
    logger.setLevel(logging.INFO)
    # The development server's own access lines carry query strings: this log replaces them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # First, so the timing covers every other before_request hook (CSRF checks, rate limits).
    server.before_request_funcs.setdefault(None, []).insert(0, _start)
    server.after_request_funcs.setdefault(None, []).insert(0, _finish)  # runs last: after_request goes in reverse
