"""Taking an action on a complaint, from any door: ``act`` for one, ``act_many`` for many at once,
``act_in_turn`` / ``act_many_in_turn`` for the steps of several actions (``STEPS``), ``available_actions`` for
what a page offers, ``dispute`` for the reporter, ``reroute_open`` for the system.

The complaint page, the operators' queue, the field page, the JSON API and the CLI translate what
they receive into an action's name and its arguments and call here; nothing else changes a
complaint's status. Every door gets the same checks, in the same order:

1. the action exists (``db/status.py``) and its arguments are well formed (``Args``): otherwise
   ``Refused("invalid")``; it has what it needs (the machine's ``needs``): otherwise
   ``Refused("missing")``; both are the API's 400;
2. the actor's role may take it, and an ``assign`` may hand the job to that account
   (``services/permissions.py``): otherwise ``Refused("forbidden")``, the API's 403;
3. then, per complaint and with its row locked, in one transaction: within the actor's reach
   (403), legal from its status and unchanged since the caller saw it (409), found at all (404).
   That is the ``Outcome``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import Connection, RowMapping

from db.accounts import StaffUser, load_user
from db.catalogue import opd_id
from db.complaints import SYSTEM, transition
from db.engine import get_engine
from db.jurisdictions import HandedTo, destination
from db.routing import RerouteResult, reroute_open_complaints
from db.status import ACTIONS, STEPS, Status
from db.tracking import PUBLIC, DisputeError
from db.tracking import dispute as dispute_in_db
from db.workflow import BulkRequest, Outcome, apply_many, apply_one
from services.permissions import (
    STAFF_ACTIONS,
    assignee_refusal,
    may_take,
    refusal,
    refuser,
)

__all__ = [
    "MAX_CODE",
    "STEPS",
    "Args",
    "Outcome",
    "Refused",
    "act",
    "act_as_system",
    "act_in_turn",
    "act_many",
    "act_many_in_turn",
    "available_actions",
    "available_steps",
    "dispute",
    "reroute_open",
]

MAX_TEXT = 2000  # a reason or note: a few paragraphs, shown on the timeline
VERSION_MESSAGE = "'version' must be a whole number: the complaint's version as you last read it"
PUBLIC_MESSAGE = "'public' must be true (the note is a reply to the reporter) or false (internal, the default)"
MAX_CODE = 64  # a code or user name: an agency, a city, a category, a tracking code, a field supervisor
MAX_OFFICE = 200  # an office's name, a person's name, a phone number or an e-mail address


def _text(limit: int, numbers: bool = False) -> BeforeValidator:
    """Text of at most ``limit`` characters, stripped; blank is None. Anything else (a number, a list, an
    object, a NUL character, which PostgreSQL cannot store) is refused with the reason."""

    def check(value: object) -> str | None:
        if value is None:
            return None
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a numeric code (a kota such as 3171) sent as a number
        if not isinstance(value, str):
            raise PydanticCustomError("text", "must be text")
        if "\x00" in value:
            raise PydanticCustomError("text", "must not contain a NUL character (\\x00)")
        value = value.strip()
        if len(value) > limit:
            raise PydanticCustomError("text", "is longer than {limit} characters", {"limit": limit})
        return value or None

    return BeforeValidator(check)


Text = Annotated[str | None, _text(MAX_TEXT)]
Code = Annotated[str | None, _text(MAX_CODE, numbers=True)]
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]*")


def _reachable(value: str | None) -> str | None:
    """A phone number (6 to 15 digits, with +, spaces, dashes, dots or brackets) or an e-mail address."""
    if value is None:
        return None
    digits = sum(ch.isdigit() for ch in value)
    if _EMAIL.fullmatch(value) or (_PHONE.fullmatch(value) and 6 <= digits <= 15):
        return value
    raise PydanticCustomError("contact", "must be a phone number (e.g. +62 21 3822255) or an e-mail address")


# Whom a report handed over by hand was given to (``db.jurisdictions.HandedTo``).
Office = Annotated[str | None, _text(MAX_OFFICE)]
Reachable = Annotated[str | None, _text(MAX_OFFICE), AfterValidator(_reachable)]


class Args(BaseModel):
    """An action's arguments as a door hands them over. Which of them an action needs is the status
    machine's (``Action.needs``); the others are ignored by that action."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    reason: Text = None
    note: Text = None
    opd: Code = None
    kota: Code = None
    assignee: Code = None
    of: Code = None
    category: Code = None
    # A forward handed over by hand (to a jurisdiction without a door): the office it was given to, a person
    # there (optional) and their phone number or e-mail address. Required then (``_check_destination``).
    office: Office = None
    office_person: Office = None
    office_contact: Reachable = None
    # The note is a reply the reporter reads and is sent; otherwise it is internal.
    public: StrictBool = False
    # The complaint's version the caller saw: a change since is refused (409) instead of overwritten.
    version: Annotated[StrictInt, Field(ge=0)] | None = None


