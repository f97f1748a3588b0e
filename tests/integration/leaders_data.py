"""Complaints for the leaders' figures, stored as they would stand after their history, and a hand-worked week."""

from __future__ import annotations

from sqlalchemy import Connection, text

# Kelurahan Sukarasa, Kecamatan Tangerang, Kota Tangerang; Babakan in the same kecamatan.
KELURAHAN = "3671011001"
# 2025-05-01 (Thursday) is Hari Buruh; 2025-05-03/04 a weekend; 2025-05-12/13 Waisak.
FIXTURE_WEEK = {"from": "2025-04-28", "to": "2025-05-09"}

_INSERT = text(
    """
    INSERT INTO complaint (tracking_code, geom, description, category_id, channel, status,
                           kelurahan_id, kecamatan_id, jurisdiction_id, opd_id,
                           created_at, first_response_at, completed_at, due_at, confidential, reporter_name)
    SELECT :code, ST_PointOnSurface(kel.geom), 'fixture', cat.id, :channel, :status,
           kel.id, kel.parent_id, kec.parent_id, o.id,
           CAST(:created AS timestamptz), CAST(:responded AS timestamptz), CAST(:completed AS timestamptz),
           pantau_add_working_days(CAST(:created AS timestamptz), cat.target_days), :confidential, :reporter
      FROM area kel JOIN area kec ON kec.id = kel.parent_id, category cat, opd o
     WHERE kel.code = :kelurahan AND cat.code = :category AND o.code = :opd
    RETURNING id
    """
)


def add(
    conn: Connection,
    code: str,
    status: str,
    created: str,
    responded: str | None = None,
    completed: str | None = None,
    *,
    category: str = "jalan_rusak",
    opd: str = "3671.DBMSDA",
    kelurahan: str = KELURAHAN,
    channel: str = "web",
    confidential: bool = False,
    reporter: str | None = None,
) -> int:
    """Store one fixture complaint as it would stand after its history (times in WIB)."""
    return int(
        conn.execute(
            _INSERT,
            {
                "code": code,
                "status": status,
                "created": created,
                "responded": responded,
                "completed": completed,
                "category": category,
                "opd": opd,
                "kelurahan": kelurahan,
                "channel": channel,
                "confidential": confidential,
                "reporter": reporter,
            },
        ).scalar_one()
    )


def add_week(conn: Connection, prefix: str = "FX") -> None:
    """Six complaints around the Hari Buruh holiday and a weekend; the expected values are worked out by hand below."""
    # Wed 10:00 → Fri 10:00 (Thu is a holiday): 14/24 + 10/24 = 1.0 working day to respond;
    # → Mon 16:00: 14/24 + 1 (Fri) + 16/24 = 2.25 to finish; target 7 working days: on time.
    add(conn, f"{prefix}-A", "selesai", "2025-04-30 10:00+07", "2025-05-02 10:00+07", "2025-05-05 16:00+07")
    # Fri 12:00 → Mon 18:00: 12/24 + 18/24 = 1.25; → Tue 12:00: 0.5 + 1 + 0.5 = 2.0; on time.
    add(conn, f"{prefix}-B", "selesai", "2025-05-02 12:00+07", "2025-05-05 18:00+07", "2025-05-06 12:00+07")
    # Sat 09:00 → Sun 20:00: 0 (weekend); → Thu 12:00: Mon + Tue + Wed + 0.5 = 3.5;
    # bencana has a 1-working-day target (due Mon 09:00): late.
    add(
        conn,
        f"{prefix}-C",
        "selesai",
        "2025-05-03 09:00+07",
        "2025-05-04 20:00+07",
        "2025-05-08 12:00+07",
        category="bencana",
        opd="3671.BPBD",
    )
    # Mon 08:00 → Mon 14:00: 0.25; still open and long past due.
    add(conn, f"{prefix}-D", "diteruskan", "2025-05-05 08:00+07", "2025-05-05 14:00+07", opd="3671.BPBD")
    # Never answered: not followed up, open, overdue.
    add(conn, f"{prefix}-E", "baru", "2025-05-06 09:00+07", opd="3671.BPBD", channel="sms")
    # Rejected after 6 hours: followed up (0.25), closed, not finished.
    add(conn, f"{prefix}-F", "ditolak", "2025-05-07 09:00+07", "2025-05-07 15:00+07", opd="3671.BPBD")
