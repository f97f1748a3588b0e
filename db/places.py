"""Places people name instead of pinning, the name of the place a pin is in, and the outlines the report map draws."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

_PREFIX = re.compile(r"^(kelurahan|kel\.?|desa|ds\.?)\s+", re.I)


def normalise_place(name: str) -> str:
    """Lower case, single spaces, no 'Kel.'/'Kelurahan' prefix and no punctuation at the ends."""
    cleaned = " ".join(name.replace("_", " ").split()).strip(" .,;:-").lower()
    return _PREFIX.sub("", cleaned)


@dataclass(frozen=True)
class Place:
    """A kelurahan found by name, with a point inside it (``ST_PointOnSurface``)."""

    code: str
    name: str
    lat: float
    lon: float


def kelurahan_by_name(conn: Connection, name: str) -> list[Place]:
    """Every kelurahan whose name matches ``name`` ignoring case, spacing and a 'Kel.' prefix.

    More than one result means the name is ambiguous (e.g. two cities each have a Babakan);
    "<kelurahan>, <kecamatan>" or "<kelurahan> <kecamatan>" narrows it down.
    """
    wanted = normalise_place(name)
    if not wanted:
        return []
    rows = conn.execute(
        text(
            "WITH kel AS ("
            "  SELECT k.code, k.name, k.geom, lower(regexp_replace(k.name, '\\s+', ' ', 'g')) AS kel_name,"
            "         lower(regexp_replace(coalesce(kec.name, ''), '\\s+', ' ', 'g')) AS kec_name"
            "    FROM area k LEFT JOIN area kec ON kec.id = k.parent_id WHERE k.level = 'kelurahan')"
            " SELECT code, name, ST_Y(p) AS lat, ST_X(p) AS lon, kel_name = :w AS exact"
            "   FROM kel, LATERAL ST_PointOnSurface(geom) p"
            "  WHERE kel_name = :w OR :w IN (kel_name || ' ' || kec_name, kel_name || ', ' || kec_name)"
            "  ORDER BY code"
        ),
        {"w": wanted},
    ).all()
    # A kelurahan's own name beats "<kelurahan> <kecamatan>" of another one.
    chosen = [r for r in rows if r.exact] or rows
    return [Place(r.code, r.name, float(r.lat), float(r.lon)) for r in chosen]


def kelurahan_options(conn: Connection) -> list[dict[str, Any]]:
    """Every kelurahan as a dropdown option: label 'Kelurahan, Kecamatan, Kota', value its code."""
    rows = conn.execute(
        text(
            "SELECT k.code, k.name, kec.name AS kecamatan, kota.name AS kota"
            "  FROM area k JOIN area kec ON kec.id = k.parent_id LEFT JOIN area kota ON kota.id = kec.parent_id"
            " WHERE k.level = 'kelurahan' ORDER BY k.name, kec.name"
        )
    ).all()
    return [{"label": f"{r.name}, {r.kecamatan}" + (f", {r.kota}" if r.kota else ""), "value": r.code} for r in rows]


def kelurahan_point(conn: Connection, code: str) -> tuple[float, float] | None:
    """A point inside the kelurahan with this code, as (lat, lon)."""
    row = conn.execute(
        text(
            "SELECT ST_Y(p) AS lat, ST_X(p) AS lon FROM area, LATERAL ST_PointOnSurface(geom) p"
            " WHERE level = 'kelurahan' AND code = :c"
        ),
        {"c": code},
    ).first()
    return None if row is None else (float(row.lat), float(row.lon))


@dataclass(frozen=True)
class PinPlace:
    """Where a point is routed: its kelurahan and that kelurahan's kecamatan and city, by name."""

    code: str
    kelurahan: str
    kecamatan: str
    kota: str


def place_at(conn: Connection, lon: float, lat: float) -> PinPlace | None:
    """The kelurahan a report at this point would be routed to (``pantau_route_point``), or None outside them all."""
    row = conn.execute(
        text(
            "SELECT kel.code, kel.name, coalesce(kec.name, '') AS kecamatan, coalesce(kota.name, '') AS kota"
            "  FROM pantau_route_point(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) r"
            "  JOIN area kel ON kel.id = r.kelurahan_id"
            "  LEFT JOIN area kec ON kec.id = r.kecamatan_id"
            "  LEFT JOIN area kota ON kota.id = r.jurisdiction_id"
        ),
        {"lon": lon, "lat": lat},
    ).first()
    return None if row is None else PinPlace(row.code, row.name, row.kecamatan, row.kota)


def kelurahan_outlines(conn: Connection, tolerance: float = 0.0004) -> dict[str, Any]:
    """Simplified kelurahan boundaries as a GeoJSON FeatureCollection, with their extent in ``bbox``."""
    rows = conn.execute(
        text(
            "SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :tol), 5) AS g,"
            "       ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1"
            "  FROM area WHERE level = 'kelurahan' AND geom IS NOT NULL"
        ),
        {"tol": tolerance},
    ).all()
    bbox = (
        [min(r.x0 for r in rows), min(r.y0 for r in rows), max(r.x1 for r in rows), max(r.y1 for r in rows)]
        if rows
        else None
    )
    return {
        "type": "FeatureCollection",
        "bbox": bbox,
        "features": [{"type": "Feature", "properties": {}, "geometry": json.loads(r.g)} for r in rows],
    }
