"""The staff complaint page: take an action, merge duplicates (after a question naming both), add completion photos;
every action through ``services.actions``."""

from __future__ import annotations

from typing import Any

from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, html, no_update

from api.auth import current_staff
from callbacks._actions import form_args, refusal_text, register_handover_toggle, register_toggle, step_args
from callbacks._upload import register_upload
from db.accounts import StaffUser
from db.complaints import NotFound
from db.engine import get_engine
from db.status import ACTIONS, STEPS, Status
from db.workflow import detail, merge_refusal, root_of
from i18n import t
from layouts._merge import merge_question
from layouts.complaint import complaint_body
from services.actions import Outcome, Refused, act, act_in_turn
from services.notes import add_note
from services.permissions import refusal, sees_duplicates

register_toggle("cp")
register_handover_toggle("cp")
register_upload("cp")

clientside_callback(
    ClientsideFunction("pantau_actions", "nothingChosen"),
    Output("cp-submit", "disabled"),
    Input("cp-action", "value"),
)


def _failure(outcome: Outcome, lang: str) -> html.Span:
    if outcome.kind == "illegal" and "version" in (outcome.error or ""):
        return html.Span(t("complaint.changed_meanwhile", lang), className="error")
    key = {
        "forbidden": "action.forbidden",
        "not_found": "complaint.gone",
        "missing": "action.far_photo_reason",
    }.get(outcome.kind or "", "action.illegal")
    status = t(f"status.{outcome.status}", lang) if outcome.status else ""
    return html.Span([t(key, lang, status=status), html.Br(), html.Small(outcome.error or "")], className="error")


# The merge question (layouts/_merge.py): its title, what happens to each report, the confirm label, the merge
# it asks about, and whether it is hidden.
_ASK = ("cp-merge-q", "children"), ("cp-merge-detail", "children"), ("cp-merge-yes", "children")
_PENDING = ("cp-merge-pending", "data"), ("cp-merge-ask", "hidden")
Dialog = tuple[Any, Any, Any, Any, Any]
_UNCHANGED: Dialog = (no_update,) * 5


def _ask(user: StaffUser, duplicate: str, into: str, reason: str | None, lang: str) -> tuple[Any, Dialog]:
    """The question before merging ``duplicate`` into ``into`` (or the end of its chain), or why it cannot be."""
    with get_engine().connect() as conn:
        try:
            dup = detail(conn, duplicate)
            survivor = detail(conn, root_of(conn, into))
        except NotFound:
            return html.Span(t("complaint.gone", lang), className="error"), _UNCHANGED
    # The report it would merge into is the one its reporter follows from now on: it must be in reach too.
    if refusal(user, "duplicate", dup) is not None or refusal(user, "duplicate", survivor) is not None:
        return html.Span(t("action.forbidden", lang), className="error"), _UNCHANGED
    if Status(dup["status"]) not in ACTIONS["duplicate"].sources:
        status = t(f"status.{dup['status']}", lang)
        return html.Span(t("action.illegal", lang, status=status), className="error"), _UNCHANGED
    a, b = dup["tracking_code"], survivor["tracking_code"]
    if a == b:
        return html.Span(t("dup.self", lang, a=a), className="error"), _UNCHANGED
    if merge_refusal(dup, survivor) is not None:
        return html.Span(t("dup.cannot", lang, a=a, b=b), className="error"), _UNCHANGED
    title, lines, confirm = merge_question(dup, survivor, lang)
    pending = {"duplicate": a, "into": b, "reason": reason, "version": dup["version"]}
    return "", (title, lines, confirm, pending, False)


def _redrawn(page: dict[str, Any], done: str | None = None, merged: str | None = None) -> Any:
    """The page drawn again in place (status, actions, history…), saying what was just done; no reload."""
    user = current_staff()
    body = complaint_body(user, page["code"], page.get("lang", "id"), done, merged) if user is not None else None
    return body if body else no_update


@callback(
    Output("cp-msg", "children"),
    Output("cp-body", "children"),
    *(Output(i, p, allow_duplicate=True) for i, p in _ASK + _PENDING),
    Input("cp-submit", "n_clicks"),
    State("cp-action", "value"),
    State("cp-opd", "value"),
    State("cp-kota", "value"),
    State("cp-assignee", "value"),
    State("cp-category", "value"),
    State("cp-of", "value"),
    State("cp-reason", "value"),
    State("cp-public", "value"),
    State("cp-office", "value"),
    State("cp-office-person", "value"),
    State("cp-office-contact", "value"),
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
    public: list[str] | None,
    office: str | None,
    office_person: str | None,
    office_contact: str | None,
    page: dict[str, Any],
) -> tuple[Any, ...]:
    lang = page.get("lang", "id")
    if not action:
        return html.Span(t("action.choose_action", lang), className="error"), no_update, *_UNCHANGED
    user = current_staff()
    handed = (office, office_person, office_contact)
    args = form_args(action, opd, kota, assignee, category, of, reason, "public" in (public or []), handed)
    given = {**args, "version": page["version"]}
    if action == "duplicate":  # a merge: ask first, naming both reports
        if user is None or not sees_duplicates(user):
            return html.Span(t("action.forbidden", lang), className="error"), no_update, *_UNCHANGED
        if not (of or "").strip() or not (reason or "").strip():
            missing = "action.need_of" if not (of or "").strip() else "action.need_reason"
            return html.Span(t(missing, lang), className="error"), no_update, *_UNCHANGED
        message, dialog = _ask(user, page["code"], of or "", reason, lang)
        return message, no_update, *dialog
    try:
        if action in STEPS:  # e.g. verify, then assign: each its own action and transition, all or none
            steps = step_args(action, opd, kota, assignee, category, of, reason, page["version"])
            outcome = act_in_turn(user, page["code"], steps)
        else:
            outcome = act(user, page["code"], action, given)
    except Refused as exc:
        return html.Span(refusal_text(exc, lang), className="error"), no_update, *_UNCHANGED
    if not outcome.ok:
        return _failure(outcome, lang), no_update, *_UNCHANGED
    return no_update, _redrawn(page, done=action), *_UNCHANGED


