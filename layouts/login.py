"""Staff log-in."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from i18n import current_lang, t
from layouts._chrome import page

dash.register_page(__name__, path="/login", title="Masuk · Pantau")


def layout(lang: str | None = None, next: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    target = next if next and next.startswith("/") and not next.startswith("//") else "/operator"
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
