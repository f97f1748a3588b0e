"""Storing complaints and changing their status, each change with its event.

Every function takes the caller's connection and runs inside its transaction,
so a complaint, its routing and its events are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, RowMapping, text

from db import outbox
from db.doors import cancel_handover, queue_handover
from db.jurisdictions import HANDOVER_WORKING_DAYS, HandedTo, destination
from db.models import CHANNELS
from db.sql import driver_sql
from db.status import ACTIONS, ConflictError, Status, TransitionError, check_transition
from settings import get_settings

WIB = ZoneInfo("Asia/Jakarta")
MAX_DESCRIPTION = 4000
# Tracking codes avoid letters and digits people confuse (0/O, 1/I/L).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class ComplaintError(ValueError):
    """Input that cannot become a complaint; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownDestination(TransitionError):
    """A forward to an agency or jurisdiction code that does not exist (the doors answer it as bad input)."""


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Actor:
    """Who does something: a staff user, a citizen, an API client or the system."""

    role: str = "system"
    user_id: int | None = None


SYSTEM = Actor()


@dataclass(frozen=True)
class NewComplaint:
    """A new complaint as it is stored: its fields and their types, declared once. Every door hands over a
    ``services.intake.NewReport``, which is a NewComplaint checked against the one set of limits (and carrying
    the category's answers); tests, benchmarks and the demo data build one directly."""

    category: str
    description: str
    channel: str = "web"
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    reporter_name: str | None = None
    reporter_contact: str | None = None
    anonymous: bool = False
    confidential: bool = False
    source: str | None = None
    idempotency_key: str | None = None
    created_at: datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Created:
    id: int
    tracking_code: str
    status: Status
    duplicate_submission: bool


# Besides a name and a contact, what points at the reporter: the ids a reporter's app sends (Open311).
IDENTITY_ATTRIBUTES = ("account_id", "device_id")


def without_identity(new: NewComplaint) -> NewComplaint:
    """The complaint as it may be stored: an anonymous one loses its name, contact and identifying attributes."""
    if not new.anonymous:
        return new
    attributes = {k: v for k, v in new.attributes.items() if k not in IDENTITY_ATTRIBUTES}
    return replace(new, reporter_name=None, reporter_contact=None, attributes=attributes)


def new_tracking_code() -> str:
    """12 random characters (~59 bits) as XXXX-XXXX-XXXX: not guessable, easy to read out."""
    # One draw among 31**12 written in base 31: the same uniform choice as twelve secrets.choice calls, for a
    # fifth of the time (twelve draws from the system's generator were a tenth of create_complaint's Python time).
    number = secrets.randbelow(len(_CODE_ALPHABET) ** 12)
    digits = []
    for _ in range(12):
        number, digit = divmod(number, len(_CODE_ALPHABET))
        digits.append(_CODE_ALPHABET[digit])
    raw = "".join(digits)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def validate(new: NewComplaint, categories: dict[str, int]) -> int:
    """The category id, after checking every field; raises ComplaintError."""
    # PostgreSQL text cannot hold NUL: refuse it here with the field's name, not as a database error.
    for name in (
        "category", "channel", "description", "address", "reporter_name", "reporter_contact", "source",
        "idempotency_key",
    ):  # fmt: skip
        value = getattr(new, name)
        if isinstance(value, str) and "\x00" in value:
            raise ComplaintError(name, "contains a NUL character (\\x00)")
    if "\\u0000" in json.dumps(new.attributes):
        raise ComplaintError("attributes", "contains a NUL character (\\x00)")
    if new.category not in categories:
        raise ComplaintError("category", f"unknown category {new.category!r}; known: {', '.join(sorted(categories))}")
    if new.channel not in CHANNELS:
        raise ComplaintError("channel", f"unknown channel {new.channel!r}; known: {', '.join(CHANNELS)}")
    description = (new.description or "").strip()
    if not description:
        raise ComplaintError("description", "a description is required")
    if len(description) > MAX_DESCRIPTION:
        raise ComplaintError("description", f"at most {MAX_DESCRIPTION} characters")
    if (new.lat is None) != (new.lon is None):
        raise ComplaintError("location", "give both latitude and longitude, or neither")
    if new.lat is not None and new.lon is not None:
        for name, value, limit in (("lat", new.lat, 90.0), ("lon", new.lon, 180.0)):
            if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
                raise ComplaintError(name, f"not a number: {value!r}")
            if not -limit <= value <= limit:
                raise ComplaintError(name, f"{value} is outside -{limit:g}..{limit:g}")
    return categories[new.category]