@callback(
    Output("cp-confirm-msg", "children"),
    Output("cp-body", "children", allow_duplicate=True),
    Input("cp-confirm", "n_clicks"),
    State("cp-ctx", "data"),
    prevent_initial_call=True,
)
def confirm(clicks: int, page: dict[str, Any]) -> tuple[Any, Any]:
    """The "Konfirmasi selesai" button of a report waiting for confirmation: green, and the reporter is told."""
    lang = page.get("lang", "id")
    if not clicks:
        return no_update, no_update
    try:
        outcome = act(current_staff(), page["code"], "confirm", {"version": page["version"]})
    except Refused as exc:
        return html.Span(refusal_text(exc, lang), className="error"), no_update
    if not outcome.ok:
        return _failure(outcome, lang), no_update
    return no_update, _redrawn(page, done="confirm")


@callback(
    Output("cp-dup-msg", "children"),
    *(Output(i, p) for i, p in _ASK + _PENDING),
    Input({"type": "cp-merge", "dup": ALL, "into": ALL}, "n_clicks"),
    State("cp-dup-reason", "value"),
    State("cp-ctx", "data"),
    prevent_initial_call=True,
)
def ask_merge(clicks: list[int], reason: str | None, page: dict[str, Any]) -> tuple[Any, ...]:
    """A merge button under "Kemungkinan duplikat": ask before merging, naming both reports."""
    lang = page.get("lang", "id")
    pressed = ctx.triggered_id
    if not pressed or not any(clicks):
        return no_update, *_UNCHANGED
    user = current_staff()
    if user is None or not sees_duplicates(user):
        return html.Span(t("action.forbidden", lang), className="error"), *_UNCHANGED
    reason = (reason or "").strip()
    if not reason:
        return html.Span(t("action.need_reason", lang), className="error"), *_UNCHANGED
    message, dialog = _ask(user, pressed["dup"], pressed["into"], reason, lang)
    return message, *dialog


@callback(
    Output("cp-merge-msg", "children"),
    Output("cp-body", "children", allow_duplicate=True),
    Output("cp-merge-ask", "hidden", allow_duplicate=True),
    Input("cp-merge-yes", "n_clicks"),
    State("cp-merge-pending", "data"),
    State("cp-ctx", "data"),
    prevent_initial_call=True,
)
def merge(clicks: int, pending: dict[str, Any] | None, page: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The answer "yes": merge, then draw the page again saying which report was merged into which."""
    lang = page.get("lang", "id")
    if not clicks or not pending:
        return no_update, no_update, no_update
    user = current_staff()
    if user is None or not sees_duplicates(user):
        return html.Span(t("action.forbidden", lang), className="error"), no_update, no_update
    duplicate, into = str(pending["duplicate"]), str(pending["into"])
    given: dict[str, Any] = {"reason": pending.get("reason"), "of": into}
    if isinstance(pending.get("version"), int):
        given["version"] = pending["version"]
    try:
        outcome = act(user, duplicate, "duplicate", given)
    except Refused as exc:
        return html.Span(refusal_text(exc, lang), className="error"), no_update, no_update
    if outcome.survivor:
        return html.Span(t("dup.cannot", lang, a=duplicate, b=into), className="error"), no_update, no_update
    if not outcome.ok:
        return _failure(outcome, lang), no_update, no_update
    return "", _redrawn(page, merged=duplicate), True


# "Batal" closes the question; focus and keys are handled in assets/merge_dialog.js.
clientside_callback(
    ClientsideFunction("pantau_merge", "close"),
    Output("cp-merge-ask", "hidden", allow_duplicate=True),
    Input("cp-merge-no", "n_clicks"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("pantau_merge", "focus"),
    Output("cp-merge-yes", "title"),
    Input("cp-merge-ask", "hidden"),
    prevent_initial_call=True,
)


@callback(Output("cp-note-who", "children"), Input("cp-note-public", "value"), State("cp-ctx", "data"))
def note_audience(choice: str | None, page: dict[str, Any]) -> str:
    """Say who will read the note as the choice changes."""
    return t("note.who_reply" if choice == "reply" else "note.who_internal", page.get("lang", "id"))


@callback(
    Output("cp-note-msg", "children"),
    Output("cp-body", "children", allow_duplicate=True),
    Input("cp-note-submit", "n_clicks"),
    State("cp-note-text", "value"),
    State("cp-note-public", "value"),
    State("cp-ctx", "data"),
    prevent_initial_call=True,
)
def submit_note(_clicks: int, note: str | None, choice: str | None, page: dict[str, Any]) -> tuple[Any, Any]:
    """An internal note or a reply to the reporter (``services.notes.add_note``); the history shows it at once."""
    lang = page.get("lang", "id")
    try:
        outcome = add_note(current_staff(), page["code"], note, choice == "reply")
    except Refused as exc:
        key = "note.need_text" if exc.kind == "missing" else None
        return html.Span(t(key, lang) if key else refusal_text(exc, lang), className="error"), no_update
    if not outcome.ok:
        return _failure(outcome, lang), no_update
    return no_update, _redrawn(page)
