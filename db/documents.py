"""The one writer and reader of ``document`` and ``document_upload`` (migration 0020; photos/document.py checks the files)."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from db.uploads import STAGED_HOURS


def find(conn: Connection, complaint_id: int, sha256: str) -> RowMapping | None:
    """The document already stored for this complaint with these bytes, if any."""
    return (
        conn.execute(
            text("SELECT id, byte_size, page_count FROM document WHERE complaint_id = :c AND sha256 = :s"),
            {"c": complaint_id, "s": sha256},
        )
        .mappings()
        .first()
    )


def insert(conn: Connection, row: dict[str, Any]) -> int | None:
    """Insert a document (``complaint_id, storage_key, sha256, byte_size, page_count, uploader_id, uploader_role``);
    None when a concurrent insert of the same bytes won."""
    return conn.execute(
        text(
            "INSERT INTO document (complaint_id, storage_key, sha256, byte_size, page_count, uploader_id, uploader_role) "
            "VALUES (:complaint_id, :storage_key, :sha256, :byte_size, :page_count, :uploader_id, :uploader_role) "
            "ON CONFLICT (complaint_id, sha256) DO NOTHING RETURNING id"
        ),
        row,
    ).scalar()


def listed(conn: Connection, complaint_id: int, public: bool = False) -> list[RowMapping]:
    """A complaint's documents, oldest first; ``public`` lists none of a confidential complaint's."""
    return list(
        conn.execute(
            text(
                "SELECT d.id, d.byte_size, d.page_count, d.uploader_role, d.created_at, c.confidential "
                "FROM document d JOIN complaint c ON c.id = d.complaint_id "
                "WHERE d.complaint_id = :id AND NOT (CAST(:public AS boolean) AND c.confidential) ORDER BY d.id"
            ),
            {"id": complaint_id, "public": public},
        ).mappings()
    )


def document(conn: Connection, document_id: int) -> dict[str, Any] | None:
    """A stored document with what decides who may see it (as ``db.wall.photo``)."""
    row = (
        conn.execute(
            text(
                "SELECT d.storage_key, d.sha256, c.confidential, c.tracking_code, "
                "c.opd_id, c.assignee_id, c.kecamatan_id, c.jurisdiction_id "
                "FROM document d JOIN complaint c ON c.id = d.complaint_id WHERE d.id = :id"
            ),
            {"id": document_id},
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def stage(conn: Connection, sha256: str, pdf: bytes, pages: int) -> str:
    """Keep a checked document that has no report yet; returns its token (old ones are dropped here)."""
    conn.execute(
        text("DELETE FROM document_upload WHERE created_at < now() - make_interval(hours => :h)"), {"h": STAGED_HOURS}
    )
    token = secrets.token_urlsafe(24)
    conn.execute(
        text("INSERT INTO document_upload (token, sha256, pdf, page_count) VALUES (:t, :s, :p, :n)"),
        {"t": token, "s": sha256, "p": pdf, "n": pages},
    )
    return token


def take(conn: Connection, token: str) -> RowMapping | None:
    """The staged document under ``token``, removed from the waiting list; None if it expired or was taken."""
    return (
        conn.execute(
            text(
                "DELETE FROM document_upload WHERE token = :t AND created_at >= now() - make_interval(hours => :h) "
                "RETURNING sha256, pdf, page_count"
            ),
            {"t": token, "h": STAGED_HOURS},
        )
        .mappings()
        .first()
    )


def discard(conn: Connection, token: str) -> None:
    """Forget a staged document the citizen removed from the form."""
    conn.execute(text("DELETE FROM document_upload WHERE token = :t"), {"t": token})


def touch_complaint(conn: Connection, complaint_id: int) -> None:
    """Bump the complaint's data version, so open screens list a new document."""
    conn.execute(text("UPDATE complaint SET updated_at = now() WHERE id = :id"), {"id": complaint_id})
