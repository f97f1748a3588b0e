"""The outbox: messages to reporters, written in the transaction of the change they tell about, and their delivery.

``enqueue`` adds one row in the caller's transaction, so a status change and
the message about it are stored together or not at all, and the request that
made the change never waits for a gateway. The delivery worker
(``notify/worker.py``) claims due rows one at a time with a lease
(``claim``), sends them, and records the outcome (``record_sent``,
``record_failure``, ``record_off``).

Delivery is at least once: a worker that dies after the gateway accepted a
message and before its outcome was stored leaves the row 'sending' until the
lease runs out; it is then claimed and sent again with the same
``idempotency_key``, which the gateway or mail reader uses to drop the second
copy. Anonymous reports and reports without a usable contact get no row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from db.channels import recipient
from db.sql import sql
from db.status import Status

LANGS = ("id", "en")
# What the reporter hears about each action of the status machine (db/status.py), and as what; None is an
# action the reporter is not told about: a change of category, or new boundaries moving a report in or out of
# the city's intake. Every action is listed (tests/unit/test_notify.py), so a new one is a decision, not a silence.
# (db/complaints.py transition calls enqueue_change.)
KIND_OF_ACTION: dict[str, str | None] = {
    "verify": "verified",
    "forward": "forwarded",
    "assign": "assigned",
    "start": "in_progress",
    "complete": "finished",  # only when it closes the report: a far photo waits for "confirm", which tells them
    "confirm": "finished",
    "reject": "rejected",
    "duplicate": "duplicate",
    "reopen": "reopened",
    "dispute": "reopened",
    "recategorise": None,
    "reroute_out": None,
    "reroute_in": None,
    # A door's failure and the retry are the operators' business; the reporter was told of the forward.
    "handover_failed": None,
    "resend": None,
    "remote_close": "finished",
}
# Columns ``db.channels.recipient`` and ``enqueue`` read from a complaint row.
RECIPIENT_COLUMNS = "id, status, channel, source, reporter_contact, anonymous, confidential, attributes"

_INSERT = text(
    "INSERT INTO notification (complaint_id, kind, channel, recipient, lang, confidential, facts) "
    "VALUES (:cid, :kind, :channel, :recipient, :lang, :confidential, CAST(:facts AS jsonb)) RETURNING id"
)


@dataclass(frozen=True)
class Addressee:
    """Where and how a complaint's reporter is told: the channel, the address, the language (None: default)."""

    channel: str
    recipient: str
    lang: str | None


def addressee(complaint: Mapping[Any, Any]) -> Addressee | None:
    """Where the reporter of ``complaint`` (the columns in RECIPIENT_COLUMNS) is told; None when they cannot be."""
    to = recipient(complaint)
    if to is None:
        return None
    attributes = complaint.get("attributes") or {}
    lang = attributes.get("lang") if attributes.get("lang") in LANGS else None
    return Addressee(to.channel, to.address, lang)


def enqueue(
    conn: Connection, complaint: Mapping[Any, Any], kind: str, facts: Mapping[Any, Any] | None = None
) -> int | None:
    """Queue one message of ``kind`` for the reporter of ``complaint``; None when the reporter cannot be told.

    ``complaint`` needs the columns in RECIPIENT_COLUMNS. A 'reply' from staff is
    queued the same way, with ``facts={"text": …}``. (A new report's 'received' is
    queued by the statement that stores it, db/sql/complaint_create.sql, to the same
    ``addressee``.)
    """
    to = addressee(complaint)
    if to is None:
        return None
    return int(
        conn.execute(
            _INSERT,
            {
                "cid": complaint["id"],
                "kind": kind,
                "channel": to.channel,
                "recipient": to.recipient,
                "lang": to.lang,
                "confidential": bool(complaint.get("confidential")),
                "facts": json.dumps(dict(facts or {})),
            },
        ).scalar_one()
    )


