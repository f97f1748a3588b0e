"""What the holder of a tracking code may see and do: the public view of one report, and disputing it.

There is no citizen log-in. The tracking code (12 random characters, ~59 bits)
is the report's public id: it is also Open311's ``service_request_id``, so
every report that is not confidential can be looked up by anyone who has it.
The view therefore shows nothing that belongs to anyone else: no staff names,
no other reporter's code, text or photos, no notes written by reporters. A
report merged into another follows that one's status (``db.workflow.public_status``).

The reporter's link carries ``k``, an HMAC of the code under the app's secret
key (``reporter_token``), handed out only to the reporter (the /lapor receipt,
the SMS reply). Holding that link is the capability; nothing is stored. It is
needed to dispute a finished report and, for a confidential report, to see
anything the reporter or the staff wrote: its description, address, photos
and the staff's notes. With the code alone a confidential report shows its
status, category, area and the kinds of steps taken, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from db.complaints import Actor, add_event, transition
from db.documents import listed
from db.status import COLOUR, Status
from db.workflow import evidence, public_status

DISPUTE_WINDOW = timedelta(days=14)
MAX_REASON = 1000
PUBLIC = Actor(role="public")
# Kinds whose staff-written note may be shown: the reason for a status a citizen needs to understand.
_NOTE_KINDS = frozenset({"status_changed", "forwarded", "verified", "commented"})


class DisputeError(ValueError):
    """A dispute that cannot be accepted; ``reason`` is ``not_reporter``, ``empty``, ``too_long``, ``not_finished`` or ``too_late``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def reporter_token(secret: str, code: str) -> str:
    """The reporter's proof for ``code``: 16 characters derived from the secret key, never stored."""
    digest = hmac.new(secret.encode(), f"pantau-reporter|{code.strip().upper()}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16].lower()


def is_reporter(secret: str, code: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(reporter_token(secret, code), (token or "").strip().lower())


@dataclass(frozen=True)
class Step:
    at: datetime
    kind: str
    to_status: str | None
    by_reporter: bool
    note: str | None
    office: str | None


@dataclass
class PublicView:
    """One report as its holder sees it; status, office and due date follow the report it was merged into.

    ``description`` and ``address`` are None for a confidential report seen without the reporter's link.
    """

    id: int
    tracking_code: str
    status: Status
    category_code: str
    category_name_id: str
    category_name_en: str
    description: str | None
    address: str | None
    confidential: bool
    reporter: bool  # opened with the reporter's own link (k)
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    opd_name: str | None
    kelurahan: str | None
    kecamatan: str | None
    kota: str | None
    handling_id: int  # the complaint whose work this report follows (itself unless merged)
    steps: list[Step] = field(default_factory=list)

    @property
    def merged(self) -> bool:
        return self.handling_id != self.id

    @property
    def private(self) -> bool:
        """A confidential report seen by someone who is not its reporter: only status, category and area show."""
        return self.confidential and not self.reporter

    @property
    def colour(self) -> str:
        return COLOUR[self.status].value

    @property
    def dispute_until(self) -> datetime | None:
        """When disputing stops being possible, or None while the report is not finished."""
        if self.status != Status.SELESAI or self.completed_at is None:
            return None
        return self.completed_at + DISPUTE_WINDOW

    def can_dispute(self, now: datetime) -> bool:
        until = self.dispute_until
        return until is not None and now <= until


# The holder's own history, then what happened to the report it was merged into since the merge.
# A step's office is where it sent the report: the 'to_opd' of a forward, the 'opd' of a routing.
_STEPS = text(
    """
    SELECT e.at, e.kind, e.to_status, e.actor_role, e.actor_role = 'public' AS by_reporter, e.note, e.note_public,
           o.name AS office, e.complaint_id, c.confidential
      FROM complaint_event e
      JOIN complaint c ON c.id = e.complaint_id
      LEFT JOIN opd o ON o.code = coalesce(e.data ->> 'to_opd', e.data ->> 'opd')
     WHERE e.public
       AND (e.complaint_id = :own
            OR (e.complaint_id = :handling AND :handling <> :own
                AND e.at >= (SELECT coalesce(min(m.at), '-infinity') FROM complaint_event m
                              WHERE m.complaint_id = :own AND m.kind = 'merged')
                AND e.kind NOT IN ('created', 'routed', 'merged', 'photo_added')))
     ORDER BY e.at, e.id
    """
)


def reporter_sees_note(kind: str, actor_role: str | None, public: bool, note_public: bool) -> bool:
    """Whether /lacak shows an event's note to the reporter: a staff reply, or the reason for a rejection or a
    forward (``note_public``); every other staff note is internal.

    For a confidential report only through the reporter's own link; staff pages mark these notes.
    """
    return public and note_public and kind in _NOTE_KINDS and actor_role != PUBLIC.role


def _note_shown(step: Any, view: PublicView) -> bool:
    """A reply or a public reason is shown, except a confidential report's to anyone but its own reporter."""
    if not reporter_sees_note(step["kind"], step["actor_role"], True, step["note_public"]):
        return False
    return not step["confidential"] or (step["complaint_id"] == view.id and view.reporter)


def public_view(conn: Connection, code: str, *, reporter: bool = False) -> PublicView | None:
    """The view of the report with this tracking code, or None when there is none.

    ``reporter``: the caller checked the reporter's token (``is_reporter``) for this code.
    """
    code = (code or "").strip()
    if not code:
        return None
    row = public_status(conn, code)
    if row is None:
        return None
    own = conn.execute(text("SELECT description, address FROM complaint WHERE id = :id"), {"id": row["id"]}).one()
    hidden = bool(row["confidential"]) and not reporter
    view = PublicView(
        id=row["id"],
        tracking_code=row["tracking_code"],
        status=Status(row["status"]),
        category_code=row["category_code"],
        category_name_id=row["category_name_id"],
        category_name_en=row["category_name_en"],
        description=None if hidden else own.description,
        address=None if hidden else own.address,
        confidential=row["confidential"],
        reporter=reporter,
        created_at=row["created_at"],
        due_at=row["due_at"],
        completed_at=row["completed_at"],
        opd_name=row["opd_name"],
        kelurahan=row["kelurahan"],
        kecamatan=row["kecamatan"],
        kota=row["kota"],
        handling_id=row["survivor_id"],
    )
    for step in conn.execute(_STEPS, {"own": view.id, "handling": view.handling_id}).mappings():
        shown_note = step["note"] if _note_shown(step, view) else None
        view.steps.append(
            Step(step["at"], step["kind"], step["to_status"], step["by_reporter"], shown_note, step["office"])
        )
    return view


def photos(conn: Connection, view: PublicView) -> list[RowMapping]:
    """The photos the page may show: the report's own photos at any status, completion photos once finished.

    A confidential report's photos only to its own reporter (their link also opens
    them, see ``api/photos.py``); never a confidential survivor's to a duplicate's reporter.
    """
    finished = view.status == Status.SELESAI
    return [
        row
        for row in evidence(conn, view.id)
        if (row["kind"] == "report" and not row["from_survivor"]) or (row["kind"] == "completion" and finished)
        if not row["confidential"] or (row["complaint_id"] == view.id and view.reporter)
    ]


def documents(conn: Connection, view: PublicView) -> list[RowMapping]:
    """The report's own PDF documents the page may show: a confidential report's only to its own reporter."""
    if view.confidential and not view.reporter:
        return []
    return listed(conn, view.id)


def dispute(
    conn: Connection, code: str, reason: str, *, token: str | None, secret: str, now: datetime | None = None
) -> dict[str, Any]:
    """The reporter disputes a finished report: the status machine's ``dispute`` sends it back to the operators,
    with a 'disputed' event. Whether the actor may dispute at all is ``services/permissions.py``'s (asked by
    ``services.actions.dispute``); holding the reporter's link for this report is checked here."""
    if not is_reporter(secret, code, token):
        raise DisputeError("not_reporter")
    reason = (reason or "").strip()
    if not reason:
        raise DisputeError("empty")
    if len(reason) > MAX_REASON:
        raise DisputeError("too_long")
    view = public_view(conn, code, reporter=True)
    if view is None:
        raise DisputeError("not_finished")
    locked = conn.execute(
        text("SELECT status, completed_at, now() AS now FROM complaint WHERE id = :id FOR UPDATE"),
        {"id": view.handling_id},
    ).one()
    if locked.status != Status.SELESAI.value or locked.completed_at is None:
        raise DisputeError("not_finished")
    if (now or locked.now) > locked.completed_at + DISPUTE_WINDOW:
        raise DisputeError("too_late")
    row = transition(conn, view.handling_id, "dispute", PUBLIC, reason=reason)
    add_event(conn, view.handling_id, "disputed", PUBLIC, note=reason, data={"via": view.tracking_code})
    return dict(row)
