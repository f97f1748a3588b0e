"""Behaviour shared by every action form (``layouts/_actions.py``): show the fields an action takes, read the
form into the action's arguments, and say in the user's language why ``services.actions`` refused it."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Input, Output, State, clientside_callback

from db.status import ACTIONS
from i18n import t
from layouts._actions import GROUPS, needs_reason
from services.actions import Refused

# What a form lacks, by the argument ``services.actions`` names (one message for the agency-or-city choice).
_NEED = {
    "opd": "action.need_target",
    "kota": "action.need_target",
    "assignee": "action.need_assignee",
    "category": "action.need_category",
    "of": "action.need_of",
    "reason": "action.need_reason",
    "office": "action.need_office",
    "office_contact": "action.need_office",
}


def register_toggle(prefix: str) -> None:
    """Hide the field groups the chosen action does not take (pure UI, in the browser: assets/action_form.js,
    from the form's ``<prefix>-action-groups`` store)."""
    clientside_callback(
        ClientsideFunction("pantau_actions", "toggle"),
        *[Output(f"{prefix}-grp-{group}", "hidden") for group in GROUPS],
        Input(f"{prefix}-action", "value"),
        State(f"{prefix}-action-groups", "data"),
    )


def register_handover_toggle(prefix: str) -> None:
    """Show whom a forward is handed to only for a destination handed over by hand (``<prefix>-by-hand``)."""
    clientside_callback(
        ClientsideFunction("pantau_actions", "notByHand"),
        Output(f"{prefix}-handover", "hidden"),
        Input(f"{prefix}-kota", "value"),
        Input(f"{prefix}-opd", "value"),
        State(f"{prefix}-by-hand", "data"),
    )


def form_args(
    action: str | None,
    opd: str | None,
    kota: str | None,
    assignee: str | None,
    category: str | None,
    of: str | None,
    reason: str | None,
    public: bool = False,
    handed: tuple[str | None, str | None, str | None] = (None, None, None),
) -> dict[str, Any]:
    """The form's fields as the action's arguments: only the fields it takes, and the one text box as its
    reason when it needs one, as a note otherwise. ``public`` (ticked "tampilkan ke pelapor"): the text is also a
    reply to the reporter, unless it is a reason the reporter is told anyway (reject, duplicate, forward).
    ``handed``: the office, person and phone or e-mail a forward to another region is handed to by hand."""
    takes = ACTIONS[action].takes if action in ACTIONS else frozenset()
    # Finishing may need a reason (a completion photo far from the report): the text goes as the reason.
    may_need = action in ACTIONS and ACTIONS[action].unconfirmed is not None
    text = "reason" if needs_reason(action) or may_need else "note"
    fields = {"opd": opd, "kota": None if opd else kota, "assignee": assignee, "category": category, "of": of}
    given: dict[str, Any] = {text: reason, **{name: value for name, value in fields.items() if name in takes}}
    if "kota" in takes and kota and not opd:
        given.update(zip(("office", "office_person", "office_contact"), handed, strict=True))
    if public and reason and not (text == "reason" and ACTIONS[action or ""].tells_reason):
        given.update(note=reason, public=True)
    return given


def refusal_text(refused: Refused, lang: str) -> str:
    """Why ``services.actions`` refused the form, in the user's language."""
    if refused.kind == "missing" and refused.field in _NEED:
        return t(_NEED[refused.field], lang)
    if refused.kind == "invalid" and refused.field == "office_contact":
        return t("action.bad_office_contact", lang)
    if refused.kind == "invalid" and refused.field == "action":
        return t("action.choose_action", lang)
    if refused.kind == "forbidden" and refused.field == "assignee":
        return t("action.bad_assignee", lang)
    if refused.kind == "forbidden":
        return t("action.forbidden", lang)
    return refused.message
