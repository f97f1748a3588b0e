"""Configuring doors to other jurisdictions' systems: one checked input for the CLI and the admin page.

``set_door`` checks everything an admin typed (the jurisdiction exists and is not one Pantau serves, the
protocol is known, the URL is http(s), the key is given, each mapped category is Pantau's) and raises
``DoorInputError`` naming the field; the API key is stored encrypted (``db/doors.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import RowMapping

from db import doors as db_doors
from db.audit import record
from db.complaints import Actor, category_ids
from db.engine import get_engine
from db.jurisdictions import destination
from db.models import DOOR_PROTOCOLS

_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
_SERVICE_CODE = re.compile(r"^[^\s\x00]{1,64}$")
MAX_URL = 2000
MAX_KEY = 500


class DoorInputError(ValueError):
    """Bad door settings; ``field`` names the one to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_map(items: Sequence[str]) -> dict[str, str]:
    """``kategori=code`` pairs as typed; raises DoorInputError for one without ``=`` or with a blank side."""
    mapping: dict[str, str] = {}
    for item in items:
        category, sep, code = item.partition("=")
        if not sep or not category.strip() or not code.strip():
            raise DoorInputError("map", f"{item!r}: write CATEGORY=SERVICE_CODE, e.g. jalan_rusak=pothole")
        mapping[category.strip()] = code.strip()
    return mapping


def set_door(
    code: str,
    *,
    protocol: str,
    base_url: str,
    api_key: str,
    remote_jurisdiction: str | None,
    service_map: Mapping[str, str],
    secret: str,
    actor: Actor,
) -> RowMapping:
    """Create or replace the door of jurisdiction ``code``; the stored door (without its key)."""
    code, base_url, api_key = code.strip(), base_url.strip(), api_key.strip()
    if protocol not in DOOR_PROTOCOLS:
        raise DoorInputError("protocol", f"unknown protocol {protocol!r}; known: {', '.join(DOOR_PROTOCOLS)}")
    if len(base_url) > MAX_URL or not _URL.match(base_url):
        raise DoorInputError(
            "url", f"{base_url[:100]!r} is not an http(s) URL, e.g. https://lapor.kota.go.id/open311/v2"
        )
    if not api_key or len(api_key) > MAX_KEY or "\x00" in api_key:
        raise DoorInputError(
            "api_key", f"the key the other system gave Pantau is required (at most {MAX_KEY} characters)"
        )
    jurisdiction = (remote_jurisdiction or "").strip() or None
    if jurisdiction is not None and (len(jurisdiction) > 200 or "\x00" in jurisdiction):
        raise DoorInputError("jurisdiction_id", "at most 200 characters")
    with get_engine().begin() as conn:
        place = destination(conn, code)
        if place is None:
            raise DoorInputError("code", f"unknown jurisdiction {code[:64]!r}: a Kemendagri code such as 3674 or 31")
        if place.served:
            raise DoorInputError("code", f"{place.name} ({code}) is served by this Pantau: it needs no door")
        known = category_ids(conn)
        unknown = sorted(c for c in service_map if c not in known)
        if unknown:
            raise DoorInputError("map", f"unknown category {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        bad = sorted(v for v in service_map.values() if not _SERVICE_CODE.match(v))
        if bad:
            raise DoorInputError("map", f"service code {bad[0][:64]!r}: 1 to 64 characters without spaces")
        db_doors.set_door(
            conn,
            place.code,
            protocol=protocol,
            base_url=base_url,
            api_key_encrypted=db_doors.encrypt_key(secret, api_key),
            remote_jurisdiction=jurisdiction,
            service_map=service_map,
        )
        record(conn, "door_set", actor=actor, target=place.code, detail={"url": base_url, "protocol": protocol})
        stored = db_doors.door(conn, place.code)
    assert stored is not None
    return stored


def remove_door(code: str, actor: Actor) -> None:
    """Remove the door of ``code``; raises DoorInputError when there is none."""
    with get_engine().begin() as conn:
        if not db_doors.remove_door(conn, code.strip()):
            raise DoorInputError("code", f"no door for {code.strip()[:64]!r}")
        record(conn, "door_removed", actor=actor, target=code.strip())


def list_doors() -> list[dict[str, Any]]:
    """Every door, its mapping and handovers, never its key."""
    with get_engine().connect() as conn:
        return [dict(row) for row in db_doors.doors(conn)]