def submission_key(new: NewComplaint) -> str:
    """Identical submissions share a key: the client's idempotency key, or the content on the same WIB day.

    A repeat returns the first report, and its receipt may carry the reporter's link, so
    the key also holds who sends it and how: the door and client, the reporter's name and
    contact (none when anonymous) and the anonymous and confidential choices. The same text
    sent again as confidential is a new confidential report, never the earlier public one.
    /lapor sends its form's own random key, so two people's identical reports never meet.
    """
    name, contact = ("", "") if new.anonymous else (new.reporter_name or "", new.reporter_contact or "")
    who = json.dumps([new.channel, new.source or "", name, contact, new.anonymous, new.confidential])
    external = new.attributes.get("external_id")
    if new.source and isinstance(external, str) and external:
        # Another system's own id for the report (a Pantau door sends its tracking code): the same client
        # sending the same id again gets the same report, whatever else differs.
        basis = f"external|{new.channel}|{new.source}|{external}"
    elif new.idempotency_key:
        basis = f"key|{who}|{new.idempotency_key}"
    else:
        day = (new.created_at or datetime.now(WIB)).astimezone(WIB).date().isoformat()
        where = f"{new.lat:.5f},{new.lon:.5f}" if new.lat is not None and new.lon is not None else new.address or ""
        text_ = " ".join((new.description or "").lower().split())
        basis = f"content|{who}|{new.category}|{where}|{text_}|{day}"
    return hashlib.sha256(basis.encode()).hexdigest()


def category_ids(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(text("SELECT code, id FROM category WHERE active")).all())


def create_complaint(
    conn: Connection, new: NewComplaint, actor: Actor = SYSTEM, categories: dict[str, int] | None = None
) -> Created:
    """Validate, store and route one complaint; a repeated submission returns the first.

    Its rows are written without waiting; then, like every change to complaints, the transaction holds the
    data-version row until it commits (migration 0028: a report takes its version at the end of its
    statement, any other change at its first). Callers commit soon after, and read what they show later.
    """
    # Anonymous keeps no identity at all, whatever the door: nothing to read back, ever, nor to hash.
    new = without_identity(new)
    category_id = validate(new, categories if categories is not None else category_ids(conn))
    key = submission_key(new)
    tracking_code = new_tracking_code()
    params = {
        "tracking_code": tracking_code,
        "lon": new.lon,
        "lat": new.lat,
        "address": new.address,
        "description": new.description.strip(),
        "category_id": category_id,
        "channel": new.channel,
        "source": new.source,
        "reporter_name": new.reporter_name,
        "reporter_contact": new.reporter_contact,
        "anonymous": new.anonymous,
        "confidential": new.confidential,
        "created_at": new.created_at,
        "submission_key": key,
        "attributes": json.dumps(new.attributes),
        "actor_id": actor.user_id,
        "actor_role": actor.role,
    }
    # Where the reporter hears it was received depends on what they sent, not on the stored row: the same
    # statement queues it.
    to = outbox.addressee({**params, "attributes": new.attributes})
    params.update(
        notify_channel=to.channel if to else None,
        notify_recipient=to.recipient if to else None,
        notify_lang=to.lang if to else None,
    )
    # Every report from every door comes through here: the statement skips SQLAlchemy's compiling (db.sql).
    row = conn.exec_driver_sql(driver_sql("complaint_create", conn), params).first()
    if row is None:
        existing = conn.execute(
            text("SELECT id, tracking_code, status FROM complaint WHERE submission_key = :k"), {"k": key}
        ).one()
        return Created(existing.id, existing.tracking_code, Status(existing.status), True)
    return Created(row.id, tracking_code, Status(row.status), False)


