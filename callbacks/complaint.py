"""The staff complaint page: take an action, merge duplicates, add completion photos."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, html, no_update

from api.auth import current_staff
from api.permissions import actions_of, assignee_refusal, refuser, sees_duplicates
from callbacks._actions import form_problem, form_request, register_toggle
from callbacks._upload import register_upload
from db.accounts import load_user
from db.engine import get_engine
from db.workflow import BulkRequest, Outcome, apply_one
from i18n import t

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
    user = current_staff()
    req = form_request(action, opd, kota, assignee, category, of, reason)
    problem = form_problem(req, lang)
    if problem is None and (user is None or req.action not in actions_of(user)):
        problem = t("action.forbidden", lang)
    account = None
    if problem is None and req.action == "assign" and user is not None:
        with get_engine().connect() as conn:
            account = load_user(conn, username=req.assignee or "")
        if assignee_refusal(user, account):
            problem = t("action.bad_assignee", lang)
    if problem is not None or user is None:
        return html.Span(problem, className="error"), no_update
    req.expected_versions[page["code"]] = page["version"]
    with get_engine().begin() as conn:
        outcome = apply_one(conn, page["code"], req, user.actor, refuser(user, req.action, account))
    if not outcome.ok:
        return _failure(outcome, lang), no_update
    return "", f"/pengaduan/{page['code']}?lang={lang}&done={req.action}"


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
    user = current_staff()
    if user is None or not sees_duplicates(user):
        return html.Span(t("action.forbidden", lang), className="error"), no_update
    reason = (reason or "").strip()
    if not reason:
        return html.Span(t("action.need_reason", lang), className="error"), no_update
    here, other = page["code"], pressed["code"]
    duplicate, survivor = (other, here) if pressed["into"] == "here" else (here, other)
    req = BulkRequest(action="duplicate", reason=reason, of=survivor)
    with get_engine().begin() as conn:
        outcome = apply_one(conn, duplicate, req, user.actor, refuser(user, "duplicate"))
    if not outcome.ok:
        return _failure(outcome, lang), no_update
    return "", f"/pengaduan/{here}?lang={lang}&done=duplicate"
