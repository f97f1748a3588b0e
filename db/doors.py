"""Doors to other jurisdictions' own systems, and the handovers sent through them.

A ``door`` row says how to reach a destination jurisdiction's system (``federation/`` speaks its protocol);
its API key is encrypted with a key derived from the app's secret (``PANTAU_SECRET_KEY`` or the generated
one), so the database alone never gives it away. A ``handover`` row is one forwarded report on its way
there: queued with the forward (in the same transaction, ``db/complaints.py``), claimed by the door worker
with a lease, then 'sent' with the remote ``service_request_id`` (and polled for its status) or 'failed'
with the error and the time of the next automatic try (none after ``MAX_ATTEMPTS``, or after an answer a
retry cannot change).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Connection, RowMapping, text

MAX_ATTEMPTS = 5  # automatic tries of one handover; an operator's "resend" starts again
MAX_BACKOFF_S = 3600.0
LEASE_S = 60.0  # a claimed handover is left to its worker this long (longer than a request may take)


class DoorKeyError(ValueError):
    """The stored key cannot be read with this app's secret (the secret changed): set the door again."""


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(b"pantau-door-key|" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_key(secret: str, api_key: str) -> str:
    return _fernet(secret).encrypt(api_key.encode()).decode()


def decrypt_key(secret: str, stored: str) -> str:
    try:
        return _fernet(secret).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise DoorKeyError(
            "the door's API key cannot be decrypted with this app's secret key (PANTAU_SECRET_KEY changed?); "
            "set it again with flask --app app door set"
        ) from None


def backoff(attempt: int, first_s: float) -> float:
    """Seconds before the next automatic try after ``attempt`` failed: ``first_s`` (PANTAU_NOTIFY_RETRY_S, as
    for messages), doubling, at most an hour."""
    return float(min(MAX_BACKOFF_S, first_s * 2 ** max(0, attempt - 1)))


# --- doors ------------------------------------------------------------------------------------------


def set_door(
    conn: Connection,
    code: str,
    *,
    protocol: str,
    base_url: str,
    api_key_encrypted: str,
    remote_jurisdiction: str | None,
    service_map: Mapping[str, str],
) -> None:
    """Create or replace the door of jurisdiction ``code`` (already checked by ``services/doors.py``)."""
    conn.execute(
        text(
            "INSERT INTO door (jurisdiction_code, protocol, base_url, remote_jurisdiction, api_key_encrypted, "
            "service_map) VALUES (:code, :protocol, :url, :jur, :key, CAST(:map AS jsonb)) "
            "ON CONFLICT (jurisdiction_code) DO UPDATE SET protocol = EXCLUDED.protocol, base_url = EXCLUDED.base_url, "
            "remote_jurisdiction = EXCLUDED.remote_jurisdiction, api_key_encrypted = EXCLUDED.api_key_encrypted, "
            "service_map = EXCLUDED.service_map, updated_at = now()"
        ),
        {
            "code": code,
            "protocol": protocol,
            "url": base_url,
            "jur": remote_jurisdiction,
            "key": api_key_encrypted,
            "map": json.dumps(dict(service_map)),
        },
    )


def remove_door(conn: Connection, code: str) -> bool:
    return bool(conn.execute(text("DELETE FROM door WHERE jurisdiction_code = :c"), {"c": code}).rowcount)


def door(conn: Connection, code: str) -> RowMapping | None:
    """The door of jurisdiction ``code`` with the jurisdiction's name, or None."""
    return (
        conn.execute(
            text(
                "SELECT d.*, j.name AS jurisdiction_name FROM door d JOIN jurisdiction j ON j.code = d.jurisdiction_code "
                "WHERE d.jurisdiction_code = :c"
            ),
            {"c": code},
        )
        .mappings()
        .first()
    )


def doors(conn: Connection) -> list[RowMapping]:
    """Every door with its jurisdiction's name and how many handovers are open or failed through it."""
    return list(
        conn.execute(
            text(
                "SELECT d.jurisdiction_code, j.name AS jurisdiction_name, d.protocol, d.base_url, "
                "d.remote_jurisdiction, d.service_map, d.updated_at, "
                "count(h.*) FILTER (WHERE h.state IN ('queued', 'sending', 'sent')) AS open_handovers, "
                "count(h.*) FILTER (WHERE h.state = 'failed') AS failed_handovers "
                "FROM door d JOIN jurisdiction j ON j.code = d.jurisdiction_code "
                "LEFT JOIN handover h ON h.jurisdiction_code = d.jurisdiction_code "
                "GROUP BY d.jurisdiction_code, j.name ORDER BY d.jurisdiction_code"
            )
        ).mappings()
    )


def has_door(conn: Connection, code: str) -> bool:
    return conn.execute(text("SELECT 1 FROM door WHERE jurisdiction_code = :c"), {"c": code}).first() is not None


# --- handovers ----------------------------------------------------------------------------------------


def queue_handover(conn: Connection, complaint_id: int, code: str) -> None:
    """Send ``complaint_id`` through the door of ``code`` as soon as a worker is free; a report already sent
    there keeps its remote id (the door asks the remote before creating it again)."""
    conn.execute(
        text(
            "INSERT INTO handover (complaint_id, jurisdiction_code) VALUES (:id, :code) "
            "ON CONFLICT (complaint_id) DO UPDATE SET jurisdiction_code = EXCLUDED.jurisdiction_code, "
            "state = 'queued', attempts = 0, next_attempt_at = now(), last_error = NULL, next_poll_at = NULL, "
            "remote_id = CASE WHEN handover.jurisdiction_code = EXCLUDED.jurisdiction_code "
            "THEN handover.remote_id END"
        ),
        {"id": complaint_id, "code": code},
    )


def cancel_handover(conn: Connection, complaint_id: int) -> None:
    """The report went elsewhere (or was closed here): stop sending and polling it."""
    conn.execute(
        text("UPDATE handover SET state = 'cancelled' WHERE complaint_id = :id AND state <> 'cancelled'"),
        {"id": complaint_id},
    )


def handover_of(conn: Connection, complaint_id: int) -> RowMapping | None:
    """A report's handover with its jurisdiction's name (for the complaint page), or None."""
    return (
        conn.execute(
            text(
                "SELECT h.*, j.name AS jurisdiction_name FROM handover h "
                "JOIN jurisdiction j ON j.code = h.jurisdiction_code WHERE h.complaint_id = :id"
            ),
            {"id": complaint_id},
        )
        .mappings()
        .first()
    )


# What a door sends: the report's public facts, never its reporter.
_CLAIM = text(
    "UPDATE handover h SET state = 'sending', attempts = h.attempts + 1, "
    "next_attempt_at = now() + make_interval(secs => :lease) "
    "FROM (SELECT complaint_id FROM handover WHERE state IN ('queued', 'sending', 'failed') "
    "AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) due "
    "WHERE h.complaint_id = due.complaint_id "
    "RETURNING h.complaint_id, h.jurisdiction_code, h.attempts, h.remote_id"
)


def claim_handover(conn: Connection, lease_s: float = LEASE_S) -> RowMapping | None:
    """The handover due first, now 'sending' under a lease, its attempt counted; None when none is due."""
    return conn.execute(_CLAIM, {"lease": lease_s}).mappings().first()


def report_to_send(conn: Connection, complaint_id: int) -> RowMapping:
    """The facts of a report a door sends (and whether it may still be sent: status and destination)."""
    return (
        conn.execute(
            text(
                "SELECT c.id, c.tracking_code, c.status, c.handover_to, c.description, c.address, c.confidential, "
                "ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon, cat.code AS category, "
                "(SELECT min(p.id) FROM photo p WHERE p.complaint_id = c.id AND p.kind = 'report') AS photo_id "
                "FROM complaint c JOIN category cat ON cat.id = c.category_id WHERE c.id = :id"
            ),
            {"id": complaint_id},
        )
        .mappings()
        .one()
    )


def record_sent(conn: Connection, complaint_id: int, remote_id: str, poll_in_s: float) -> None:
    conn.execute(
        text(
            "UPDATE handover SET state = 'sent', remote_id = :rid, last_error = NULL, "
            "next_poll_at = now() + make_interval(secs => :poll) WHERE complaint_id = :id"
        ),
        {"id": complaint_id, "rid": remote_id, "poll": poll_in_s},
    )


def record_failure(conn: Connection, complaint_id: int, error: str, retry_in_s: float | None) -> None:
    """'failed' with ``error``; tried again automatically in ``retry_in_s`` seconds, or never when None."""
    conn.execute(
        text(
            "UPDATE handover SET state = 'failed', last_error = :error, next_attempt_at = CASE "
            "WHEN CAST(:retry AS double precision) IS NULL THEN 'infinity'::timestamptz "
            "ELSE now() + make_interval(secs => CAST(:retry AS double precision)) END WHERE complaint_id = :id"
        ),
        {"id": complaint_id, "error": error[:2000], "retry": retry_in_s},
    )


def claim_polls(conn: Connection, limit: int, poll_s: float) -> list[RowMapping]:
    """Sent handovers whose remote status is due, grouped later by door; each next poll is set ahead now."""
    return list(
        conn.execute(
            text(
                "UPDATE handover h SET next_poll_at = now() + make_interval(secs => :poll) "
                "FROM (SELECT complaint_id FROM handover WHERE state = 'sent' AND next_poll_at <= now() "
                "ORDER BY next_poll_at LIMIT :limit FOR UPDATE SKIP LOCKED) due "
                "WHERE h.complaint_id = due.complaint_id "
                "RETURNING h.complaint_id, h.jurisdiction_code, h.remote_id, h.remote_status, h.poll_failures"
            ),
            {"limit": limit, "poll": poll_s},
        ).mappings()
    )


def record_poll(conn: Connection, complaint_id: int, remote_status: str | None, closed: bool) -> None:
    conn.execute(
        text(
            "UPDATE handover SET remote_status = coalesce(:status, remote_status), poll_failures = 0, "
            "state = CASE WHEN :closed THEN 'closed' ELSE state END WHERE complaint_id = :id"
        ),
        {"id": complaint_id, "status": remote_status, "closed": closed},
    )


def record_poll_failure(conn: Connection, complaint_ids: list[int], error: str, wait_s: float) -> None:
    """The remote could not be asked: each of these is asked again after ``wait_s`` seconds (backoff)."""
    conn.execute(
        text(
            "UPDATE handover SET poll_failures = poll_failures + 1, last_error = :error, "
            "next_poll_at = now() + make_interval(secs => :wait) WHERE complaint_id = ANY(:ids)"
        ),
        {"ids": complaint_ids, "error": error[:2000], "wait": wait_s},
    )


def handover_facts(row: Mapping[str, Any]) -> dict[str, Any]:
    """The handover fields the complaint page and the queue show."""
    return {
        k: row.get(k) for k in ("state", "attempts", "last_error", "remote_id", "remote_status", "jurisdiction_name")
    }
