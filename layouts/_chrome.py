"""The frame every staff and citizen page shares: skip link, header, navigation, language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from api.auth import current_staff
from api.permissions import may_open
from i18n import t

NAV = [
    ("/live", "nav.live"),
    ("/lapor", "nav.report"),
    ("/lacak", "nav.track"),
    ("/operator", "nav.operator"),
    ("/field", "nav.field"),
    ("/pimpinan", "nav.leaders"),
]


def language_link(lang: str, path: str, query: dict[str, Any] | None = None) -> html.A:
    other = "en" if lang == "id" else "id"
    params = {k: v for k, v in (query or {}).items() if k != "lang" and v not in (None, "")}
    params["lang"] = other
    return html.A(
        t("nav.language", lang),
        href=f"{path}?{urlencode(params, doseq=True)}",
        lang=other,
        className="lang-switch",
        id="lang-switch",
    )


def page(
    children: Any,
    lang: str,
    active: str,
    query: dict[str, Any] | None = None,
    user: str | None = None,
    wide: bool = False,
) -> html.Div:
    """Wrap a page's content in the shared header; ``active`` is the page's path."""
    links = [
        html.A(
            t(key, lang),
            href=f"{path}?lang={lang}",
            className="nav-link" + (" active" if path == active else ""),
            **({"aria-current": "page"} if path == active else {}),
        )
        for path, key in NAV
    ]
    if user is None:
        staff = current_staff()
        user = staff.username if staff else None
    account = (
        [
            html.Span(user, className="nav-user"),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                    html.Button(t("nav.logout", lang), type="submit", className="nav-link link-button"),
                ],
                method="POST",
                action="/logout",
                className="logout-form",
            ),
        ]
        if user
        else [html.A(t("nav.login", lang), href=f"/login?lang={lang}&next={active}", className="nav-link")]
    )
    return html.Div(
        [
            html.A(t("nav.skip", lang), href="#main", className="skip-link"),
            html.Header(
                [
                    html.A(
                        [html.Span("●", className="brand-dot", **{"aria-hidden": "true"}), t("app.name", lang)],
                        href="/",
                        className="brand",
                    ),
                    html.Nav(links, className="nav", **{"aria-label": t("nav.main", lang)}),
                    html.Div([*account, language_link(lang, active, query)], className="nav-account"),
                ],
                className="site-header",
            ),
            html.Main(children, id="main", className="page" + (" page-wide" if wide else ""), tabIndex="-1", lang=lang),
        ],
        className="shell",
        lang=lang,
    )


def guard(page_name: str, lang: str, path: str, query: dict[str, Any] | None = None) -> html.Div | None:
    """None when the visitor may open ``page_name`` (``api.permissions.PAGE_ROLES``); otherwise the page asking
    them to log in, or saying no."""
    user = current_staff()
    if user is None:
        return page(
            html.Div(
                [
                    html.H1(t("guard.login_required", lang)),
                    html.A(
                        t("nav.login", lang),
                        href=f"/login?lang={lang}&next={path}",
                        className="button",
                        id="guard-login",
                    ),
                ],
                className="notice",
            ),
            lang,
            path,
            query,
        )
    if not may_open(user, page_name):
        return page(
            html.Div(html.H1(t("guard.forbidden", lang)), className="notice", id="guard-forbidden"), lang, path, query
        )
    return None