def enqueue_change(
    conn: Connection,
    complaint: Mapping[Any, Any],
    action: str,
    from_status: str,
    reason: str | None = None,
    reply: str | None = None,
) -> None:
    """Queue what a status change tells the reporter (``complaint`` is the updated row).

    ``reply``, a note staff chose to show the reporter, travels in the same message as the change (one message,
    not two); when the change itself tells the reporter nothing, it goes alone as a 'reply'.
    """
    kind = KIND_OF_ACTION.get(action)
    if kind is None or _silent(kind, complaint["status"], from_status):
        if reply:
            enqueue(conn, complaint, "reply", {"text": reply})
        return
    status = complaint["status"]
    facts: dict[str, Any] = {"status": status}
    if reply:
        facts["reply"] = reply
    if kind == "forwarded":
        facts.update(
            opd_id=complaint.get("opd_id"),
            kota=complaint.get("handover_to") or _kota_code(conn, complaint.get("jurisdiction_id")),
        )
    elif kind in ("rejected", "duplicate") and reason:
        facts["reason"] = reason
    enqueue(conn, complaint, kind, facts)
    if kind == "finished":
        # Reports merged into this one follow it (db.workflow.public_status): their reporters hear it is done.
        for merged in conn.execute(
            text(
                f"SELECT {RECIPIENT_COLUMNS} FROM complaint WHERE merged_into_id = :id AND status = :merged "
                "AND NOT anonymous AND reporter_contact IS NOT NULL"
            ),
            {"id": complaint["id"], "merged": Status.DUPLIKAT.value},
        ).mappings():
            enqueue(conn, merged, "finished", {"status": status, "photo_of": complaint["id"]})


def _silent(kind: str, status: str, from_status: str) -> bool:
    """Whether a change the reporter would otherwise hear about says nothing new to them."""
    # Handing the job to another field supervisor changes nothing the reporter needs to hear.
    if kind == "assigned" and from_status == status:
        return True
    # A completion waiting for an operator's confirmation is not finished yet for the reporter, and sending it
    # back undoes nothing they were told.
    return (kind == "finished" and status != Status.SELESAI) or (
        kind == "reopened" and from_status == Status.PERLU_KONFIRMASI
    )


def _kota_code(conn: Connection, area_id: int | None) -> str | None:
    if area_id is None:
        return None
    return conn.execute(text("SELECT code FROM area WHERE id = :i AND level = 'kota'"), {"i": area_id}).scalar()


def commit_without_flush(conn: Connection) -> None:
    """Let this transaction's commit return before its WAL is on disk (the worker's claims and outcomes).

    Safe for the outbox because delivery is at least once with a key: if the
    database server itself crashes within the fraction of a second before the
    flush, a claim or an outcome is lost, the message is 'queued' or 'sending'
    again and goes out again with the same idempotency key. Nothing is lost,
    and no worker waits a disk flush per message. Changes to complaints (and
    the messages written with them) keep the normal, waiting commit.
    """
    conn.execute(text("SET LOCAL synchronous_commit = off"))


def claim(conn: Connection, lease_s: float, worker: str) -> RowMapping | None:
    """The message due first, now 'sending' under a lease of ``lease_s`` seconds with its attempt recorded; or None."""
    return conn.execute(sql("outbox_claim"), {"lease_s": lease_s, "worker": worker}).mappings().first()


def store_text(conn: Connection, notification_id: int, subject: str, body: str) -> None:
    """Keep the text of a message as first written, so every attempt sends the same words."""
    conn.execute(
        text("UPDATE notification SET subject = :s, body = :b WHERE id = :id AND body IS NULL"),
        {"id": notification_id, "s": subject, "b": body},
    )


def _finish_attempt(conn: Connection, notification_id: int, attempt: int, outcome: str, detail: str | None) -> None:
    conn.execute(
        text(
            "UPDATE notification_attempt SET outcome = :o, finished_at = now(), detail = :d "
            "WHERE notification_id = :id AND attempt = :n"
        ),
        {"id": notification_id, "n": attempt, "o": outcome, "d": (detail or "")[:1000] or None},
    )


def record_sent(conn: Connection, notification_id: int, attempt: int, detail: str | None = None) -> None:
    """The gateway took the message. A success stands even when a later attempt has claimed the row meanwhile."""
    conn.execute(
        text(
            "UPDATE notification SET status = 'sent', sent_at = coalesce(sent_at, now()), last_error = NULL "
            "WHERE id = :id"
        ),
        {"id": notification_id},
    )
    _finish_attempt(conn, notification_id, attempt, "sent", detail)


def record_failure(conn: Connection, notification_id: int, attempt: int, error: str, retry_in_s: float | None) -> None:
    """The attempt failed: try again in ``retry_in_s`` seconds, or give up ('dead') when it is None."""
    outcome = "dead" if retry_in_s is None else "failed"
    conn.execute(
        text(
            "UPDATE notification SET status = :o, last_error = :e, "
            "next_attempt_at = now() + make_interval(secs => CAST(:retry AS double precision)) "
            "WHERE id = :id AND status = 'sending' AND attempts = :n"
        ),
        {"id": notification_id, "n": attempt, "o": outcome, "e": error[:1000], "retry": retry_in_s or 0.0},
    )
    _finish_attempt(conn, notification_id, attempt, outcome, error)


