"""The operators' queue: filter and refresh the table and map, keep the selection, apply an action to it."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, html, no_update
from dash.exceptions import PreventUpdate

from api.auth import current_staff
from callbacks._actions import form_args, refusal_text, register_handover_toggle, register_toggle, step_args
from db.engine import data_version, get_engine
from i18n import t
from layouts._queue import drawn_queue, view_of
from services.actions import Refused, act_many, act_many_in_turn
from services.permissions import BULK_ACTIONS, BULK_STEPS, may_open

register_toggle("op")
register_handover_toggle("op")


@callback(
    Output("op-rows", "data"),
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
    State("op-version", "data"),
    State("op-lang", "data"),
    # The page's first layout has the queue drawn already (layouts/operator.py): no round trip before the rows.
    prevent_initial_call=True,
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
    seen: dict[str, Any] | int | None,
    lang: str,
) -> tuple[Any, ...]:
    user = current_staff()
    if not may_open(user, "operator"):
        return {"rows": []}, html.Span(t("guard.forbidden", lang), className="error"), no_update, no_update
    assert user is not None
    with get_engine().connect() as conn:
        last = seen if isinstance(seen, dict) else {}
        # Nothing new and the same filters (a poll, or the search box losing focus): keep the table, and the
        # ticks made in it, as they are.
        if (
            ctx.triggered_id != "op-done"
            and last.get("version") == data_version(conn)
            and last.get("view") == view_of(q, statuses, category, kecamatan, opd, overdue)
        ):
            raise PreventUpdate
        return drawn_queue(conn, user, lang, q, statuses, category, kecamatan, opd, overdue)


# The table drawn from op-rows, and the ticks: those of reports still shown are kept; "select all shown",
# "clear" and a click on the map change them (assets/queue_table.js, which also takes a tick in a row).
clientside_callback(
    ClientsideFunction("pantau_queue", "draw"),
    Output("op-selected", "data"),
    Input("op-rows", "data"),
    Input("op-select-all", "n_clicks"),
    Input("op-select-none", "n_clicks"),
    Input("op-map", "clickData"),
    State("op-selected", "data"),
)


@callback(
    Output("op-selected-count", "children"),
    Output("op-submit", "disabled"),
    Input("op-selected", "data"),
    Input("op-action", "value"),
    State("op-lang", "data"),
)
def count_selection(chosen: list[str] | None, action: str | None, lang: str) -> tuple[Any, ...]:
    """How many reports are ticked; the bulk action can be applied once some are and an action is chosen."""
    return t("queue.selected", lang, n=len(chosen or [])), not (chosen and action)


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
    if action not in BULK_ACTIONS and action not in BULK_STEPS:
        return html.P(t("action.forbidden", lang), className="error"), no_update, *asked
    if not selected:
        return html.P(t("queue.nothing_selected", lang), className="error"), no_update, *asked
    if ctx.triggered_id == "op-submit" and len(selected) > CONFIRM_OVER:
        question = t("queue.confirm_many", lang, n=len(selected), action=t(f"action.{action}", lang))
        return "", no_update, True, question, {"codes": selected, "action": action}
    try:
        handed = (office, office_person, office_contact)
        if action in BULK_STEPS:  # e.g. verify, then assign: each report all of them or none, in turn
            steps = step_args(action, opd, kota, assignee, category, of, reason)
            outcomes = act_many_in_turn(user, selected, steps)
        else:
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