class Refused(Exception):
    """The request as a whole is refused before any complaint is touched.

    ``kind`` is "invalid" (an unknown action or a malformed argument: ``field`` names it), "missing" (an
    argument the action needs: ``field`` names it, the first of a choice) or "forbidden" (the role may not
    take the action, or may not hand jobs to that account: ``field`` is then "assignee").
    """

    def __init__(self, kind: Literal["invalid", "missing", "forbidden"], message: str, field: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.field = field


def _args(given: Mapping[str, Any] | Args) -> Args:
    if isinstance(given, Args):
        return given
    try:
        return Args.model_validate(dict(given))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        if field == "version":
            raise Refused("invalid", VERSION_MESSAGE, field) from None
        if field == "public":
            raise Refused("invalid", PUBLIC_MESSAGE, field) from None
        raise Refused("invalid", f"{field!r} {first['msg']}", field) from None


def _admit(user: StaffUser | None, action: object, given: Mapping[str, Any] | Args) -> tuple[str, Args, Any]:
    """Steps 1 and 2 (see the module's docstring): the action's name, its arguments and, for ``assign``, the
    account the job goes to; or Refused."""
    name = action.strip() if isinstance(action, str) else ""
    if name not in ACTIONS:
        known = ", ".join(a for a in ACTIONS if a in STAFF_ACTIONS)
        raise Refused("invalid", f"unknown action {str(action)[:MAX_CODE]!r}; one of {known}", "action")
    args = _args(given)
    missing = ACTIONS[name].missing(args.model_dump())
    if missing is not None:
        raise Refused("missing", f"{name} needs {' or '.join(repr(arg) for arg in missing)}", missing[0])
    if user is None:
        raise Refused("forbidden", "authentication required")
    if not may_take(user.role, name):
        raise Refused("forbidden", f"role {user.role!r} may not {name}")
    if name == "forward":
        _check_destination(args)
    account = None
    if name == "assign":
        with get_engine().connect() as conn:
            account = load_user(conn, username=args.assignee or "")
        why = assignee_refusal(user, account)
        if why is not None:
            raise Refused("forbidden", why, "assignee")
    return name, args, account


def _check_destination(args: Args) -> None:
    """A forward's agency or jurisdiction exists (any of Indonesia's, ``db/jurisdictions.py``): otherwise
    Refused("invalid"), the API's 400. One handed over by hand (served by neither Pantau nor a door) names
    the office it was given to and a contact there: otherwise Refused("missing"). Asked after the role check,
    as it reads the database."""
    with get_engine().connect() as conn:
        if args.opd:
            if opd_id(conn, args.opd) is None:
                raise Refused("invalid", f"unknown agency (OPD) code {args.opd!r}", "opd")
            return
        if not args.kota:
            return
        place = destination(conn, args.kota)
        if place is None:
            raise Refused(
                "invalid",
                f"unknown jurisdiction {args.kota!r}: a Kemendagri code of a province (2 digits, e.g. 31) "
                "or a kabupaten/kota (4 digits, e.g. 3171)",
                "kota",
            )
        by_hand = place.by_hand
    for field, what in (("office", "the office it is given to"), ("office_contact", "a phone or e-mail there")):
        if by_hand and not getattr(args, field):
            raise Refused(
                "missing", f"{place.name} ({place.code}) is handed over by hand: {field!r} needs {what}", field
            )


def _handed_to(args: Args) -> HandedTo | None:
    if args.office and args.office_contact:
        return HandedTo(office=args.office, contact=args.office_contact, person=args.office_person)
    return None


def _request(name: str, args: Args) -> BulkRequest:
    return BulkRequest(
        action=name,
        reason=args.reason,
        note=args.note,
        note_public=args.public,
        opd=args.opd,
        kota=args.kota,
        assignee=args.assignee,
        of=args.of,
        category=args.category,
        handed_to=_handed_to(args) if name == "forward" else None,
    )


def _key(ref: object) -> str | None:
    """A tracking code as the database holds it, or None for anything that cannot be one."""
    if not isinstance(ref, str) or "\x00" in ref or len(ref) > MAX_CODE:
        return None
    return ref.strip().upper() or None


def _nowhere(ref: object) -> Outcome:
    return Outcome(str(ref)[:MAX_CODE], None, f"no complaint {str(ref)[:MAX_CODE]!r}", "not_found")


def act(user: StaffUser | None, ref: str, action: object, given: Mapping[str, Any] | Args) -> Outcome:
    """Take ``action`` on the complaint ``ref`` (its tracking code) with the arguments ``given`` (a mapping
    as a door received it, or ``Args``), in its own transaction. Raises Refused; a complaint that could not
    take it is an Outcome with ``kind`` "not_found", "forbidden" or "illegal"."""
    name, args, account = _admit(user, action, given)
    assert user is not None  # _admit refuses an anonymous actor
    key = _key(ref)
    if key is None:
        return _nowhere(ref)
    request = _request(name, args)
    if args.version is not None:
        request.expected_versions[key] = args.version
    with get_engine().begin() as conn:
        return apply_one(conn, key, request, user.actor, refuser(user, name, account))


def act_in_turn(user: StaffUser | None, ref: str, steps: Sequence[tuple[str, Mapping[str, Any] | Args]]) -> Outcome:
    """Take several actions on the complaint ``ref``, one after the other, in one transaction: each is admitted
    (Refused) before any is taken, each is a transition of its own, and when one cannot be taken none is (its
    Outcome is returned). Otherwise the last step's Outcome."""
    admitted = [_admit(user, action, given) for action, given in steps]
    assert user is not None and admitted
    return _in_turn(user, ref, admitted)


def act_many_in_turn(
    user: StaffUser | None, refs: Sequence[str], steps: Sequence[tuple[str, Mapping[str, Any] | Args]]
) -> list[Outcome]:
    """``act_in_turn`` on each complaint of ``refs`` (the operators' "verifikasi & tugaskan" on the ticked
    reports): the steps are admitted once (Refused) for the request as a whole; then each complaint takes all
    of them in a transaction of its own, or none (its Outcome says why) while the others go through."""
    admitted = [_admit(user, action, given) for action, given in steps]
    assert user is not None and admitted
    return [_in_turn(user, ref, admitted) for ref in refs]


def _in_turn(user: StaffUser, ref: str, admitted: Sequence[tuple[str, Args, Any]]) -> Outcome:
    key = _key(ref)
    if key is None:
        return _nowhere(ref)
    with get_engine().connect() as conn, conn.begin() as transaction:
        outcome: Outcome | None = None
        for name, args, account in admitted:
            request = _request(name, args)
            if args.version is not None:
                request.expected_versions[key] = args.version
            outcome = apply_one(conn, key, request, user.actor, refuser(user, name, account))
            if not outcome.ok:
                transaction.rollback()
                return outcome
        assert outcome is not None
        return outcome


def act_many(
    user: StaffUser | None, refs: Sequence[str], action: object, given: Mapping[str, Any] | Args
) -> list[Outcome]:
    """Take ``action`` on each complaint of ``refs`` in one transaction: each that cannot take it is an
    Outcome with the reason, the others change. Raises Refused for the request as a whole."""
    name, args, account = _admit(user, action, given)
    assert user is not None
    keys = [_key(ref) for ref in refs]
    with get_engine().begin() as conn:
        done = apply_many(conn, [k for k in keys if k], _request(name, args), user.actor, refuser(user, name, account))
    unusable = [_nowhere(ref) for ref, key in zip(refs, keys, strict=True) if key is None]
    return done + unusable


def available_actions(user: StaffUser | None, complaint: Mapping[str, Any]) -> list[str]:
    """What ``user`` may do to ``complaint`` (a row with status, opd_id, assignee_id, kecamatan_id) now, in the
    order pages offer them: what the role may take on a complaint it reaches and the machine allows from its
    status. A completion photo, an assignee or the report it duplicates are asked for when it is taken."""
    status = Status(complaint["status"])
    return [
        name for name, action in ACTIONS.items() if status in action.sources and refusal(user, name, complaint) is None
    ]


def available_steps(user: StaffUser | None, complaint: Mapping[str, Any]) -> list[str]:
    """The ``STEPS`` ``user`` may take on ``complaint`` now: its first action is available, and each next one
    would be from the status the one before leads to."""
    offered = []
    for combined, actions in STEPS.items():
        row = dict(complaint)
        for name in actions:
            if name not in available_actions(user, row):
                break
            target = ACTIONS[name].target
            if target is not None:
                row["status"] = target.value
        else:
            offered.append(combined)
    return offered


def dispute(code: str, reason: str, *, token: str | None, secret: str, now: datetime | None = None) -> dict[str, Any]:
    """The reporter disputes a finished report through their own link (``token``): it goes back to the operators.
    Raises ``db.tracking.DisputeError`` (not the reporter, no reason, not finished, too late)."""
    if not may_take(PUBLIC.role, "dispute"):
        raise DisputeError("not_reporter")
    with get_engine().begin() as conn:
        return dispute_in_db(conn, code, reason, token=token, secret=secret, now=now)


def act_as_system(
    conn: Connection, complaint_id: int, action: str, reason: str | None = None, facts: dict[str, Any] | None = None
) -> RowMapping:
    """The system takes ``action`` (the door worker's ``handover_failed``, ``resend``, ``remote_close``) in the
    caller's transaction; raises TransitionError when the machine refuses it."""
    if not may_take(SYSTEM.role, action):
        raise PermissionError(f"the system may not {action} (services/permissions.py)")
    return transition(conn, complaint_id, action, SYSTEM, reason=reason, facts=facts)


def reroute_open() -> RerouteResult:
    """Re-route every open complaint against the current boundaries: the system's reroute actions."""
    if not (may_take(SYSTEM.role, "reroute_out") and may_take(SYSTEM.role, "reroute_in")):
        raise PermissionError("the system may not re-route complaints (services/permissions.py)")
    with get_engine().begin() as conn:
        return reroute_open_complaints(conn)
