"""Who may do what: the one place that maps staff roles to actions, pages and the complaints they reach.

Decisions (the status machine in ``db/status.py`` says what is legal; this says who):

- ``operator`` (live room) and ``admin``: every action on every complaint, one or many at once,
  and the change of category. Only they see the reporter of a confidential complaint.
- ``opd``: works the complaints routed to its own agency (every agency when the account has no
  OPD, as small cities do). It may ``forward`` (no wrong door: a report that is not its job goes on
  to the right agency or city, it is never closed for that), ``assign`` to a field supervisor of its
  agency, ``start`` and ``complete``. It does not verify, reject, mark duplicates, reopen or change
  category: those decide what the citizen is told and stay with the live room.
- ``field``: ``start`` and ``complete``, only on the jobs assigned to them.
- ``leader``: reads (every area, or its kecamatan) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.auth import StaffUser
from db.status import ACTIONS
from db.workflow import Scope

Row = Mapping[Any, Any]  # a complaint or account row (SQLAlchemy RowMapping or dict)
RECATEGORISE = "recategorise"
ALL_ACTIONS = frozenset(ACTIONS) | {RECATEGORISE}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": ALL_ACTIONS,
    "operator": ALL_ACTIONS,
    "opd": frozenset({"forward", "assign", "start", "complete"}),
    "field": frozenset({"start", "complete"}),
    "leader": frozenset(),
}

# Actions offered for many complaints at once (start and complete belong to one job in the field).
BULK_ACTIONS = ("verify", "forward", "assign", "reject", "duplicate", RECATEGORISE)

# Which kinds of photo each role may add: completion photos prove work; report photos come from citizens
# or are attached by the live room for reports that arrived by phone or social media.
ROLE_PHOTO_KINDS: dict[str, frozenset[str]] = {
    "admin": frozenset({"report", "completion"}),
    "operator": frozenset({"report", "completion"}),
    "opd": frozenset({"completion"}),
    "field": frozenset({"completion"}),
    "leader": frozenset(),
}

# Roles allowed on each staff page (admin is allowed everywhere).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "operator": ("operator", "opd"),
    "field": ("field",),
    "complaint": ("operator", "opd", "field", "leader"),
    "outbox": (),  # undelivered messages to reporters: admins only
}


def actions_of(user: StaffUser | None) -> frozenset[str]:
    """Every action this user's role may take, on some complaint."""
    return ROLE_ACTIONS.get(user.role, frozenset()) if user is not None else frozenset()


def scope_of(user: StaffUser) -> Scope:
    """The complaints this user reaches: all, its agency's, its own jobs, or its kecamatan's."""
    if user.role in ("admin", "operator"):
        return Scope()
    if user.role == "opd":
        return Scope(opd_id=user.opd_id)
    if user.role == "field":
        return Scope(assignee_id=user.id)
    if user.role == "leader":
        return Scope(kecamatan_ids=tuple(user.kecamatan_ids) or None)
    return Scope(nothing=True)


def may_see(user: StaffUser | None, complaint: Row) -> bool:
    """Whether ``complaint`` (a row with opd_id, assignee_id, kecamatan_id) is within the user's reach."""
    return user is not None and scope_of(user).covers(complaint)


def refusal(user: StaffUser | None, action: str, complaint: Row) -> str | None:
    """Why ``user`` may not take ``action`` on ``complaint``, or None when allowed."""
    if user is None:
        return "authentication required"
    if action not in actions_of(user):
        return f"role {user.role!r} may not {action}"
    if not may_see(user, complaint):
        if user.role == "field":
            return "this job is assigned to someone else"
        return "this complaint is outside your agency or area"
    return None


def assignee_refusal(user: StaffUser, assignee: Row | None) -> str | None:
    """Why ``user`` may not hand a job to ``assignee`` (an account row), or None when allowed."""
    if assignee is None or assignee["role"] != "field" or not assignee["active"]:
        return "the assignee must be an active field supervisor"
    if user.role == "opd" and user.opd_id is not None and assignee["opd_id"] not in (None, user.opd_id):
        return "an agency assigns only its own field supervisors"
    return None


def photo_refusal(user: StaffUser | None, kind: str, complaint: Row) -> str | None:
    """Why ``user`` may not add a ``kind`` photo to ``complaint``, or None when allowed."""
    if user is None:
        return "authentication required"
    if kind not in ROLE_PHOTO_KINDS.get(user.role, frozenset()):
        return f"role {user.role!r} may not add {kind} photos"
    if not may_see(user, complaint):
        return "this complaint is outside your reach"
    return None


def sees_reporter(user: StaffUser | None, complaint: Row) -> bool:
    """Reporter details: operators and admins always; other staff only when the report is not confidential."""
    if user is None:
        return False
    return user.role in ("admin", "operator") or not complaint["confidential"]


def may_open(user: StaffUser | None, page: str) -> bool:
    return user is not None and (user.role == "admin" or user.role in PAGE_ROLES[page])
