"""Who may do what: the one place that maps staff accounts to actions, pages and the complaints they reach.

Every page, callback, API endpoint and export asks here; none decides by looking at a role itself.
The status machine in ``db/status.py`` says what is legal; this says who.

Roles:

- ``operator`` (live room) and ``admin``: every action, one or many at once, and the change of
  category. Only they see the reporter of a confidential complaint.
- ``opd``: works its agency's complaints. It may ``forward`` (no wrong door: a report that is not
  its job goes on to the right agency or city, it is never closed for that), ``assign`` to a field
  supervisor of its agency who can work the complaint, ``start`` and ``complete``. It does not
  verify, reject, mark duplicates, reopen or change category: those decide what the citizen is told
  and stay with the live room.
- ``field``: ``start`` and ``complete``, only on the jobs assigned to them.
- ``leader``: reads and changes nothing.

Two actors are not staff: the reporter (``public``), who may ``dispute`` a finished report through
their own link, and the system (``system``), whose ``reroute_out`` and ``reroute_in`` follow new
boundaries. ``ROLE_ACTIONS`` names every action of the status machine (``db/status.py``) for at
least one of them; ``services/actions.py`` asks here before it takes any.

What an account reaches (``scope_of``): every limit recorded on the account applies, whatever its
role, and limits add up. ``--opd`` keeps it to complaints routed to that agency, ``--kecamatan`` to
complaints in those kecamatan (a complaint outside every boundary is in none), and a field
supervisor reaches only the jobs assigned to them. Which options ``users create`` takes for which
role is ``SCOPE_OPTIONS``: an option that would mean nothing for a role is refused, never ignored.

Out of reach is answered the same way everywhere: a single complaint is refused (HTTP 403, the
page's "outside your agency or area" notice) and lists, maps, figures and exports leave it out. It
is 403 and not 404 because a tracking code is not a secret (anyone may read a report's status on
``/lacak``), so a 404 would hide nothing; the 403 answer carries nothing of the complaint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from db.accounts import StaffUser
from db.models import ROLES
from db.scope import Scope
from db.workflow import AGENCY_JOB_STATUSES, FIELD_JOB_STATUSES

Row = Mapping[Any, Any]  # a complaint or account row (SQLAlchemy RowMapping or dict)
LIVE_ROOM_ACTIONS = frozenset(
    {
        "verify",
        "forward",
        "assign",
        "start",
        "complete",
        "confirm",
        "recategorise",
        "reject",
        "duplicate",
        "reopen",
        "resend",
    }
)

# The actions each role may take (on the complaints it reaches, from the statuses the machine allows).
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": LIVE_ROOM_ACTIONS,
    "operator": LIVE_ROOM_ACTIONS,
    "opd": frozenset({"forward", "assign", "start", "complete"}),
    "field": frozenset({"start", "complete"}),
    "leader": frozenset(),
    "public": frozenset({"dispute"}),
    # reroute_*: new boundaries; handover_failed, resend and remote_close: the door worker (federation/).
    "system": frozenset({"reroute_out", "reroute_in", "handover_failed", "resend", "remote_close"}),
}
STAFF_ROLES = ROLES
# Every action some staff account may take: what the staff pages and the staff API know.
STAFF_ACTIONS = frozenset().union(*(ROLE_ACTIONS[role] for role in STAFF_ROLES))
# Who may write an internal note on a complaint they reach, and who may reply to its reporter (what the citizen
# is told stays with those who work the report with them: the live room and the agency).
NOTE_ROLES = frozenset({"admin", "operator", "opd", "field"})
REPLY_ROLES = frozenset({"admin", "operator", "opd"})
# Who may be handed jobs.
ASSIGNEE_ROLES = ("field",)

# The limits ``users create`` accepts per role (``--opd``, ``--kecamatan``); anything else is refused.
SCOPE_OPTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(),
    "operator": frozenset({"kecamatan", "kota"}),
    "opd": frozenset({"opd", "kecamatan", "kota"}),
    "field": frozenset({"opd", "kecamatan", "kota"}),
    "leader": frozenset({"opd", "kecamatan", "kota"}),
}
_REFUSED_OPTION = {
    ("admin", "opd"): "an admin reaches every agency; an agency's account is --role opd --opd CODE",
    ("admin", "kecamatan"): "an admin reaches every area; a district's live room is --role operator --kecamatan CODE",
    ("admin", "kota"): "an admin reaches every city; a city's live room is --role operator --kota CODE",
    ("operator", "opd"): "the live room works every agency's reports; an agency's account is --role opd --opd CODE",
}

# Actions the operators' page offers for many complaints at once (start and complete belong to one job in the field).
BULK_ACTIONS = ("verify", "forward", "assign", "reject", "duplicate", "recategorise")
# Steps of several actions (db/status.py STEPS) it offers too, to a role that may take each of their actions.
BULK_STEPS = ("verify_assign",)

# Which kinds of photo each role may add: completion photos prove work; report photos come from citizens
# or are attached by the live room for reports that arrived by phone or social media.
ROLE_PHOTO_KINDS: dict[str, frozenset[str]] = {
    "admin": frozenset({"report", "completion", "document"}),
    "operator": frozenset({"report", "completion", "document"}),
    "opd": frozenset({"completion", "document"}),
    "field": frozenset({"completion", "document"}),
    "leader": frozenset(),
}

# Roles allowed on each staff page and API (admin is allowed everywhere).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "operator": ("operator", "opd"),
    # Logging a report that came by phone, in person, by letter or on social media (/operator/baru).
    "intake": ("operator",),
    "field": ("field",),
    "complaint": ("operator", "opd", "field", "leader"),
    "jobs": ("field", "opd", "operator"),
    # The leaders' dashboard and its exports.
    "leaders": ("leader", "operator", "opd"),
    "outbox": (),  # undelivered messages to reporters: admins only
    "doors": (),  # doors to other jurisdictions' systems (/pintu): admins only
    "templates": (),  # the reply templates: admins manage them, staff pick them on the complaint page
    # The export of a report handed over by hand, for the office it went to (the live room hands reports over).
    "handover": ("operator",),
}
# Each role's own page after logging in; every other role (operator, opd, admin) works from the queue.
HOME_PAGES: dict[str, str] = {"leader": "leaders", "field": "field"}


def scope_option_refusal(role: str, opd: str | None, kecamatan: Sequence[str], kota: Sequence[str] = ()) -> str | None:
    """Why ``users create`` must refuse these limits for ``role``, or None when each one limits the account
    (``kota`` holds the --kota and --provinsi codes)."""
    given = [name for name, value in (("opd", opd), ("kecamatan", kecamatan), ("kota", kota)) if value]
    for name in given:
        if name not in SCOPE_OPTIONS.get(role, frozenset()):
            why = _REFUSED_OPTION.get((role, name), f"it means nothing for role {role!r}")
            return f"--{name} is not accepted for role {role!r}: {why}"
    return None


def may_take(role: str, action: str) -> bool:
    """Whether an actor of ``role`` (a staff role, ``public`` or ``system``) may take ``action`` at all."""
    return action in ROLE_ACTIONS.get(role, frozenset())


def roles_taking(action: str) -> tuple[str, ...]:
    """The roles that may take ``action``."""
    return tuple(role for role, actions in ROLE_ACTIONS.items() if action in actions)


def actions_of(user: StaffUser | None) -> frozenset[str]:
    """Every action this user's role may take, on some complaint."""
    return ROLE_ACTIONS.get(user.role, frozenset()) if user is not None and user.role in STAFF_ROLES else frozenset()


