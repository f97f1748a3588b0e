"""For admins: the reply templates staff start a reply from, per category; create and change them here.

Ids: ``tpl-pick`` (which one to change, or a new one), ``tpl-category``, ``tpl-title``, ``tpl-body``,
``tpl-active``, ``tpl-save``, ``tpl-msg``; the list is ``tpl-list``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from db.engine import get_engine
from db.templates import every_template
from db.workflow import catalogue_options
from i18n import current_lang, t
from layouts._chrome import guard, page
from layouts._when import iso, wib
from services.templates import MAX_BODY, MAX_TITLE

dash.register_page(__name__, path="/templat", title="Templat balasan · Pantau")

NEW = "new"


def _category(row: Any, lang: str) -> str:
    if row["category_code"] is None:
        return t("template.every_category", lang)
    return str(row["category_name_en" if lang == "en" else "category_name_id"])


def template_list(rows: list[Any], lang: str) -> Any:
    if not rows:
        return html.P(t("template.none", lang), className="hint", id="tpl-empty")
    head = ["title", "category", "text", "state", "updated"]
    return html.Div(
        html.Table(
            [
                html.Thead(html.Tr([html.Th(t(f"template.col_{h}", lang), scope="col") for h in head])),
                html.Tbody(
                    [
                        html.Tr(
                            [
                                html.Td(r["title"]),
                                html.Td(_category(r, lang)),
                                html.Td(r["body"], className="outbox-text"),
                                html.Td(t("template.active" if r["active"] else "template.inactive", lang)),
                                html.Td(
                                    [
                                        html.Time(wib(r["updated_at"], lang), dateTime=iso(r["updated_at"])),
                                        html.Div(r["updated_by"] or "", className="cell-sub"),
                                    ]
                                ),
                            ],
                            **{"data-template": str(r["id"])},
                        )
                        for r in rows
                    ]
                ),
            ],
            className="queue-table",
        ),
        className="queue-table-wrap",
        id="tpl-list",
    )


def layout(lang: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    path = "/templat"
    denied = guard("templates", lang, path, query)
    if denied is not None:
        return denied
    with get_engine().connect() as conn:
        rows = every_template(conn)
        options = catalogue_options(conn)
    name = "name_en" if lang == "en" else "name_id"
    categories = [{"label": t("template.every_category", lang), "value": ""}] + [
        {"label": c[name], "value": c["code"]} for c in options["category"]
    ]
    picks = [{"label": t("template.new", lang), "value": NEW}] + [
        {"label": f"{r['title']} · {_category(r, lang)}", "value": str(r["id"])} for r in rows
    ]
    form = html.Section(
        [
            html.Label(t("template.edit", lang), htmlFor="tpl-pick"),
            dcc.Dropdown(id="tpl-pick", options=picks, value=NEW, clearable=False),
            html.Label(t("template.field_category", lang), htmlFor="tpl-category"),
            dcc.Dropdown(id="tpl-category", options=categories, value="", clearable=False),
            html.Label(t("template.field_title", lang), htmlFor="tpl-title"),
            dcc.Input(id="tpl-title", type="text", maxLength=MAX_TITLE, value="", className="text-input"),
            html.Label(t("template.field_body", lang), htmlFor="tpl-body"),
            dcc.Textarea(id="tpl-body", maxLength=MAX_BODY, rows=5, value="", className="note-text"),
            dcc.Checklist(
                id="tpl-active", options=[{"label": t("template.active", lang), "value": "active"}], value=["active"]
            ),
            html.Button(t("template.save", lang), id="tpl-save", n_clicks=0, className="action-submit"),
            html.Div(id="tpl-msg", role="status", className="action-msg", **{"aria-live": "polite"}),
            dcc.Store(id="tpl-ctx", data={"lang": lang}),
            dcc.Location(id="tpl-reload", refresh=True),
        ],
        className="complaint-note",
        id="tpl-form",
    )
    return page(
        html.Div(
            [
                html.H1(t("template.title", lang)),
                html.P(t("template.hint", lang), className="hint"),
                form,
                template_list(rows, lang),
            ],
            id="templates-page",
        ),
        lang,
        path,
        query,
        wide=True,
    )
