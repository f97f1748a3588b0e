"""Routing complaints to kelurahan, kecamatan, jurisdiction and OPD, in PostGIS.

The rules live in the SQL functions ``pantau_route_point`` and
``pantau_route_opd`` (migration 0001); this module runs them for one point or
for every open complaint at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from db.sql import sql


@dataclass(frozen=True)
class Route:
    kelurahan_code: str | None
    kecamatan_code: str | None
    kota_code: str | None
    method: str | None

    @property
    def inside(self) -> bool:
        return self.kelurahan_code is not None


@dataclass(frozen=True)
class RerouteResult:
    changed: int


def route_point(conn: Connection, lon: float, lat: float) -> Route:
    """Where a point belongs, without storing anything."""
    row = conn.execute(
        text(
            "SELECT kel.code, kec.code, kota.code, r.method "
            "FROM pantau_route_point(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) r "
            "JOIN area kel ON kel.id = r.kelurahan_id "
            "LEFT JOIN area kec ON kec.id = r.kecamatan_id "
            "LEFT JOIN area kota ON kota.id = r.jurisdiction_id"
        ),
        {"lon": lon, "lat": lat},
    ).first()
    if row is None:
        return Route(None, None, None, None)
    return Route(*row)


def reroute_open_complaints(conn: Connection) -> RerouteResult:
    """Re-route all open complaints against the current boundaries (set-based)."""
    changed = conn.execute(sql("reroute_open")).rowcount
    return RerouteResult(changed=changed)
