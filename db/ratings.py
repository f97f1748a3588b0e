"""The reporter's verdict on finished work: satisfied or not (PUAS / TIDAK PUAS), and optionally 1 to 5.

Only the reporter rates: through their own link (``k``) on /lacak, or by an SMS reply from the number the report
came from. A rating is taken while the report may still be disputed (``db/tracking.DISPUTE_WINDOW`` after it was
finished) and may be changed in that time; it belongs to the reporter's own report (a report merged into another
is rated by its own reporter, for the work done on the survivor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from db.tracking import PublicView, is_reporter, public_view

# "PUAS", "puas 5", "TIDAK PUAS", "Tidak puas 2": the whole message, so a report that mentions the word is a report.
_SMS_RATING = re.compile(r"^\s*(tidak\s+puas|puas)\s*([1-5])?\s*[.!]?\s*$", re.I)
_RECENT_REPORTS = 20  # the sender's newest reports looked at for one that can be rated


class RatingError(ValueError):
    """A rating that cannot be taken; ``reason`` is ``not_reporter``, ``not_finished``, ``too_late``, ``bad_score``
    or ``nothing_to_rate`` (an SMS from a number with no finished report in the window)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rating:
    tracking_code: str
    satisfied: bool
    score: int | None
    changed: bool  # an earlier rating was replaced


def parse_sms_rating(message: str) -> tuple[bool, int | None] | None:
    """(satisfied, score) when the whole SMS is a rating, else None."""
    found = _SMS_RATING.match(message or "")
    if found is None:
        return None
    return not found.group(1).lower().startswith("tidak"), int(found.group(2)) if found.group(2) else None


def _store(conn: Connection, view: PublicView, satisfied: bool, score: int | None, via: str, now: datetime) -> Rating:
    if score is not None and not 1 <= score <= 5:
        raise RatingError("bad_score")
    if view.dispute_until is None:
        raise RatingError("not_finished")
    if not view.can_dispute(now):
        raise RatingError("too_late")
    earlier = conn.execute(
        text(
            "INSERT INTO complaint_rating (complaint_id, satisfied, score, via) VALUES (:id, :s, :n, :via) "
            "ON CONFLICT (complaint_id) DO UPDATE SET satisfied = EXCLUDED.satisfied, score = EXCLUDED.score, "
            "via = EXCLUDED.via, rated_at = now() RETURNING (xmax <> 0) AS changed"
        ),
        {"id": view.id, "s": satisfied, "n": score, "via": via},
    ).scalar_one()
    return Rating(view.tracking_code, satisfied, score, bool(earlier))


def rate_by_link(
    conn: Connection,
    code: str,
    satisfied: bool,
    score: int | None,
    *,
    token: str | None,
    secret: str,
    now: datetime | None = None,
) -> Rating:
    """The holder of the reporter's link rates the report ``code``; raises RatingError."""
    if not is_reporter(secret, code, token):
        raise RatingError("not_reporter")
    view = public_view(conn, code, reporter=True)
    if view is None:
        raise RatingError("not_finished")
    return _store(conn, view, satisfied, score, "link", now or datetime.now(UTC))


def rate_by_sms(
    conn: Connection, contacts: list[str], satisfied: bool, score: int | None, now: datetime | None = None
) -> Rating:
    """The sender (one of ``contacts``: the number as the gateway gives it and as the report may hold it) rates
    their newest report that is finished and still in the window; raises RatingError("nothing_to_rate")."""
    rows = conn.execute(
        text(
            "SELECT tracking_code FROM complaint WHERE reporter_contact = ANY(:contacts) AND NOT anonymous "
            "ORDER BY created_at DESC LIMIT :n"
        ),
        {"contacts": contacts, "n": _RECENT_REPORTS},
    ).scalars()
    moment = now or datetime.now(UTC)
    for code in rows:
        view = public_view(conn, code, reporter=True)
        if view is not None and view.can_dispute(moment):
            return _store(conn, view, satisfied, score, "sms", moment)
    raise RatingError("nothing_to_rate")


def rating_of(conn: Connection, complaint_id: int) -> RowMapping | None:
    return (
        conn.execute(
            text("SELECT satisfied, score, via, rated_at FROM complaint_rating WHERE complaint_id = :id"),
            {"id": complaint_id},
        )
        .mappings()
        .first()
    )


def satisfaction(conn: Connection, where: str, params: dict[str, Any]) -> dict[str, dict[int | None, tuple[int, int]]]:
    """(ratings, satisfied) per OPD id and per kecamatan id of the rated reports matching the leaders' filters."""
    rows = conn.execute(
        text(
            "SELECT GROUPING(c.opd_id) AS by_kecamatan, c.opd_id, c.kecamatan_id, count(*) AS ratings, "
            "count(*) FILTER (WHERE r.satisfied) AS satisfied "
            f"FROM complaint_rating r JOIN complaint c ON c.id = r.complaint_id WHERE {where} "
            "GROUP BY GROUPING SETS ((c.opd_id), (c.kecamatan_id))"
        ),
        params,
    ).all()
    found: dict[str, dict[int | None, tuple[int, int]]] = {"opd": {}, "kecamatan": {}}
    for r in rows:
        if r.by_kecamatan:
            found["kecamatan"][r.kecamatan_id] = (r.ratings, r.satisfied)
        else:
            found["opd"][r.opd_id] = (r.ratings, r.satisfied)
    return found
