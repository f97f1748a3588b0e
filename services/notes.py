"""Writing on a complaint's history without changing its status: ``add_note`` for an internal note or a reply.

A staff note is internal (staff pages only) unless it is a reply to the reporter (``public``): a reply shows
on /lacak (a confidential report's only through the reporter's own link, never on the public page), in
Open311's ``status_notes`` when it explains the current status, and goes to the reporter as a 'reply'
message queued in the same transaction (an anonymous report keeps no contact and gets none). Who may
write which is ``services/permissions.py`` (``note_refusal``); out of reach is refused as actions are.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError
from sqlalchemy import text as sql_text

from db import outbox
from db.accounts import StaffUser
from db.complaints import NotFound
from db.complaints import add_note as add_note_in_db
from db.engine import get_engine
from db.outbox import RECIPIENT_COLUMNS
from db.workflow import Outcome, locked
from services.actions import MAX_CODE, PUBLIC_MESSAGE, Refused, Text, _key
from services.permissions import note_refusal

__all__ = ["add_note"]


class NoteArgs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    text: Text = None
    public: StrictBool = False


def _args(given: Any) -> NoteArgs:
    try:
        return NoteArgs.model_validate(given if isinstance(given, dict) else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        if field == "public":
            raise Refused("invalid", PUBLIC_MESSAGE, field) from None
        raise Refused("invalid", f"{field!r} {first['msg']}", field) from None


def add_note(user: StaffUser | None, ref: str, text: object, public: object = False) -> Outcome:
    """Add ``text`` to the history of the complaint ``ref`` (its tracking code): internal, or a reply to the
    reporter when ``public`` is true. Raises Refused (no text, malformed, a role that may not); a complaint out
    of reach or unknown is an Outcome with ``kind`` "forbidden" or "not_found"."""
    args = _args({"text": text, "public": public})
    if args.text is None:
        raise Refused("missing", "a note needs 'text'", "text")
    if user is None:
        raise Refused("forbidden", "authentication required")
    why = note_refusal(user, args.public, None)
    if why is not None:
        raise Refused("forbidden", why)
    key = _key(ref)
    if key is None:
        return Outcome(str(ref)[:MAX_CODE], None, f"no complaint {str(ref)[:MAX_CODE]!r}", "not_found")
    with get_engine().begin() as conn:
        try:
            row = locked(conn, key)
        except NotFound:
            return Outcome(key, None, f"no complaint {key!r}", "not_found")
        why = note_refusal(user, args.public, row)
        if why is not None:
            return Outcome(key, row["status"], why, "forbidden")
        add_note_in_db(conn, row["id"], user.actor, args.text, public=args.public, status=row["status"])
        if args.public:
            reporter = (
                conn.execute(sql_text(f"SELECT {RECIPIENT_COLUMNS} FROM complaint WHERE id = :id"), {"id": row["id"]})
                .mappings()
                .one()
            )
            outbox.enqueue(conn, reporter, "reply", {"text": args.text})
    return Outcome(key, row["status"])
