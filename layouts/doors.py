"""For admins: doors to other jurisdictions' own systems (``/pintu``), the list and a form to set one."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from i18n import current_lang, t
from layouts._chrome import guard, page
from services.doors import list_doors

dash.register_page(__name__, path="/pintu", title="Pintu · Pantau")


def _field(name: str, label: str, **kwargs: Any) -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=f"door-{name}"), dcc.Input(id=f"door-{name}", **kwargs)], className="field"
    )


def door_table(rows: list[dict[str, Any]], lang: str) -> html.Table | html.P:
    """Every door: where it leads, its URL, its categories and handovers; never its key."""
    if not rows:
        return html.P(t("doors.none", lang), id="door-none")
    head = [t("doors.code", lang), t("doors.jurisdiction", lang), t("doors.url", lang), t("doors.map", lang)]
    head += [t("doors.open", lang), t("doors.failed", lang)]
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(r["jurisdiction_code"]),
                            html.Td(r["jurisdiction_name"]),
                            html.Td(r["base_url"]),
                            html.Td(", ".join(f"{k}={v}" for k, v in sorted(r["service_map"].items())) or "—"),
                            html.Td(str(r["open_handovers"])),
                            html.Td(str(r["failed_handovers"])),
                        ],
                        **{"data-code": r["jurisdiction_code"]},
                    )
                    for r in rows
                ]
            ),
        ],
        className="table",
        id="door-table",
    )


def layout(lang: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    denied = guard("doors", lang, "/pintu", query)
    if denied is not None:
        return denied
    form = html.Form(
        [
            _field("code", t("doors.code", lang), type="text", placeholder="3674", maxLength=4),
            _field("url", t("doors.url", lang), type="url", placeholder="https://…/open311/v2"),
            _field("key", t("doors.api_key", lang), type="password", autoComplete="off"),
            _field("jurisdiction", t("doors.jurisdiction_id", lang), type="text"),
            html.Div(
                [
                    html.Label(t("doors.map", lang), htmlFor="door-map"),
                    dcc.Textarea(id="door-map", placeholder="jalan_rusak=pothole"),
                ],
                className="field",
            ),
            html.Button(t("doors.save", lang), id="door-save", type="button", className="button"),
            html.Div(id="door-result", role="status"),
        ],
        className="door-form",
    )
    body = html.Div(
        [
            html.H1(t("doors.title", lang)),
            html.P(t("doors.intro", lang)),
            html.Div(door_table(list_doors(), lang), id="door-list"),
            form,
        ]
    )
    return page(body, lang, "/pintu", query)
