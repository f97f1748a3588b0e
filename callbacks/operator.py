"""The operators' queue: filter and refresh the table and map, keep the selection, apply an action to it."""

from __future__ import annotations

from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, html, no_update
from dash.exceptions import PreventUpdate

from api.auth import current_staff
from callbacks._actions import form_args, refusal_text, register_handover_toggle, register_toggle
from db.engine import get_engine
from db.workflow import OPEN, QueueFilter, cached_kecamatan_outline, data_version, queue
from geo.job_map import job_map
from i18n import t
from layouts._queue import count_text, queue_table
from services.actions import Refused, act_many
from services.permissions import BULK_ACTIONS, may_open, scope_of
from settings import get_settings

register_toggle("op")
register_handover_toggle("op")


@callback(
    Output("op-table", "children"),
    Output("op-count", "children"),
    Output("op-map", "figure"),
    Output("op-version", "data"),
    Input("opf-q-text", "data"),  # what assets/search_box.js passes on from the search box
    Input("opf-status", "value"),
    Input("opf-category", "value"),
    Input("opf-kecamatan", "value"),
    Input("opf-opd", "value"),
    Input("opf-overdue", "value"),
    Input("op-poll", "n_intervals"),
    Input("op-done", "data"),
    State("op-selected", "data"),
    State("op-version", "data"),
    State("op-lang", "data"),
)
def refresh_queue(
    q: str | None,
    statuses: list[str] | None,
    category: str | None,
    kecamatan: str | None,
    opd: str | None,
    overdue: list[str] | None,
    _poll: int | None,
    _done: int,
    selected: list[str] | None,
    seen: dict[str, Any] | int | None,
    lang: str,
) -> tuple[Any, ...]:
    user = current_staff()
    if not may_open(user, "operator"):
        return html.P(t("guard.forbidden", lang), className="error"), "", no_update, no_update
    assert user is not None
    with get_engine().connect() as conn:
        version = data_version(conn)
        view = repr((q, statuses, category, kecamatan, opd, overdue))
        last = seen if isinstance(seen, dict) else {}
        # Nothing new and the same filters (a poll, or the search box losing focus): keep the table, and the
        # ticks made in it, as they are.
        if ctx.triggered_id != "op-done" and last.get("version") == version and last.get("view") == view:
            raise PreventUpdate
        rows = queue(
            conn,
            scope_of(user),
            QueueFilter(
                statuses=tuple(statuses or OPEN),
                category=category,
                opd=opd,
                kecamatan=kecamatan,
                q=q,
                overdue_only=bool(overdue),
            ),
        )
    chosen = set(selected or [])
    figure = job_map(
        rows, cached_kecamatan_outline(), height=380, width=340, tile_url=get_settings().tile_url, uirevision=view
    )
    return queue_table(rows, chosen, lang), count_text(rows, lang), figure, {"version": version, "view": view}


@callback(
    Output({"type": "op-row", "code": ALL}, "value"),
    Input("op-select-all", "n_clicks"),
    Input("op-select-none", "n_clicks"),
    Input("op-map", "clickData"),
    State({"type": "op-row", "code": ALL}, "value"),
    State({"type": "op-row", "code": ALL}, "id"),
    prevent_initial_call=True,
)
def set_boxes(
    _all: int, _none: int, click: dict[str, Any] | None, values: list[list[str]], ids: list[dict[str, str]]
) -> list[list[str]]:
    """ "Select all shown", "clear" and a click on the map tick boxes; a box ticked by hand is left to itself."""
    codes = [i["code"] for i in ids]
    checked = {code for code, value in zip(codes, values, strict=True) if value}
    if ctx.triggered_id == "op-select-all":
        checked = set(codes)
    elif ctx.triggered_id == "op-select-none":
        checked = set()
    elif click and click.get("points"):
        checked ^= {click["points"][0].get("customdata")}
    return [[c] if c in checked else [] for c in codes]


