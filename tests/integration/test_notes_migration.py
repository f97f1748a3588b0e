"""Migration 0018's rule: notes written before it become internal, except the reasons the reporter was shown.

The test runs the very SQL the migration runs (db/migrations/versions/0019_notes.sql) on a history written
as it was before: every note marked internal, as the new column starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from db.complaints import NewComplaint, create_complaint
from tests.integration.staff import point_in

RULE = Path(__file__).resolve().parents[2] / "db/migrations/versions/0019_notes.sql"


def _event(conn: Connection, cid: int, kind: str, note: str, role: str = "operator", **data: Any) -> None:
    conn.execute(
        text(
            "INSERT INTO complaint_event (complaint_id, kind, actor_role, to_status, note, data, note_public) "
            "VALUES (:cid, :kind, :role, :to, :note, CAST(:data AS jsonb), false)"
        ),
        {"cid": cid, "kind": kind, "role": role, "to": data.pop("to", None), "note": note, "data": json.dumps(data)},
    )


def test_existing_notes_become_internal_and_public_reasons_stay_public(conn: Connection) -> None:
    lon, lat = point_in(conn.engine)
    cid = create_complaint(conn, NewComplaint(category="jalan_rusak", description="uji migrasi", lon=lon, lat=lat)).id
    _event(conn, cid, "verified", "sudah dicek ke lokasi", action="verify")
    _event(conn, cid, "assigned", "bawa tangga", action="assign")
    _event(conn, cid, "forwarded", "wewenang Dishub", action="forward", reason="wewenang Dishub")
    _event(conn, cid, "status_changed", "bukan wewenang kota", action="reject", reason="bukan wewenang kota")
    _event(conn, cid, "merged", "sama dengan laporan lain", action="duplicate", reason="sama dengan laporan lain")
    _event(conn, cid, "status_changed", "catatan di samping alasan", action="reject", reason="alasan lain")
    _event(conn, cid, "status_changed", "kontraktor dihubungi", action="reopen", reason="kontraktor dihubungi")
    _event(conn, cid, "status_changed", "sudah ditambal", action="complete")
    _event(conn, cid, "disputed", "belum selesai", role="public", action="dispute", reason="belum selesai")
    _event(conn, cid, "status_changed", "sudah dilaporkan warga lain", role="demo", to="duplikat")  # the demo's

    conn.execute(text(RULE.read_text()))

    notes = dict(
        conn.execute(
            text("SELECT note, note_public FROM complaint_event WHERE complaint_id = :c AND note IS NOT NULL"),
            {"c": cid},
        ).all()
    )
    assert {note for note, public in notes.items() if public} == {
        "wewenang Dishub",
        "bukan wewenang kota",
        "sama dengan laporan lain",
        "sudah dilaporkan warga lain",
    }
    assert notes["sudah dicek ke lokasi"] is False and notes["catatan di samping alasan"] is False
