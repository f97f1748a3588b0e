"""What browsers may keep: static files and public answers, served without the session.

An answer that is the same for everyone (a static file: Dash's scripts, Pantau's assets, the favicon; or
an answer marked ``Cache-Control: public``, such as a public complaint's photo) never carries the session:
no ``Set-Cookie``, no ``Vary: Cookie``. A staff member's session cookie is signed again on every answer
(``SESSION_REFRESH_EACH_REQUEST``), so it changed from one request to the next, and a cached answer that
varied on it was never reused: every page load fetched Dash's 1.2 MB of scripts again and asked again
about every asset and photo.

Dash names its own scripts with a version fingerprint (it sends those with a year's ``max-age``) and
Pantau's assets with ``?m=<modification time>``; such a URL changes whenever its file does, so a browser
may keep the answer a year without asking (``immutable``). Without one (dcc's lazily loaded chunks,
plotly.js, an asset named by a style sheet) the answer keeps Flask's ETag: the browser asks, and gets 304
while the file is unchanged.
"""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request

ASSETS = "/assets/"  # Pantau's own files, named with ?m=<modification time> by Dash
STATIC_PREFIXES = (ASSETS, "/_dash-component-suites/", "/_favicon.ico")
IMMUTABLE = "public, max-age=31536000, immutable"


def is_static() -> bool:
    """Whether this request asks for a static file."""
    return has_request_context() and request.path.startswith(STATIC_PREFIXES)


def is_shared(response: Response) -> bool:
    """Whether ``response`` is the same for everyone who asks, so it must not carry the session."""
    return is_static() or bool(response.cache_control.public)


def _keep_fingerprinted(response: Response) -> Response:
    if request.path.startswith(ASSETS) and request.args.get("m") and response.status_code in (200, 304):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def init_browser_cache(server: Flask) -> None:
    server.after_request(_keep_fingerprinted)
