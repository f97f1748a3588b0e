"""What Open311 GeoReport v2 reads: services (categories), their extra questions, and service requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, text

from db.sql import sql
from db.status import CLOSED_STATUSES, OPEN_STATUSES

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Question:
    """One extra question of a service (an Open311 service-definition attribute)."""

    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    description: str
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for the list types


# The categories whose reports need more than a description and a place.
QUESTIONS: dict[str, tuple[Question, ...]] = {
    "jalan_rusak": (
        Question(
            "ukuran_kerusakan",
            "singlevaluelist",
            "Seberapa luas kerusakan jalan?",
            values=(
                ("kecil", "Kecil (kurang dari 50 cm)"),
                ("sedang", "Sedang (50 cm - 2 m)"),
                ("besar", "Besar (lebih dari 2 m)"),
            ),
        ),
    ),
    "banjir_drainase": (Question("tinggi_air_cm", "number", "Perkiraan tinggi genangan, dalam cm"),),
    "pohon_tumbang": (
        Question(
            "menutup_jalan", "singlevaluelist", "Apakah pohon menutup jalan?", True, (("ya", "Ya"), ("tidak", "Tidak"))
        ),
    ),
    "bencana": (
        Question(
            "ada_korban",
            "singlevaluelist",
            "Apakah ada korban jiwa atau luka?",
            True,
            (("ya", "Ya"), ("tidak", "Tidak"), ("tidak_tahu", "Tidak tahu")),
        ),
    ),
}


def answered(category: str, answers: object) -> list[tuple[str, str]]:
    """The stored answers to ``category``'s questions as (question, answer) in the questions' order, each value
    by its listed name; an answer to a question the category no longer asks is shown by its code."""
    if not isinstance(answers, dict) or not answers:
        return []
    asked = {q.code: q for q in QUESTIONS.get(category, ())}
    lines = []
    for code in [*(c for c in asked if c in answers), *sorted(c for c in answers if c not in asked)]:
        question = asked.get(code)
        raw = answers[code]
        values = raw if isinstance(raw, list) else [raw]
        names = dict(question.values) if question else {}
        lines.append((question.description if question else code, ", ".join(names.get(str(v), str(v)) for v in values)))
    return lines


def services(conn: Connection, kota: str | None = None) -> list[RowMapping]:
    """Active categories with the short names of the OPDs that take them (in ``kota`` only, when given)."""
    return list(
        conn.execute(
            text(
                "SELECT cat.code, cat.name_id, cat.name_en, cat.target_days, "
                "       string_agg(o.short_name, ' / ' ORDER BY o.code) AS opds "
                "  FROM category cat "
                "  LEFT JOIN category_opd co ON co.category_id = cat.id "
                "  LEFT JOIN opd o ON o.id = co.opd_id AND (CAST(:kota AS text) IS NULL "
                "       OR o.jurisdiction_id = (SELECT id FROM area WHERE level = 'kota' AND code = CAST(:kota AS text))) "
                " WHERE cat.active GROUP BY cat.id ORDER BY cat.id"
            ),
            {"kota": kota},
        ).mappings()
    )


def kota_codes(conn: Connection) -> set[str]:
    return set(conn.execute(text("SELECT code FROM area WHERE level = 'kota'")).scalars())


@dataclass
class RequestFilter:
    """GET requests: every field None means "any"; ``viewer`` is the calling API key's name."""

    codes: list[str] | None = None
    service_codes: list[str] | None = None
    statuses: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    kota: str | None = None
    viewer: str | None = None
    external_id: str | None = None  # the sender's own id (its key's requests only)
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


def statuses_for(open_closed: str) -> list[str]:
    """Pantau statuses behind Open311's ``open`` (red, yellow) or ``closed`` (green, grey)."""
    chosen = OPEN_STATUSES if open_closed == "open" else CLOSED_STATUSES
    return sorted(s.value for s in chosen)


def list_requests(conn: Connection, f: RequestFilter) -> list[RowMapping]:
    """One page of service requests, newest first."""
    min_lon, min_lat, max_lon, max_lat = f.bbox or (None, None, None, None)
    return list(
        conn.execute(
            sql("open311_requests"),
            {
                "codes": [c.upper() for c in f.codes] if f.codes is not None else None,
                "viewer": f.viewer,
                "external_id": f.external_id,
                "service_codes": f.service_codes,
                "statuses": f.statuses,
                "start": f.start,
                "end": f.end,
                "min_lon": min_lon,
                "min_lat": min_lat,
                "max_lon": max_lon,
                "max_lat": max_lat,
                "kota": f.kota,
                "limit": f.page_size,
                "offset": (f.page - 1) * f.page_size,
            },
        ).mappings()
    )


def notice_facts(conn: Connection, complaint_id: int) -> RowMapping:
    """The office and due date a new request's ``service_notice`` names."""
    return (
        conn.execute(
            text(
                "SELECT o.name AS opd_name, c.due_at FROM complaint c LEFT JOIN opd o ON o.id = c.opd_id WHERE c.id = :i"
            ),
            {"i": complaint_id},
        )
        .mappings()
        .one()
    )