def resolve_id(conn: Connection, ref: int | str) -> int:
    """A complaint id from its numeric id or its public tracking code."""
    if isinstance(ref, int):
        found = conn.execute(text("SELECT id FROM complaint WHERE id = :r"), {"r": ref}).scalar()
    else:
        found = conn.execute(
            text("SELECT id FROM complaint WHERE tracking_code = upper(:r)"), {"r": ref.strip()}
        ).scalar()
    if found is None:
        raise NotFound(f"no complaint {ref!r}")
    return int(found)


def add_event(
    conn: Connection,
    complaint_id: int,
    kind: str,
    actor: Actor,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    public: bool = True,
    data: dict[str, Any] | None = None,
    note_public: bool = False,
) -> None:
    """One history entry. ``public``: the step shows on /lacak; ``note_public``: so does its note (a reply, or
    the reason a reporter is told); any other note is internal, for staff only."""
    conn.execute(
        text(
            "INSERT INTO complaint_event "
            "(complaint_id, kind, actor_id, actor_role, from_status, to_status, note, public, note_public, data) "
            "VALUES (:cid, :kind, :actor_id, :role, :from_status, :to_status, :note, :public, :note_public, "
            "CAST(:data AS jsonb))"
        ),
        {
            "cid": complaint_id,
            "kind": kind,
            "actor_id": actor.user_id,
            "role": actor.role,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            "public": public,
            "note_public": note_public,
            "data": json.dumps(data or {}),
        },
    )