def _scope(
    role: str,
    user_id: int,
    opd_id: int | None,
    kecamatan_ids: Sequence[int] | None,
    kota_ids: Sequence[int] | None = None,
) -> Scope:
    if role not in STAFF_ROLES:
        return Scope(nothing=True)
    return Scope(
        opd_id=opd_id,
        assignee_id=user_id if role == "field" else None,
        kecamatan_ids=tuple(sorted(kecamatan_ids or ())) or None,
        kota_ids=None if kota_ids is None else tuple(sorted(kota_ids)),
    )


def scope_of(user: StaffUser) -> Scope:
    """The complaints this user reaches: every limit recorded on the account, together."""
    return _scope(user.role, user.id, user.opd_id, user.kecamatan_ids, user.kota_ids)


def may_see(user: StaffUser | None, complaint: Row) -> bool:
    """Whether ``complaint`` (a row with opd_id, assignee_id, kecamatan_id) is within the user's reach."""
    return user is not None and scope_of(user).covers(complaint)


def handover_refusal(user: StaffUser | None, complaint: Row) -> str | None:
    """Why ``user`` may not export ``complaint``'s handover for the office it went to, or None when allowed."""
    if not may_open(user, "handover"):
        return "only the live room (operators) exports a handover"
    if not may_see(user, complaint):
        return "this complaint is outside your agency or area"
    return None


def _outside(user: StaffUser) -> str:
    if user.role == "field":
        return "this job is assigned to someone else or is outside your agency or area"
    return "this complaint is outside your agency or area"


def refusal(user: StaffUser | None, action: str, complaint: Row) -> str | None:
    """Why ``user`` may not take ``action`` on ``complaint``, or None when allowed (see ``refuser`` for assign)."""
    if user is None:
        return "authentication required"
    if action not in actions_of(user):
        return f"role {user.role!r} may not {action}"
    if not may_see(user, complaint):
        return _outside(user)
    return None