@callback(
    Output("op-selected", "data"),
    Output("op-selected-count", "children"),
    Output("op-submit", "disabled"),
    Input({"type": "op-row", "code": ALL}, "value"),
    Input("op-action", "value"),
    State({"type": "op-row", "code": ALL}, "id"),
    State("op-lang", "data"),
)
def track_selection(
    values: list[list[str]], action: str | None, ids: list[dict[str, str]], lang: str
) -> tuple[Any, ...]:
    """The ticked reports (this callback only reads the boxes, so it never fights a tick on its way)."""
    chosen = [i["code"] for i, value in zip(ids, values, strict=True) if value]
    return chosen, t("queue.selected", lang, n=len(chosen)), not (chosen and action)


# More ticked reports than this, and the bulk action asks first, naming how many.
CONFIRM_OVER = 10


@callback(
    Output("op-msg", "children"),
    Output("op-done", "data"),
    Output("op-bulk-confirm", "displayed"),
    Output("op-bulk-confirm", "message"),
    Output("op-bulk-pending", "data"),
    Input("op-submit", "n_clicks"),
    Input("op-bulk-confirm", "submit_n_clicks"),
    State("op-action", "value"),
    State("op-opd", "value"),
    State("op-kota", "value"),
    State("op-assignee", "value"),
    State("op-category", "value"),
    State("op-of", "value"),
    State("op-reason", "value"),
    State("op-office", "value"),
    State("op-office-person", "value"),
    State("op-office-contact", "value"),
    State("op-selected", "data"),
    State("op-bulk-pending", "data"),
    State("op-done", "data"),
    State("op-lang", "data"),
    prevent_initial_call=True,
)
def apply_bulk(
    _clicks: int,
    _confirmed: int | None,
    action: str | None,
    opd: str | None,
    kota: str | None,
    assignee: str | None,
    category: str | None,
    of: str | None,
    reason: str | None,
    office: str | None,
    office_person: str | None,
    office_contact: str | None,
    selected: list[str] | None,
    pending: dict[str, Any] | None,
    done: int,
    lang: str,
) -> tuple[Any, ...]:
    asked = no_update, no_update, no_update
    user = current_staff()
    if user is None or not may_open(user, "operator"):
        return html.P(t("guard.forbidden", lang), className="error"), no_update, *asked
    if ctx.triggered_id == "op-bulk-confirm":
        # "OK" to the question: the reports and the action it named, whatever the table shows meanwhile.
        if not pending or pending.get("action") != action:
            return no_update, no_update, *asked
        selected = [str(code) for code in pending.get("codes") or []]
    if not action:
        return html.P(t("action.choose_action", lang), className="error"), no_update, *asked
    if action not in BULK_ACTIONS:
        return html.P(t("action.forbidden", lang), className="error"), no_update, *asked
    if not selected:
        return html.P(t("queue.nothing_selected", lang), className="error"), no_update, *asked
    if ctx.triggered_id == "op-submit" and len(selected) > CONFIRM_OVER:
        question = t("queue.confirm_many", lang, n=len(selected), action=t(f"action.{action}", lang))
        return "", no_update, True, question, {"codes": selected, "action": action}
    try:
        handed = (office, office_person, office_contact)
        given = form_args(action, opd, kota, assignee, category, of, reason, handed=handed)
        outcomes = act_many(user, selected, action, given)
    except Refused as exc:
        return html.P(refusal_text(exc, lang), className="error"), no_update, *asked
    ok = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    message: list[Any] = [
        html.P(t("queue.done", lang, n=len(ok), action=t(f"action.{action}", lang)), className="done")
    ]
    if failed:
        message.append(html.P(t("queue.failed", lang, n=len(failed)), className="error"))
        message.append(html.Ul([html.Li(f"{o.ref}: {o.error}") for o in failed[:20]], className="failures"))
    return message, (done or 0) + 1, False, no_update, None


# Keyboard: "/" jumps to the search box (unless typing already); Escape leaves it.
clientside_callback(
    ClientsideFunction("pantau_queue", "keys"),
    Output("op-keys", "children"),
    Input("op-lang", "data"),
)
