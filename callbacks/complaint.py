"""The staff complaint page: take an action, merge duplicates, add completion photos (``services.actions``)."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, html, no_update

from api.auth import current_staff
from callbacks._actions import form_args, refusal_text, register_toggle
from callbacks._upload import register_upload
from i18n import t
from services.actions import Outcome, Refused, act

register_toggle("cp")
register_upload("cp")

clientside_callback(
    "function(action) { return !action; }",
    Output("cp-submit", "disabled"),
    Input("cp-action", "value"),
)


def _failure(outcome: Outcome, lang: str) -> html.Span:
    if outcome.kind == "illegal" and "version" in (outcome.error or ""):
        return html.Span(t("complaint.changed_meanwhile", lang), className="error")
    key = {"forbidden": "action.forbidden", "not_found": "complaint.gone"}.get(outcome.kind or "", "action.illegal")
    status = t(f"status.{outcome.status}", lang) if outcome.status else ""
    return html.Span([t(key, lang, status=status), html.Br(), html.Small(outcome.error or "")], className="error")


@callback(
    Output("cp-msg", "children"),
    Output("cp-reload", "href"),
    Input("cp-submit", "n_clicks"),
    State("cp-action", "value"),
    State("cp-opd", "value"),
    State("cp-kota", "value"),
    State("cp-assignee", "value"),
    State("cp-category", "value"),
    State("cp-of", "value"),
    State("cp-reason", "value"),
    State("cp-ctx", "data"),
    prevent_initial_call=True,
)
def submit_action(
    _clicks: int,
    action: str | None,
    opd: str | None,
    kota: str | None,
    assignee: str | None,
    category: str | None,
    of: str | None,
    reason: str | None,
    page: dict[str, Any],
) -> tuple[Any, Any]:
    lang = page.get("lang", "id")
    if not action:
        return html.Span(t("action.choose_action", lang), className="error"), no_update
    given = {**form_args(action, opd, kota, assignee, category, of, reason), "version": page["version"]}
    try:
        outcome = act(current_staff(), page["code"], action, given)
    except Refused as exc:
        return html.Span(refusal_text(exc, lang), className="error"), no_update
    if not outcome.ok:
        return _failure(outcome, lang), no_update
    return "", f"/pengaduan/{page['code']}?lang={lang}&done={action}"


@callback(
    Output("cp-dup-msg", "children"),
    Output("cp-reload", "href", allow_duplicate=True),
    Input({"type": "cp-merge", "code": ALL, "into": ALL}, "n_clicks"),
    State("cp-dup-reason", "value"),
    State("cp-ctx", "data"),
    prevent_initial_call=True,
)
def merge(clicks: list[int], reason: str | None, page: dict[str, Any]) -> tuple[Any, Any]:
    """Merge a nearby report into this one ("here"), or this one into it ("there")."""
    lang = page.get("lang", "id")
    pressed = ctx.triggered_id
    if not pressed or not any(clicks):
        return no_update, no_update
    here, other = page["code"], pressed["code"]
    duplicate, survivor = (other, here) if pressed["into"] == "here" else (here, other)
    try:
        outcome = act(current_staff(), duplicate, "duplicate", {"reason": reason, "of": survivor})
    except Refused as exc:
        return html.Span(refusal_text(exc, lang), className="error"), no_update
    if not outcome.ok:
        return _failure(outcome, lang), no_update
    return "", f"/pengaduan/{here}?lang={lang}&done=duplicate"
