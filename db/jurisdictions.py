"""Every province, kabupaten and kota of Indonesia: where a report can be forwarded, and which of them Pantau serves.

A kota Pantau serves has boundaries (``area``) and agencies; forwarding there routes the report as a new one
there. Every other jurisdiction is reached by a manual handover (``db/complaints.py`` ``transition``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, RowMapping, text

from db.sql import sql

COLUMNS = ("kode", "level", "nama", "kode_provinsi")
HANDOVER_WORKING_DAYS = 5  # a manual handover is followed up after the agencies' follow-up target (LAPOR!: 5)


class JurisdictionFileError(ValueError):
    """The jurisdictions file is missing or not the Kemendagri list's shape."""


@dataclass(frozen=True)
class HandedTo:
    """Who a report handed over by hand was given to: the office, a person there (optional), a phone or e-mail."""

    office: str
    contact: str
    person: str | None = None


@dataclass(frozen=True)
class Destination:
    code: str
    level: str
    name: str
    served: bool  # Pantau has its boundaries and agencies: forwarding routes the report there
    door: bool  # reached through its own system (db/doors.py)

    @property
    def by_hand(self) -> bool:
        """Forwarding there is a handover by hand (an office and a contact named by the operator)."""
        return not self.served and not self.door


def read_jurisdictions(path: Path) -> list[dict[str, str]]:
    """The rows of ``path`` (columns kode, level, nama, kode_provinsi), checked; raises JurisdictionFileError."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise JurisdictionFileError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = [{c: (row[c] or "").strip() for c in COLUMNS} for row in reader]
    except OSError as exc:
        raise JurisdictionFileError(f"{path}: {exc.strerror or exc}") from exc
    for number, row in enumerate(rows, start=2):
        digits = 2 if row["level"] == "provinsi" else 4
        if row["level"] not in ("provinsi", "kabupaten", "kota") or not (
            row["kode"].isdigit() and len(row["kode"]) == digits
        ):
            raise JurisdictionFileError(f"{path}:{number}: not a Kemendagri code and level: {row['kode']!r}")
        if not row["nama"] or row["kode"][:2] != row["kode_provinsi"]:
            raise JurisdictionFileError(f"{path}:{number}: no name, or a province code that is not the code's own")
    return rows


def load_jurisdictions(conn: Connection, path: Path) -> int:
    """Upsert every row of ``path`` (names change; codes do not); returns how many the table holds."""
    rows = read_jurisdictions(path)
    conn.execute(
        text(
            "INSERT INTO jurisdiction (code, level, name, province_code) "
            "SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:levels AS text[]), CAST(:names AS text[]), "
            "CAST(:provinces AS text[])) "
            "ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, name = EXCLUDED.name, "
            "province_code = EXCLUDED.province_code"
        ),
        {
            "codes": [r["kode"] for r in rows],
            "levels": [r["level"] for r in rows],
            "names": [r["nama"] for r in rows],
            "provinces": [r["kode_provinsi"] for r in rows],
        },
    )
    return int(conn.execute(text("SELECT count(*) FROM jurisdiction")).scalar_one())


def destination(conn: Connection, code: str) -> Destination | None:
    """The jurisdiction ``code`` (a served kota even when the list is not loaded); None when unknown."""
    row = conn.execute(sql("jurisdiction_destination"), {"code": code}).mappings().first()
    return Destination(**row) if row else None


def destinations(conn: Connection) -> list[RowMapping]:
    """Every destination: the served cities first, then the rest by province and name."""
    return list(conn.execute(sql("jurisdiction_destinations")).mappings())


def suggestion(conn: Connection, complaint_id: int) -> RowMapping | None:
    """For a report outside every loaded boundary: the served city that contains it, else the nearest one,
    with the distance in metres (0 inside); None when no boundary is loaded."""
    return conn.execute(sql("jurisdiction_suggestion"), {"id": complaint_id}).mappings().first()