def transition(
    conn: Connection,
    ref: int | str,
    action: str,
    actor: Actor = SYSTEM,
    *,
    reason: str | None = None,
    note: str | None = None,
    note_public: bool = False,
    expected_version: int | None = None,
    opd: str | None = None,
    kota: str | None = None,
    assignee: str | None = None,
    of: int | str | None = None,
    facts: dict[str, Any] | None = None,
    handed_to: HandedTo | None = None,
) -> RowMapping:
    """Apply one status-changing action to one complaint, locking its row; returns the updated row.

    What is legal and what each action needs is the status machine's (``db/status.py``);
    who may do it is checked before, by ``services/actions.py``. Raises TransitionError
    (illegal from the current status, or missing what the action needs), ConflictError
    (``expected_version`` is stale) or NotFound.

    ``facts`` are kept with the history entry (the other system's request id and photo link, for ``remote_close``).
    ``handed_to``: for a forward handed over by hand (a jurisdiction without a door), whom it was given to; kept
    on the report until it is forwarded again, and in the history.

    ``note`` is internal unless ``note_public`` (a reply to the reporter, who is also sent it); the reason of an
    action that ``tells_reason`` (reject, duplicate, forward) is the reporter's, any other reason internal.
    """
    complaint_id = resolve_id(conn, ref)
    current = (
        conn.execute(
            text(
                "SELECT id, status, version, opd_id, jurisdiction_id, category_id, geom, assignee_id, handover_to "
                "FROM complaint WHERE id = :id FOR UPDATE"
            ),
            {"id": complaint_id},
        )
        .mappings()
        .one()
    )
    status = Status(current["status"])
    if expected_version is not None and expected_version != current["version"]:
        raise ConflictError(
            f"the complaint changed meanwhile (version {current['version']}, you saw {expected_version}); reload and retry",
            status,
        )
    machine = ACTIONS.get(action)
    if machine is not None and machine.target is None:
        raise TransitionError(f"{action} keeps the status; it is not a status change", status)
    photos, nearest_m = 0, None
    if machine is not None and machine.needs_completion_photo:
        # Measured now, on the sphere, against where the report is: a photo without GPS (or a report without a
        # place) has no distance, and so proves nothing about where the work was done.
        photos, nearest_m = conn.execute(
            text(
                "SELECT count(*), min(ST_Distance(p.gps::geography, c.geom::geography)) "
                "FROM photo p JOIN complaint c ON c.id = p.complaint_id WHERE p.complaint_id = :id AND p.kind = 'completion'"
            ),
            {"id": complaint_id},
        ).one()
    limit_m = get_settings().photo_max_distance_m
    given = {"reason": reason, "opd": opd, "kota": kota, "assignee": assignee, "of": of}
    target = check_transition(
        action,
        status,
        completion_photos=photos,
        photo_near=nearest_m is not None and nearest_m <= limit_m,
        photo_distance_m=nearest_m,
        **given,
    )

    sets = ["status = :target", "first_response_at = coalesce(first_response_at, now())"]
    params: dict[str, Any] = {"id": complaint_id, "target": target.value}
    data: dict[str, Any] = {}
    if action == "forward":
        handover: str | None = None
        if opd:
            to_opd = conn.execute(text("SELECT id, jurisdiction_id FROM opd WHERE code = :c"), {"c": opd}).first()
            if to_opd is None:
                raise UnknownDestination(f"unknown OPD {opd!r}", status)
            sets += ["opd_id = :opd_id", "jurisdiction_id = coalesce(:jur, jurisdiction_id)"]
            params.update(opd_id=to_opd.id, jur=to_opd.jurisdiction_id)
        else:
            assert kota is not None  # check_transition: forward needs opd or kota
            place = destination(conn, kota)
            if place is None:
                raise UnknownDestination(f"unknown jurisdiction {kota!r}", status)
            data["to_name"] = place.name
            if place.served:
                # Handing a report to a city Pantau serves routes it like a new report there.
                to_kota = conn.execute(
                    text("SELECT id FROM area WHERE code = :c AND level = 'kota'"), {"c": kota}
                ).scalar_one()
                sets += ["jurisdiction_id = :jur", "opd_id = pantau_route_opd(category_id, :jur, geom)"]
                params.update(jur=to_kota)
            else:
                # Anywhere else: a handover, kept in sight until its follow-up day; through the destination's own
                # system when it has a door (sent by the door worker, federation/), otherwise by hand.
                handover = place.code
                sets.append("opd_id = NULL")
                data["handover"] = "door" if place.door else "manual"
        given_to = handed_to if data.get("handover") == "manual" else None
        if given_to is not None:
            data.update(office=given_to.office, office_person=given_to.person, office_contact=given_to.contact)
        # A report forwarded again, whichever way, no longer waits on an earlier handover.
        sets += [
            "handover_to = CAST(:handover AS text)",
            "handover_due = CASE WHEN CAST(:handover AS text) IS NULL THEN NULL "
            "ELSE pantau_add_working_days(now(), :handover_days) END",
            "handover_office = :office",
            "handover_person = :office_person",
            "handover_contact = :office_contact",
        ]
        params.update(
            handover=handover,
            handover_days=HANDOVER_WORKING_DAYS,
            office=given_to.office if given_to else None,
            office_person=given_to.person if given_to else None,
            office_contact=given_to.contact if given_to else None,
        )
        data.update(
            from_opd=_opd_code(conn, current["opd_id"]),
            to_opd=opd,
            from_kota=_area_code(conn, current["jurisdiction_id"]),
            to_kota=kota or _area_code(conn, params.get("jur")),
            reason=reason,
        )
    elif action == "assign":
        # Whether this account may be given jobs is services/permissions.py's (checked before, by services/actions.py).
        user = conn.execute(text("SELECT id FROM app_user WHERE username = :u AND active"), {"u": assignee}).first()
        if user is None:
            raise TransitionError(f"no active account {assignee!r}", status)
        sets.append("assignee_id = :assignee_id")
        params["assignee_id"] = user.id
        data["assignee"] = assignee
    elif target is Status.SELESAI:
        # Finished is when the report turns green: at once with a completion photo near the report, at the
        # operator's confirmation otherwise (so the leaders' completion time counts to the confirmation).
        sets.append("completed_at = now()")
    elif target is Status.PERLU_KONFIRMASI:
        data.update(photo_distance_m=None if nearest_m is None else round(nearest_m), max_distance_m=round(limit_m))
    elif action == "resend":
        place = destination(conn, current["handover_to"] or "")
        if place is None or not place.door:
            raise TransitionError("no door to send it through any more: forward it again instead", status)
        data.update(to_kota=place.code, to_name=place.name, handover="door")
    elif action in ("reopen", "dispute"):
        sets += ["completed_at = NULL", "merged_into_id = NULL"]
    elif action == "duplicate":
        assert of is not None  # check_transition: duplicate needs 'of'
        survivor = resolve_id(conn, of)
        if survivor == complaint_id:
            raise TransitionError("a complaint cannot duplicate itself", status)
        sets.append("merged_into_id = :survivor")
        params["survivor"] = survivor
        data["of"] = conn.execute(text("SELECT tracking_code FROM complaint WHERE id = :i"), {"i": survivor}).scalar()
    if reason:
        data.setdefault("reason", reason)
    data.update(facts or {})
    unassigned = ACTIONS[action].drops_assignee and current["assignee_id"] is not None
    if unassigned:
        sets.append("assignee_id = NULL")

    row = (
        conn.execute(text(f"UPDATE complaint SET {', '.join(sets)} WHERE id = :id RETURNING *"), params)
        .mappings()
        .one()
    )
    tells = bool(reason) and ACTIONS[action].tells_reason
    # One note per history entry: a reason the reporter is told is not hidden behind an internal note, which
    # then gets an entry of its own, for staff.
    aside = None
    if note and not note_public and tells and note != reason:
        aside, written, shown = note, reason, True
    elif note:
        written, shown = note, note_public or (tells and note == reason)
    else:
        written, shown = reason, tells
    add_event(
        conn,
        complaint_id,
        ACTIONS[action].event,
        actor,
        from_status=status.value,
        to_status=target.value,
        note=written,
        note_public=shown,
        data={"action": action, **{k: v for k, v in data.items() if v is not None}},
    )
    if aside:
        add_note(conn, complaint_id, actor, aside, public=False, status=target.value)
    if unassigned:
        record_unassigned(conn, complaint_id, current["assignee_id"], action, actor, target.value)
    if data.get("handover") == "door":
        queue_handover(conn, complaint_id, row["handover_to"])
    elif (
        action != "remote_close" and target not in (Status.DITERUSKAN, Status.GAGAL_DITERUSKAN)
    ) or action == "forward":
        cancel_handover(conn, complaint_id)
    outbox.enqueue_change(conn, row, action, status.value, reason, reply=note if note and note_public else None)
    return row


