"""The export of a report handed over by hand, for the office it went to: a one-page PDF and a GeoJSON point.

The export leaves the building, so it follows the rule of the doors (SECURITY.md, "Forwarded through a
door"): it never carries the reporter (name, contact, or whether the report was anonymous), and a
confidential report carries its place and category only: no description, address or photos. Who may
export is ``services/permissions.py`` (``handover_refusal``); the export is audited like every other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from db.accounts import StaffUser
from db.complaints import WIB, NotFound
from db.workflow import detail
from i18n import t
from photos.one_page_pdf import Sheet, one_page_pdf
from photos.store import get_store
from services.permissions import handover_refusal

MAX_THUMBNAILS = 3  # a row across the page's foot


class HandoverRefused(Exception):
    """``kind`` "forbidden" (403: the role or the report's place) or "not_handed" (409: not handed over by hand)."""

    def __init__(self, kind: str, message: str, status: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Handover:
    """What goes to the office: never the reporter; ``description``, ``address`` and ``photos`` are None/empty
    for a confidential report."""

    code: str
    status: str
    confidential: bool
    created_at: datetime
    forwarded_at: datetime | None
    due: datetime | None
    category: str
    category_name_id: str
    category_name_en: str
    lat: float | None
    lon: float | None
    kelurahan: str | None
    kecamatan: str | None
    kota: str | None
    address: str | None
    description: str | None
    to_code: str
    to_name: str
    office: str | None
    office_person: str | None
    office_contact: str | None
    photo_keys: tuple[str, ...]


def handover_of(conn: Connection, user: StaffUser | None, code: str) -> Handover:
    """Complaint ``code``'s handover as it may leave the building; raises NotFound or HandoverRefused."""
    row = detail(conn, code)
    why = handover_refusal(user, row)
    if why is not None:
        raise HandoverRefused("forbidden", why)
    if not row["handover_to"] or row["door_state"] is not None:
        raise HandoverRefused(
            "not_handed",
            "not handed over by hand: forward it to a jurisdiction Pantau does not serve and that has no door",
            row["status"],
        )
    hidden = bool(row["confidential"])
    facts = conn.execute(
        text(
            "SELECT (SELECT max(at) FROM complaint_event WHERE complaint_id = :id AND kind = 'forwarded') AS at, "
            "ARRAY(SELECT thumb_key FROM photo WHERE complaint_id = :id AND kind = 'report' "
            "ORDER BY created_at, id LIMIT :n) AS thumbs"
        ),
        {"id": row["id"], "n": MAX_THUMBNAILS},
    ).one()
    return Handover(
        code=row["tracking_code"],
        status=row["status"],
        confidential=hidden,
        created_at=row["created_at"],
        forwarded_at=facts.at,
        due=row["handover_due"],
        category=row["category_code"],
        category_name_id=row["category_name_id"],
        category_name_en=row["category_name_en"],
        lat=row["lat"],
        lon=row["lon"],
        kelurahan=row["kelurahan"],
        kecamatan=row["kecamatan"],
        kota=row["kota"],
        address=None if hidden else row["address"],
        description=None if hidden else row["description"],
        to_code=row["handover_to"],
        to_name=row["handover_name"] or row["handover_to"],
        office=row["handover_office"],
        office_person=row["handover_person"],
        office_contact=row["handover_contact"],
        photo_keys=() if hidden else tuple(k for k in facts.thumbs if k),
    )


def _when(moment: datetime | None) -> str | None:
    return moment.astimezone(WIB).isoformat(timespec="seconds") if moment else None


def handover_feature(handover: Handover) -> dict[str, Any]:
    """The report as one GeoJSON Feature (RFC 7946: a Point in WGS 84, longitude first); codes, not words."""
    geometry = {"type": "Point", "coordinates": [handover.lon, handover.lat]} if handover.lat is not None else None
    properties = {
        "code": handover.code,
        "status": handover.status,
        "created_at": _when(handover.created_at),
        "forwarded_at": _when(handover.forwarded_at),
        "follow_up_by": _when(handover.due),
        "category": handover.category,
        "category_name": handover.category_name_id,
        "kelurahan": handover.kelurahan,
        "kecamatan": handover.kecamatan,
        "kota": handover.kota,
        "address": handover.address,
        "description": handover.description,
        "confidential": handover.confidential,
        "handed_to": {
            "jurisdiction_code": handover.to_code,
            "jurisdiction": handover.to_name,
            "office": handover.office,
            "person": handover.office_person,
            "contact": handover.office_contact,
        },
    }
    return {"type": "Feature", "id": handover.code, "geometry": geometry, "properties": properties}


def _date(moment: datetime | None) -> str:
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M WIB") if moment else "—"


def handover_pdf(handover: Handover, lang: str) -> bytes:
    """The report on one A4 page, in ``lang``, with up to three of its report photos as thumbnails."""
    place = ", ".join(p for p in (handover.kelurahan, handover.kecamatan, handover.kota) if p)
    point = f"{handover.lat:.6f}, {handover.lon:.6f}" if handover.lat is not None and handover.lon is not None else "—"
    withheld = t("handover.withheld", lang)
    who = ", ".join(x for x in (handover.office_person, handover.office_contact) if x)
    rows = [
        (t("handover.code", lang), handover.code),
        (t("handover.received", lang), _date(handover.created_at)),
        (t("handover.forwarded", lang), _date(handover.forwarded_at)),
        (t("handover.due", lang), _date(handover.due)),
        (t("handover.to", lang), f"{handover.to_name} ({handover.to_code})"),
        (t("handover.office", lang), handover.office or "—"),
        (t("handover.contact", lang), who or "—"),
        (t("handover.category", lang), handover.category_name_en if lang == "en" else handover.category_name_id),
        (t("handover.point", lang), point),
        (t("handover.area", lang), place or "—"),
        (t("handover.address", lang), withheld if handover.confidential else handover.address or "—"),
        (t("handover.description", lang), withheld if handover.confidential else handover.description or "—"),
    ]
    store = get_store()
    thumbnails = [store.get(key) for key in handover.photo_keys]
    sheet = Sheet(
        title=t("handover.title", lang, code=handover.code),
        subtitle=t("handover.subtitle", lang),
        rows=rows,
        thumbnails=thumbnails,
        footer=t("handover.footer", lang, at=_date(datetime.now(WIB))),
    )
    return one_page_pdf(sheet)


__all__ = ["Handover", "HandoverRefused", "NotFound", "handover_feature", "handover_of", "handover_pdf"]
