"""The operators' queue: incoming work with filters and a map, and actions on one or many complaints."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from api.auth import current_staff
from db.engine import get_engine
from db.status import STEPS, Status
from db.workflow import OPEN, catalogue_options, field_users
from i18n import current_lang, t
from layouts._actions import action_form, dropdown_labels
from layouts._chrome import guard, page
from layouts._queue import drawn_queue
from services.permissions import (
    ASSIGNEE_ROLES,
    BULK_ACTIONS,
    BULK_STEPS,
    actions_of,
    assignable_opd,
    may_open,
    scope_of,
)
from settings import get_settings

dash.register_page(__name__, path="/operator", title="Antrean operator · Pantau")

SEARCH_WAIT_MS = 400  # how long typing pauses before the queue is searched


def _filters(options: dict[str, Any], lang: str, show_opd: bool, statuses: list[str]) -> html.Div:
    cat_name = "name_en" if lang == "en" else "name_id"

    def select(
        id_: str, label: str, opts: list[dict[str, str]], multi: bool = False, value: Any = None, hidden: bool = False
    ) -> html.Div:
        return html.Div(
            [
                html.Label(label, htmlFor=id_),
                dcc.Dropdown(
                    id=id_,
                    options=opts,
                    multi=multi,
                    value=value,
                    placeholder=t("filter.all", lang),
                    labels=dropdown_labels(lang),
                ),
            ],
            className="filter",
            hidden=hidden,
        )

    fields = [
        html.Div(
            [
                html.Label(t("filter.search", lang), htmlFor="opf-q"),
                # An empty slot: assets/search_box.js puts a plain <input id="opf-q"> in it that Dash never
                # writes into, and passes what is typed to the store once typing pauses.
                html.Div(
                    id="opf-q-slot",
                    className="search-slot",
                    **{
                        "data-search-slot": "",
                        "data-input-id": "opf-q",
                        "data-store": "opf-q-text",
                        "data-wait-ms": str(SEARCH_WAIT_MS),
                        "data-placeholder": t("filter.search_hint", lang),
                    },
                ),
                dcc.Store(id="opf-q-text", data=""),
            ],
            className="filter filter-search",
        ),
        select(
            "opf-status",
            t("filter.status", lang),
            [{"label": t(f"status.{s.value}", lang), "value": s.value} for s in Status],
            multi=True,
            value=statuses,
        ),
        select(
            "opf-category",
            t("filter.category", lang),
            [{"label": c[cat_name], "value": c["code"]} for c in options["category"]],
        ),
        select(
            "opf-kecamatan",
            t("filter.kecamatan", lang),
            [{"label": f"{k['name']} · {k['kota']}", "value": k["code"]} for k in options["kecamatan"]],
        ),
    ]
    # An account limited to one agency sees only its complaints: the filter stays in the page (callbacks read it)
    # but hidden.
    fields.append(
        select(
            "opf-opd",
            t("filter.opd", lang),
            [{"label": f"{o['short_name']} · {o['kota'] or '—'}", "value": o["code"]} for o in options["opd"]],
            hidden=not show_opd,
        )
    )
    fields.append(
        html.Div(
            dcc.Checklist(
                id="opf-overdue",
                options=[{"label": t("filter.overdue", lang), "value": "overdue"}],
                value=[],
            ),
            className="filter filter-check",
        )
    )
    # A <div role=search>, not a <form>: Enter in the search box must not reload the page.
    return html.Div(fields, className="queue-filters", role="search", **{"aria-label": t("filter.label", lang)})


def _statuses(asked: object) -> list[str]:
    """The statuses ``?status=`` asks for (comma-separated), those that exist; the open ones otherwise."""
    known = {s.value for s in Status}
    chosen = [s for s in str(asked or "").split(",") if s in known]
    return chosen or list(OPEN)


def layout(lang: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    denied = guard("operator", lang, "/operator", query)
    if denied is not None:
        return denied
    user = current_staff()
    assert user is not None
    scope = scope_of(user)
    statuses = _statuses(query.get("status"))
    with get_engine().connect() as conn:
        options = catalogue_options(conn)
        users = field_users(conn, ASSIGNEE_ROLES, assignable_opd(user))
        # The queue as the filters first stand (an empty search, overdue unticked): rows with the page itself.
        table, count, figure, shown = drawn_queue(conn, user, lang, "", statuses, overdue=[])
    if scope.kecamatan_ids is not None:
        options["kecamatan"] = [k for k in options["kecamatan"] if k["id"] in scope.kecamatan_ids]
    may = actions_of(user)
    # The common job first: "verifikasi & tugaskan", one transition each, for every ticked report.
    allowed = [s for s in BULK_STEPS if set(STEPS[s]) <= may] + [a for a in BULK_ACTIONS if a in may]
    scope_note = [
        html.P(t("queue.scope_opd", lang, opd=user.opd_code), className="scope-note")
        if scope.opd_id is not None
        else None,
        html.P(
            t("queue.scope_kecamatan", lang, kecamatan=", ".join(k["name"] for k in options["kecamatan"])),
            className="scope-note",
        )
        if scope.kecamatan_ids is not None
        else None,
    ]
    bulk = html.Section(
        [
            html.H2(t("queue.bulk_title", lang), id="op-bulk-title"),
            html.P(id="op-selected-count", className="selected-count", **{"aria-live": "polite"}),
            html.Div(
                [
                    html.Button(t("queue.select_all", lang), id="op-select-all", n_clicks=0, className="button-small"),
                    html.Button(
                        t("queue.select_none", lang),
                        id="op-select-none",
                        n_clicks=0,
                        className="button-small button-secondary",
                    ),
                ],
                className="select-buttons",
            ),
            action_form("op", allowed, options, users, lang, t("queue.apply", lang)),
        ],
        className="bulk-bar",
        **{"aria-labelledby": "op-bulk-title"},
    )
    return page(
        [
            html.Div(
                [
                    html.H1(t("queue.title", lang)),
                    *scope_note,
                    html.P(t("queue.keys_hint", lang), className="hint"),
                    html.A(t("intake.link", lang), href=f"/operator/baru?lang={lang}", className="button", id="op-new")
                    if may_open(user, "intake")
                    else None,
                    # The reports whose completion photo an operator must look at before the reporter is told.
                    html.A(
                        t("queue.waiting_confirmation", lang),
                        href=f"/operator?lang={lang}&status={Status.PERLU_KONFIRMASI.value}",
                        id="op-tab-confirm",
                        className="button-small button-secondary",
                    )
                    if "confirm" in actions_of(user)
                    else None,
                ],
                className="queue-head",
            ),
            _filters(options, lang, show_opd=scope.opd_id is None, statuses=statuses),
            html.Div(
                [
                    html.Div(
                        [
                            html.P(
                                count, id="op-count", className="queue-count", role="status", **{"aria-live": "polite"}
                            ),
                            # assets/queue_table.js draws the table of op-rows in it, and keeps its tick boxes.
                            html.Div(id="op-table", className="queue-table-wrap", **{"data-queue-table": ""}),
                        ],
                        className="queue-list",
                    ),
                    html.Div(
                        [
                            bulk,
                            html.Div(
                                dcc.Graph(
                                    id="op-map",
                                    figure=figure,
                                    config={"displayModeBar": False, "scrollZoom": True},
                                    style={"height": "380px"},
                                ),
                                className="queue-map",
                                role="img",
                                **{"aria-label": t("queue.map_label", lang)},
                            ),
                        ],
                        className="queue-side",
                    ),
                ],
                className="queue-grid",
            ),
            dcc.Store(id="op-rows", data=table),
            dcc.Store(id="op-selected", data=[]),
            # Before an action on many reports: a question naming how many (callbacks/operator.py).
            dcc.ConfirmDialog(id="op-bulk-confirm"),
            dcc.Store(id="op-bulk-pending"),
            dcc.Store(id="op-version", data=shown),
            dcc.Store(id="op-done", data=0),
            dcc.Store(id="op-lang", data=lang),
            dcc.Interval(id="op-poll", interval=max(get_settings().poll_ms, 1000) * 2),
        ],
        lang,
        "/operator",
        query,
        wide=True,
    )
