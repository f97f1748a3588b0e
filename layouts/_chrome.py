"""The frame every staff and citizen page shares: skip link, header, navigation, language switch."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from api.auth import current_staff
from db.accounts import StaffUser
from i18n import t
from services.permissions import may_open, pages_of

# Pages anyone may use: what citizens come for (report, track), then the wall. The staff pages carry the
# name services/permissions.py knows them by: who may open one is asked there, never decided here.
CITIZEN_NAV = [
    ("/lapor", "nav.report"),
    ("/lacak", "nav.track"),
]
PUBLIC_NAV = [*CITIZEN_NAV, ("/statistik", "nav.stats"), ("/live", "nav.live")]
# The English aria-labels Dash (and MapLibre, under plotly's maps) write into their widgets, and ours for them (relabelled by assets/pantau_locale.js).
DASH_LABELS = {
    "Previous month": "widget.previous_month",
    "Next month": "widget.next_month",
    "Decrease value": "widget.decrease",
    "Increase value": "widget.increase",
    "Clear Dates": "widget.clear_dates",
    "Clear date": "widget.clear_date",
    "Map": "widget.map",
    "Toggle attribution": "widget.attribution",
}
STAFF_NAV = [
    ("/operator", "nav.operator", "operator"),
    ("/field", "nav.field", "field"),
    ("/pimpinan", "nav.leaders", "leaders"),
    ("/pintu", "nav.doors", "doors"),
]


def language_link(lang: str, path: str, query: dict[str, Any] | None = None) -> html.A:
    other = "en" if lang == "id" else "id"
    params = {k: v for k, v in (query or {}).items() if k != "lang" and v not in (None, "")}
    params["lang"] = other
    # A phone shows the language's code ("EN"), a wider screen its name; whichever shows is the link's name.
    return html.A(
        [html.Span(t("nav.language", lang), className="lang-long"), html.Span(other.upper(), className="lang-short")],
        href=f"{path}?{urlencode(params, doseq=True)}",
        title=t("nav.language", lang),
        lang=other,
        className="lang-switch",
        id="lang-switch",
    )


def _link(path: str, key: str, lang: str, active: str) -> html.A:
    return html.A(
        t(key, lang),
        href=f"{path}?lang={lang}",
        className="nav-link" + (" active" if path == active else ""),
        **({"aria-current": "page"} if path == active else {}),
    )


def nav_links(staff: StaffUser | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(path, label key) of the links in the header bar and of those in its menu, for this visitor.

    Citizens get reporting and tracking in the bar and the wall in the menu; staff get the pages of their
    role in the bar and the public pages in the menu. A staff page this visitor may not open is not offered.
    """
    if staff is None:
        return CITIZEN_NAV, [p for p in PUBLIC_NAV if p not in CITIZEN_NAV]
    allowed = pages_of(staff)
    return [(path, key) for path, key, name in STAFF_NAV if name in allowed], PUBLIC_NAV


def page(
    children: Any,
    lang: str,
    active: str,
    query: dict[str, Any] | None = None,
    user: str | None = None,
    wide: bool = False,
) -> html.Div:
    """Wrap a page's content in the shared header; ``active`` is the page's path."""
    staff = current_staff()
    if user is None:
        user = staff.username if staff else None
    bar, more = nav_links(staff)
    switch = language_link(lang, active, query)
    if user:
        # Staff rarely switch language: the switch joins their account in the menu, keeping the bar to one row.
        account: list[Any] = [
            html.Span(t("nav.signed_in", lang, user=user), className="nav-user", id="nav-user"),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                    html.Button(t("nav.logout", lang), type="submit", className="nav-link link-button"),
                ],
                method="POST",
                action="/logout",
                className="logout-form",
            ),
            switch,
        ]
        beside = []
    else:
        account = [html.A(t("nav.login", lang), href=f"/login?lang={lang}&next={active}", className="nav-link")]
        beside = [switch]
    # Everything not in the bar is one tap away in the menu: a <details> opens and closes without script.
    menu = html.Details(
        [
            html.Summary(t("nav.menu", lang), className="nav-link nav-menu-button"),
            html.Div(
                [
                    html.Nav(
                        [_link(path, key, lang, active) for path, key in more],
                        className="nav-menu-links",
                        **{"aria-label": t("nav.more", lang)},
                    )
                    if more
                    else None,
                    html.Div(account, className="nav-menu-account"),
                ],
                className="nav-menu-panel",
            ),
        ],
        className="nav-menu",
        id="nav-menu",
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
                    html.Nav(
                        [_link(path, key, lang, active) for path, key in bar],
                        className="nav",
                        id="nav-bar",
                        **{"aria-label": t("nav.main", lang)},
                    ),
                    html.Div([menu, *beside], className="nav-account"),
                ],
                className="site-header",
            ),
            html.Main(children, id="main", className="page" + (" page-wide" if wide else ""), tabIndex="-1", lang=lang),
            html.Div(
                id="pantau-widget-labels",
                hidden=True,
                **{"data-labels": json.dumps({english: t(key, lang) for english, key in DASH_LABELS.items()})},
            ),
        ],
        className="shell",
        lang=lang,
    )


def guard(page_name: str, lang: str, path: str, query: dict[str, Any] | None = None) -> html.Div | None:
    """None when the visitor may open ``page_name`` (``services.permissions.PAGE_ROLES``); otherwise the page asking
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
