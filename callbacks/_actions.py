"""Behaviour shared by every action form (``layouts/_actions.py``): show the fields an action needs, read the form."""

from __future__ import annotations

from dash import Input, Output, clientside_callback

from db.workflow import BulkRequest
from i18n import t
from layouts._actions import needs_reason


def register_toggle(prefix: str) -> None:
    """Hide the field groups the chosen action does not need (pure UI, in the browser)."""
    clientside_callback(
        """
        function(action) {
            return [action !== 'forward', action !== 'assign', action !== 'recategorise', action !== 'duplicate'];
        }
        """,
        Output(f"{prefix}-grp-forward", "hidden"),
        Output(f"{prefix}-grp-assign", "hidden"),
        Output(f"{prefix}-grp-category", "hidden"),
        Output(f"{prefix}-grp-duplicate", "hidden"),
        Input(f"{prefix}-action", "value"),
    )


def form_request(
    action: str | None,
    opd: str | None,
    kota: str | None,
    assignee: str | None,
    category: str | None,
    of: str | None,
    reason: str | None,
) -> BulkRequest:
    text = (reason or "").strip() or None
    return BulkRequest(
        action=action or "",
        reason=text if needs_reason(action) else None,
        note=None if needs_reason(action) else text,
        opd=opd if action == "forward" else None,
        kota=kota if action == "forward" and not opd else None,
        assignee=assignee if action == "assign" else None,
        category=category if action == "recategorise" else None,
        of=((of or "").strip().upper() or None) if action == "duplicate" else None,
    )


def form_problem(req: BulkRequest, lang: str) -> str | None:
    """What the form still lacks, in the user's language, or None."""
    if not req.action:
        return t("action.choose_action", lang)
    if req.action == "forward" and not (req.opd or req.kota):
        return t("action.need_target", lang)
    if req.action == "assign" and not req.assignee:
        return t("action.need_assignee", lang)
    if req.action == "recategorise" and not req.category:
        return t("action.need_category", lang)
    if req.action == "duplicate" and not req.of:
        return t("action.need_of", lang)
    if needs_reason(req.action) and not req.reason:
        return t("action.need_reason", lang)
    return None
