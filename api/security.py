"""Security headers on every response, and secure cookies over HTTPS.

The Content-Security-Policy allows no inline script except the exact ones Dash
writes into its index page (its config, the renderer's start-up and the
clientside callbacks): their SHA-256 hashes are computed from each HTML
response, so a script injected into the page by anyone else is refused by the
browser. Plotly needs inline ``<style>`` elements, MapLibre runs its workers
from ``blob:`` URLs and draws from ``data:``/``blob:`` images; an optional tile
server (``PANTAU_TILE_URL``) is the only other origin the page may reach.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.middleware.proxy_fix import ProxyFix

from api.browser_cache import is_shared
from settings import get_settings

# Inline <script> elements without a src attribute; JSON data blocks are hashed too (harmless).
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)
HSTS_SECONDS = 180 * 24 * 3600

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@lru_cache(maxsize=8)
def _tile_origin(tile_url: str) -> str:
    parts = urlsplit(tile_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def script_hashes(html: str) -> list[str]:
    """CSP source expressions for every inline script in ``html``."""
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    }
    return sorted(hashes)


def content_security_policy(inline_scripts: list[str], tile_url: str = "") -> str:
    """The policy for one response; ``inline_scripts`` are the hashes of the page's own inline scripts."""
    tiles = _tile_origin(tile_url)
    extra = f" {tiles}" if tiles else ""
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *inline_scripts]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob:{extra}",
        "font-src": "'self' data:",
        "connect-src": f"'self'{extra}",
        "worker-src": "'self' blob:",
        "child-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _add_headers(response: Response) -> Response:
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    inline: list[str] = []
    if response.mimetype == "text/html" and not response.direct_passthrough:
        inline = script_hashes(response.get_data(as_text=True))
    response.headers["Content-Security-Policy"] = content_security_policy(inline, get_settings().tile_url)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    return response


class _SessionOverHttps(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the request came over HTTPS, and an answer that is the
    same for everyone never carries it (``api/browser_cache.py``)."""

    def get_cookie_secure(self, app: Flask) -> bool:  # type: ignore[override]
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if is_shared(response):
            return  # the same for everyone: no Set-Cookie and no "Vary: Cookie", so browsers keep it
        super().save_session(app, session, response)


def init_security(server: Flask) -> None:
    """Headers on every response; trust X-Forwarded-* only from PANTAU_BEHIND_PROXY proxies."""
    proxies = get_settings().behind_proxy
    if proxies > 0:
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies, x_prefix=proxies
        )
    server.session_interface = _SessionOverHttps()
    server.after_request(_add_headers)
