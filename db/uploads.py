"""Photos waiting for their report: a citizen's photo is processed when chosen, kept here under a random
token, and stored with the report when the form is sent (``photos.upload.attach_staged``).

A photo whose report never comes is deleted after ``STAGED_HOURS``, by the next upload.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection, RowMapping, text

STAGED_HOURS = 24


def stage_upload(conn: Connection, photo: dict[str, Any]) -> str:
    """Keep a processed photo (``sha256, source_mime, jpeg, thumb, width, height, lon, lat``); returns its token."""
    conn.execute(
        text("DELETE FROM photo_upload WHERE created_at < now() - make_interval(hours => :h)"), {"h": STAGED_HOURS}
    )
    token = secrets.token_urlsafe(24)
    conn.execute(
        text(
            "INSERT INTO photo_upload (token, sha256, source_mime, jpeg, thumb, width, height, gps) "
            "VALUES (:token, :sha256, :source_mime, :jpeg, :thumb, :width, :height, CASE WHEN CAST(:lon AS double precision) "
            "IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(CAST(:lon AS double precision), CAST(:lat AS double precision)), 4326) END)"
        ),
        {**photo, "token": token},
    )
    return token


def take_upload(conn: Connection, token: str) -> RowMapping | None:
    """The staged photo under ``token``, removed from the waiting list; None if it expired or was taken."""
    return (
        conn.execute(
            text(
                "DELETE FROM photo_upload WHERE token = :t AND created_at >= now() - make_interval(hours => :h) "
                "RETURNING sha256, source_mime, jpeg, thumb, width, height, ST_X(gps) AS lon, ST_Y(gps) AS lat"
            ),
            {"t": token, "h": STAGED_HOURS},
        )
        .mappings()
        .first()
    )


def discard_upload(conn: Connection, token: str) -> None:
    """Forget a staged photo the citizen removed from the form."""
    conn.execute(text("DELETE FROM photo_upload WHERE token = :t"), {"t": token})