def add_note(
    conn: Connection, complaint_id: int, actor: Actor, note: str, *, public: bool, status: str | None = None
) -> None:
    """A staff note on the history: internal (staff pages only), or ``public``, a reply the reporter reads on
    /lacak (a confidential report's only through their own link). The caller queues the reply's message."""
    add_event(
        conn,
        complaint_id,
        "commented",
        actor,
        from_status=status,
        to_status=status,
        note=note,
        public=public,
        note_public=public,
    )


def record_unassigned(
    conn: Connection, complaint_id: int, assignee_id: int, action: str, actor: Actor, status: str
) -> None:
    """The history entry for a job taken away from its field supervisor (staff only: it names the account)."""
    username = conn.execute(text("SELECT username FROM app_user WHERE id = :i"), {"i": assignee_id}).scalar()
    add_event(
        conn,
        complaint_id,
        "unassigned",
        actor,
        from_status=status,
        to_status=status,
        public=False,
        data={"action": action, "assignee": username},
    )


def _opd_code(conn: Connection, opd_id: int | None) -> str | None:
    return None if opd_id is None else conn.execute(text("SELECT code FROM opd WHERE id = :i"), {"i": opd_id}).scalar()


def _area_code(conn: Connection, area_id: int | None) -> str | None:
    return (
        None if area_id is None else conn.execute(text("SELECT code FROM area WHERE id = :i"), {"i": area_id}).scalar()
    )


def events(conn: Connection, complaint_id: int, public_only: bool = False) -> list[RowMapping]:
    """The complaint's history, oldest first."""
    return list(
        conn.execute(
            text(
                "SELECT id, kind, at, actor_role, from_status, to_status, note, public, data "
                "FROM complaint_event WHERE complaint_id = :id AND (public OR NOT :public_only) ORDER BY id"
            ),
            {"id": complaint_id, "public_only": public_only},
        ).mappings()
    )
