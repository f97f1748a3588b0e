"""Behaviour shared by every action form (``layouts/_actions.py``): show the fields an action takes, read the
form into the action's arguments, and say in the user's language why ``services.actions`` refused it."""

from __future__ import annotations

import json
from typing import Any

from dash import Input, Output, clientside_callback

from db.status import ACTIONS, STEPS
from i18n import t
from layouts._actions import GROUPS, groups_of, needs_reason
from services.actions import Refused

# What a form lacks, by the argument ``services.actions`` names (one message for the agency-or-city choice).
_NEED = {
    "opd": "action.need_target",
    "kota": "action.need_target",
    "assignee": "action.need_assignee",
    "category": "action.need_category",
    "of": "action.need_of",
    "reason": "action.need_reason",
}


def register_toggle(prefix: str) -> None:
    """Hide the field groups the chosen action does not take (pure UI, in the browser)."""
    shown = json.dumps({action: groups_of(action) for action in (*ACTIONS, *STEPS)})
    groups = json.dumps(list(GROUPS))
    clientside_callback(
        f"""
        function(action) {{
            var shown = {shown}[action] || [];
            return {groups}.map(function(group) {{ return shown.indexOf(group) < 0; }});
        }}
        """,
        *[Output(f"{prefix}-grp-{group}", "hidden") for group in GROUPS],
        Input(f"{prefix}-action", "value"),
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
) -> dict[str, Any]:
    """The form's fields as the action's arguments: only the fields it takes, and the one text box as its
    reason when it needs one, as a note otherwise. ``public`` (ticked "tampilkan ke pelapor"): the text is also a
    reply to the reporter, unless it is a reason the reporter is told anyway (reject, duplicate, forward)."""
    takes = ACTIONS[action].takes if action in ACTIONS else frozenset()
    # Finishing may need a reason (a completion photo far from the report): the text goes as the reason.
    may_need = action in ACTIONS and ACTIONS[action].unconfirmed is not None
    text = "reason" if needs_reason(action) or may_need else "note"
    fields = {"opd": opd, "kota": None if opd else kota, "assignee": assignee, "category": category, "of": of}
    given: dict[str, Any] = {text: reason, **{name: value for name, value in fields.items() if name in takes}}
    if public and reason and not (text == "reason" and ACTIONS[action or ""].tells_reason):
        given.update(note=reason, public=True)
    return given


def step_args(
    step: str,
    opd: str | None,
    kota: str | None,
    assignee: str | None,
    category: str | None,
    of: str | None,
    reason: str | None,
    version: int | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """A step of several actions (``STEPS``, e.g. verify then assign) as each action and its arguments: the text
    goes with the first (and the ``version`` the page saw), the form's choices with the ones after."""
    first, *rest = STEPS[step]
    seen = {} if version is None else {"version": version}
    steps = [(first, {**form_args(first, None, None, None, None, None, reason), **seen})]
    steps += [(name, form_args(name, opd, kota, assignee, category, of, None)) for name in rest]
    return steps


def refusal_text(refused: Refused, lang: str) -> str:
    """Why ``services.actions`` refused the form, in the user's language."""
    if refused.kind == "missing" and refused.field in _NEED:
        return t(_NEED[refused.field], lang)
    if refused.kind == "invalid" and refused.field == "action":
        return t("action.choose_action", lang)
    if refused.kind == "forbidden" and refused.field == "assignee":
        return t("action.bad_assignee", lang)
    if refused.kind == "forbidden":
        return t("action.forbidden", lang)
    return refused.message