def record_off(conn: Connection, notification_id: int, attempt: int, why: str) -> None:
    """The message's channel is not configured: it stays recorded (with its text) and is never sent."""
    conn.execute(
        text(
            "UPDATE notification SET status = 'off', last_error = :e WHERE id = :id AND status = 'sending' AND attempts = :n"
        ),
        {"id": notification_id, "n": attempt, "e": why},
    )
    _finish_attempt(conn, notification_id, attempt, "off", why)


# Of each message: whether it was resent, and how that went (the newest resend of it).
_RESENT = (
    "(SELECT r.id FROM notification r WHERE r.resend_of = n.id ORDER BY r.id DESC LIMIT 1) AS resent_as, "
    "(SELECT r.status FROM notification r WHERE r.resend_of = n.id ORDER BY r.id DESC LIMIT 1) AS resent_status"
)


def messages_of(conn: Connection, complaint_id: int) -> list[RowMapping]:
    """Every message to the reporter of one complaint, oldest first, with how its delivery went."""
    return list(
        conn.execute(
            text(
                "SELECT n.id, n.kind, n.channel, n.recipient, n.status, n.attempts, n.body, n.last_error, n.created_at, "
                f"n.sent_at, n.next_attempt_at, n.resend_of, {_RESENT} FROM notification n WHERE n.complaint_id = :id "
                "AND n.kind NOT IN ('reminder', 'escalation') ORDER BY n.id"
            ),
            {"id": complaint_id},
        ).mappings()
    )


def problems(conn: Connection, limit: int = 200) -> list[RowMapping]:
    """Messages that failed: given up ('dead') first, then those waiting for another try; newest first."""
    return list(
        conn.execute(
            text(
                "SELECT n.id, n.kind, n.channel, n.status, n.attempts, n.last_error, n.created_at, n.next_attempt_at, "
                f"n.complaint_id, c.tracking_code, {_RESENT} FROM notification n "
                "JOIN complaint c ON c.id = n.complaint_id WHERE n.status IN ('failed', 'dead') "
                "ORDER BY n.status = 'dead' DESC, n.created_at DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).mappings()
    )


RESENDABLE = ("failed", "dead")


def message(conn: Connection, notification_id: int, lock: bool = False) -> RowMapping | None:
    """One message with what permissions look at of its complaint (``lock``: the message held until the
    transaction ends), or None."""
    return (
        conn.execute(
            text(
                f"SELECT n.id, n.complaint_id, n.kind, n.status, {_RESENT}, c.opd_id, c.assignee_id, c.kecamatan_id, "
                "c.jurisdiction_id, c.confidential FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                "WHERE n.id = :id" + (" FOR UPDATE OF n" if lock else "")
            ),
            {"id": notification_id},
        )
        .mappings()
        .first()
    )


def resend(conn: Connection, notification_id: int) -> int:
    """ "Kirim ulang": a new message with the same words, recipient and channel, under a new idempotency key, that
    names the original (``resend_of``); returns its id. The original keeps its state and attempts as history; one
    still waiting for a retry ('failed') is given up now, so that only the new one goes. The caller has checked
    (``message`` with ``lock``) that it is failed or given up and not resent yet.

    Why a new key: a gateway remembers the answer it gave to a key (and may have refused it for good), a mail
    reader drops a second ``Message-ID``, so the same key could make the new try vanish; and a row per try keeps
    each one's attempts apart.
    """
    conn.execute(
        text("UPDATE notification SET status = 'dead' WHERE id = :id AND status = 'failed'"), {"id": notification_id}
    )
    return int(
        conn.execute(
            text(
                "INSERT INTO notification (complaint_id, kind, channel, recipient, lang, confidential, facts, subject, "
                "body, resend_of) SELECT complaint_id, kind, channel, recipient, lang, confidential, facts, subject, "
                "body, id FROM notification WHERE id = :id RETURNING id"
            ),
            {"id": notification_id},
        ).scalar_one()
    )


def status_counts(conn: Connection) -> dict[str, int]:
    """How many messages wait, are being sent, wait for a retry or were given up."""
    # Only the states the partial indexes cover: the sent ones grow without end and need no attention.
    rows = conn.execute(
        text(
            "SELECT status, count(*) FROM notification WHERE status IN ('queued', 'sending', 'failed') GROUP BY status "
            "UNION ALL SELECT 'dead', count(*) FROM notification WHERE status IN ('failed', 'dead') AND status = 'dead'"
        )
    ).all()
    return {str(status): int(n) for status, n in rows}