def note_refusal(user: StaffUser | None, public: bool, complaint: Row | None) -> str | None:
    """Why ``user`` may not write an internal note (or, ``public``, a reply to the reporter) on ``complaint``, or
    None when allowed; with ``complaint`` None, whether the role may at all."""
    if user is None:
        return "authentication required"
    roles = REPLY_ROLES if public else NOTE_ROLES
    if user.role not in roles:
        return f"role {user.role!r} may not {'reply to the reporter' if public else 'write notes'}"
    if complaint is not None and not may_see(user, complaint):
        return _outside(user)
    return None


def may_reply(user: StaffUser | None, complaint: Row) -> bool:
    """Whether ``user`` may reply to the reporter of ``complaint`` (pages offer the choice only then)."""
    return note_refusal(user, True, complaint) is None


def resend_refusal(user: StaffUser | None, complaint: Row) -> str | None:
    """Why ``user`` may not send again a failed message about ``complaint`` ("Kirim ulang"), or None: admins
    anywhere (the failures page), and the staff who may reply to its reporter on the complaint page."""
    if user is None:
        return "authentication required"
    if user.role == "admin":
        return None
    return note_refusal(user, True, complaint)


def may_manage_templates(user: StaffUser | None) -> bool:
    """Whether ``user`` may create and change the reply templates (admins only; staff only use them)."""
    return user is not None and user.role == "admin"


def assignee_refusal(user: StaffUser, assignee: Row | None) -> str | None:
    """Why ``user`` may not hand jobs to ``assignee`` (an account row) at all, or None when allowed."""
    if assignee is None or assignee["role"] not in ASSIGNEE_ROLES or not assignee["active"]:
        return "the assignee must be an active field supervisor"
    if user.role == "opd" and user.opd_id is not None and assignee["opd_id"] not in (None, user.opd_id):
        return "an agency assigns only its own field supervisors"
    return None


def reach_refusal(assignee: Row, complaint: Row) -> str | None:
    """Why the field supervisor ``assignee`` (id, username, role, opd_id, kecamatan_ids) could not work
    ``complaint`` once assigned to them (another agency or area), or None."""
    scope = _scope(
        assignee["role"], assignee["id"], assignee["opd_id"], assignee["kecamatan_ids"], assignee["kota_ids"]
    )
    if scope.covers({**complaint, "assignee_id": assignee["id"]}):
        return None
    return f"{assignee['username']} cannot work this complaint (another agency or area)"


def refuser(user: StaffUser | None, action: str, assignee: Row | None = None) -> Callable[[Row], str | None]:
    """The check of ``action`` on each complaint it is applied to; for ``assign``, ``assignee`` (an account
    row) must be a supervisor ``user`` may assign and one who can work that complaint."""

    def check(complaint: Row) -> str | None:
        why = refusal(user, action, complaint)
        if why is None and action == "assign" and user is not None:
            why = assignee_refusal(user, assignee)
            if why is None and assignee is not None:
                why = reach_refusal(assignee, complaint)
        return why

    return check


def assignable_opd(user: StaffUser) -> int | None:
    """The agency whose field supervisors (and those serving every agency) ``user`` may assign; None: all."""
    return user.opd_id if user.role == "opd" else None


def photo_refusal(user: StaffUser | None, kind: str, complaint: Row) -> str | None:
    """Why ``user`` may not add a ``kind`` photo to ``complaint``, or None when allowed."""
    if user is None:
        return "authentication required"
    if kind not in ROLE_PHOTO_KINDS.get(user.role, frozenset()):
        return f"role {user.role!r} may not add {kind} photos"
    if not may_see(user, complaint):
        return _outside(user)
    return None


def sees_reporter(user: StaffUser | None, complaint: Row) -> bool:
    """Reporter details: operators and admins always; other staff only when the report is not confidential."""
    if user is None:
        return False
    return user.role in ("admin", "operator") or not complaint["confidential"]


def sees_duplicates(user: StaffUser | None) -> bool:
    """Possible duplicates nearby are offered to whoever may merge them."""
    return "duplicate" in actions_of(user)


def job_statuses(user: StaffUser) -> tuple[str, ...]:
    """What counts as a job in the job list: a supervisor's assigned work, an agency's (or everyone's) open work."""
    return FIELD_JOB_STATUSES if user.role == "field" else AGENCY_JOB_STATUSES


def may_open(user: StaffUser | None, page: str) -> bool:
    """Whether ``user`` may open a staff page (or its API): ``PAGE_ROLES``, and admin everywhere."""
    return user is not None and (user.role == "admin" or user.role in PAGE_ROLES[page])


def home_page(user: StaffUser) -> str:
    """The staff page (a name of ``PAGE_ROLES``) ``user`` lands on after logging in: ``HOME_PAGES``, else the queue."""
    return HOME_PAGES.get(user.role, "operator")


def pages_of(user: StaffUser | None) -> frozenset[str]:
    """The staff pages (names of PAGE_ROLES) this user may open."""
    return frozenset(page for page in PAGE_ROLES if may_open(user, page))
