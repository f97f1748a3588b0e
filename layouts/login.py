"""Staff log-in."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit

import dash
from dash import dcc, html

from i18n import current_lang, t
from layouts._chrome import page

dash.register_page(__name__, path="/login", title="Masuk · Pantau")
MAX_NEXT = 2000


def safe_next(value: Any) -> str | None:
    """``value`` if it is a path on this site to go to after logging in, else None.

    Browsers read ``/\\evil.example`` and ``//evil.example`` as another site, and drop tabs and
    newlines before reading a URL, so only a plain path from the root passes: no backslash, no
    scheme or host, no control character or space.
    """
    if not isinstance(value, str) or not value.startswith("/") or len(value) > MAX_NEXT:
        return None
    if value.startswith("//") or "\\" in value:
        return None
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/login/"):
        return None
    return value


def layout(lang: str | None = None, next: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    target = safe_next(next)  # None: the callback sends each role to its own page
    return page(
        html.Div(
            [
                html.H1(t("login.title", lang)),
                html.Label(t("login.username", lang), htmlFor="login-username"),
                dcc.Input(id="login-username", type="text", autoComplete="username", debounce=False, n_submit=0),
                html.Label(t("login.password", lang), htmlFor="login-password"),
                dcc.Input(id="login-password", type="password", autoComplete="current-password", n_submit=0),
                html.Div(id="login-message", role="alert", className="error", **{"aria-live": "assertive"}),
                html.Button(t("login.submit", lang), id="login-submit", n_clicks=0, className="login-button"),
                dcc.Store(id="login-next", data={"next": target, "lang": lang}),
                dcc.Location(id="login-redirect", refresh=True),
            ],
            className="login-box",
        ),
        lang,
        "/login",
        {"next": target},
    )
