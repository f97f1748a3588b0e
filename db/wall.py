"""What the live-room wall screen reads: boundaries, markers within a budget, counts, side panels, changes, cards.

The query functions take a connection and return plain values. The
``cached_*`` functions wrap them for the web app: they open their own
connection and keep results in the app's flask-caching store keyed by the
data version (or, for boundaries, by the last boundary update), so any number
of open wall screens costs the database one query per change, not one per
screen.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, TextClause, text

from db.cache import cached, kept
from db.engine import data_version, read_connection
from db.map_rows import AreaStat, Bounds, Marker, rank
from db.sql import fill_statuses, sql
from db.status import Colour, colour_of

T = TypeVar("T")

# How many complaints the map draws one by one; the rest show in the per-area shading.
OPEN_BUDGET = 2000
GREEN_BUDGET = 600
GREY_BUDGET = 300
# Finished complaints stay on the map this long.
RECENT_DAYS = 7
# More changes than this in one tick and the wall redraws instead of patching.
CHANGE_LIMIT = 400
PANEL_SIZE = 6
# Simplification for display: about 30 m, a pixel or two at city zoom.
TOLERANCE_DEG = 0.0003

VERSION_TTL_S = 1
BOUNDARY_STAMP_TTL_S = 60
DATA_TTL_S = 600
# Each worker also keeps the shared answers a tick reads in its own memory, at most this long: about a dozen
# reads of the shared cache a tick (and as many unpicklings) become one per worker and version. A value that
# is not named by a data version (a scope, the boundary stamp, counts that age) reaches a worker that much later.
WORKER_KEEP_S = 10


class UnknownArea(LookupError):
    """A ``kota=`` or ``kecamatan=`` code that names no loaded area."""


@dataclass(frozen=True)
class WallArea:
    """The part of the map a wall screen follows: everything, one kota or one kecamatan (official codes)."""

    kota: str | None = None
    kecamatan: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kota or '-'}/{self.kecamatan or '-'}"


@dataclass(frozen=True)
class Resolved:
    kind: str  # "all", "kota" or "kecamatan"
    area_id: int | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {"scope_id": self.area_id}


@dataclass(frozen=True)
class Entry:
    """A complaint as a side panel lists it, and as a tick reports its change."""

    marker: Marker
    created_at: datetime
    completed_at: datetime | None
    category: dict[str, str]
    kelurahan: str | None
    kelurahan_id: int | None
    kecamatan_id: int | None
    report_photo: int | None
    completion_photo: int | None
    channel: str | None = None  # how it came in (web, sms, call_centre…): the room sees a phone report arrive

    @property
    def id(self) -> int:
        return self.marker.id

    @property
    def colour(self) -> Colour:
        return colour_of(self.marker.status)


@dataclass(frozen=True)
class Changes:
    """What changed between two data versions, as a wall may show it.

    ``entries`` are the complaints it may draw (never a confidential one); ``areas``
    holds the (kecamatan id, kelurahan id) of every change, confidential ones
    included, so the shading still moves; ``count`` is how many changes there were.
    ``complete`` is false when the tokens of some of those versions are pruned
    (db/change_tokens.py): the wall must redraw, the changes cannot tell it all.
    """

    entries: list[Entry]
    areas: list[tuple[int | None, int | None]]
    count: int
    complete: bool = True


@dataclass(frozen=True)
class AreaLayer:
    """One level's areas: the GeoJSON the map draws, its bounds, and where each area's name is written."""

    geojson: dict[str, Any]
    bounds: Bounds | None
    names: dict[str, tuple[str, float, float]] = field(default_factory=dict)  # code: (name, lon, lat)


_SCOPE_SQL = {"all": "true", "kota": "c.jurisdiction_id = :scope_id", "kecamatan": "c.kecamatan_id = :scope_id"}
# The same scopes over complaint_status_count (migration 0009).
_COUNT_SCOPE_SQL = {
    "all": "true",
    "kota": "s.jurisdiction_key = :scope_id",
    "kecamatan": "s.kecamatan_key = :scope_id",
}
_AREA_SCOPE_SQL = {
    "all": "true",
    "kota": "(a.parent_id = :scope_id OR p.parent_id = :scope_id)",
    "kecamatan": "(a.id = :scope_id OR a.parent_id = :scope_id)",
}


# What the wall may draw one by one: a complaint with a place that is not confidential. A
# confidential complaint shows only as a number (area shading, legend), never as a dot, a
# panel entry or a card: a dot at the exact place, with its code, identified the reporter.
_DRAWABLE_SQL = "c.geom IS NOT NULL AND NOT c.confidential"

# The wall's photos of a complaint: its first report photo and its latest completion
# photo, never any of a confidential complaint.
_PUBLIC_PHOTOS_SQL = (
    "CASE WHEN NOT c.confidential THEN (SELECT min(p.id) FROM photo p "
    "WHERE p.complaint_id = c.id AND p.kind = 'report') END AS report_photo, "
    "CASE WHEN NOT c.confidential THEN (SELECT max(p.id) FROM photo p "
    "WHERE p.complaint_id = c.id AND p.kind = 'completion') END AS completion_photo"
)


@cache
def _statement(name: str, **fragments: str) -> TextClause:
    """``db/sql/<name>.sql`` (its status lists filled by ``sql``) with its other {placeholders} filled from
    fixed fragments (never from user input)."""
    return text(
        sql(name).text.format(
            public_photos=_PUBLIC_PHOTOS_SQL,
            drawable=_DRAWABLE_SQL,
            **fragments,
        )
    )


def resolve(conn: Connection, scope: WallArea) -> Resolved:
    """The area a scope names; UnknownArea for a code that is not loaded."""
    for level, code in (("kecamatan", scope.kecamatan), ("kota", scope.kota)):
        if code:
            found = conn.execute(
                text("SELECT id FROM area WHERE level = :level AND code = :code"), {"level": level, "code": code}
            ).scalar()
            if found is None:
                raise UnknownArea(f"no {level} with code {code!r}")
            return Resolved(level, int(found))
    return Resolved("all")


def boundary_stamp(conn: Connection) -> str:
    """Changes whenever a boundary is loaded or updated."""
    stamp = conn.execute(text("SELECT max(updated_at)::text || '/' || count(*) FROM area")).scalar()
    return str(stamp)


def boundaries(conn: Connection, level: str, where: Resolved) -> AreaLayer:
    """One level's areas in scope as simplified GeoJSON, with their bounds."""
    if level not in ("kecamatan", "kelurahan"):
        raise ValueError(f"unknown level {level!r}")
    row = conn.execute(
        _statement("wall_boundaries", area_scope=_AREA_SCOPE_SQL[where.kind]),
        {"level": level, "tolerance": TOLERANCE_DEG, **where.params},
    ).one()
    bounds = None if row.west is None else Bounds(row.west, row.south, row.east, row.north)
    geojson = json.loads(row.geojson)
    # The label points stay on the server (only the few named areas need one): not in every page's GeoJSON.
    names = {}
    for feature in geojson["features"]:
        lon, lat = feature["properties"].pop("label")
        names[feature["id"]] = (feature["properties"]["name"], float(lon), float(lat))
    return AreaLayer(geojson, bounds, names)


def _marker(row: Any) -> Marker:
    return Marker(
        id=int(row.id),
        status=row.status,
        rank=rank(row.change_seq, row.overdue),
        lat=row.lat,
        lon=row.lon,
        overdue=bool(row.overdue),
        shown=bool(getattr(row, "in_scope", True)),
    )


def markers(conn: Connection, where: Resolved) -> list[Marker]:
    """The complaints the map draws one by one, within the budgets."""
    rows = conn.execute(
        _statement("wall_markers", scope=_SCOPE_SQL[where.kind]),
        {
            "open_budget": OPEN_BUDGET,
            "green_budget": GREEN_BUDGET,
            "grey_budget": GREY_BUDGET,
            "recent_days": RECENT_DAYS,
            **where.params,
        },
    )
    return [_marker(row) for row in rows]


def area_stats(conn: Connection, level: str, where: Resolved, area_ids: list[int] | None = None) -> dict[str, AreaStat]:
    """Open and overdue complaints per area code of ``level`` (zeros included); only the areas ``area_ids`` when given."""
    if level not in ("kecamatan", "kelurahan"):
        raise ValueError(f"unknown level {level!r}")
    areas = "true" if area_ids is None else "a.id = ANY(:area_ids)"
    rows = conn.execute(
        _statement("wall_area_counts", level=level, scope=_SCOPE_SQL[where.kind], areas=areas),
        {"area_ids": area_ids or [], **where.params},
    )
    return {row.code: AreaStat(int(row.n), int(row.overdue)) for row in rows}


def area_counts(conn: Connection, level: str, where: Resolved, area_ids: list[int] | None = None) -> dict[str, int]:
    """Open complaints per area code of ``level`` (zeros included); only the areas ``area_ids`` when given."""
    return {code: stat.open for code, stat in area_stats(conn, level, where, area_ids).items()}


def colour_counts(conn: Connection, where: Resolved) -> dict[str, int]:
    """Complaints per colour (red, yellow, green, grey) and open ones past their target ("overdue")."""
    counts = {c.value: 0 for c in Colour} | {"overdue": 0}
    # The overdue count reads every open complaint's entry in their compact partial index. Once that index was
    # rebuilt, the planner chose two parallel workers for it: 21-23 ms a count at 1,000,000 reports, where one
    # process takes 9 (two cores; starting the workers is most of it). Every screen's tick after a change runs it.
    conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    statement = _statement("wall_colour_counts", scope=_SCOPE_SQL[where.kind], count_scope=_COUNT_SCOPE_SQL[where.kind])
    for row in conn.execute(statement, where.params):
        key = "overdue" if row.key == "overdue" else colour_of(row.key).value
        counts[key] += int(row.n)
    return counts


def _entry(row: Any) -> Entry:
    return Entry(
        marker=_marker(row),
        created_at=row.created_at,
        completed_at=row.completed_at,
        category={"id": row.category_name_id, "en": row.category_name_en},
        kelurahan=row.kelurahan,
        kelurahan_id=row.kelurahan_id,
        kecamatan_id=row.kecamatan_id,
        report_photo=row.report_photo,
        completion_photo=row.completion_photo,
        channel=row.channel,
    )


def newest(conn: Connection, where: Resolved, n: int = PANEL_SIZE) -> list[Entry]:
    """The newest open reports, newest first."""
    statement = _statement(
        "wall_panel",
        filter=fill_statuses("c.status NOT IN ({closed})"),
        order="c.created_at",
        scope=_SCOPE_SQL[where.kind],
    )
    return [_entry(row) for row in conn.execute(statement, {"n": n, **where.params})]


def finished(conn: Connection, where: Resolved, n: int = PANEL_SIZE) -> list[Entry]:
    """The most recently finished complaints, latest first."""
    statement = _statement(
        "wall_panel",
        filter=fill_statuses("c.status IN ({green}) AND c.completed_at IS NOT NULL"),
        order="c.completed_at",
        scope=_SCOPE_SQL[where.kind],
    )
    return [_entry(row) for row in conn.execute(statement, {"n": n, **where.params})]


def changes(conn: Connection, since: int, upto: int, where: Resolved, limit: int = CHANGE_LIMIT + 1) -> Changes:
    """Complaints changed after version ``since`` up to ``upto``, in commit order; not ``complete`` when the
    change tokens of versions after ``since`` are pruned already."""
    pruned_upto, tokens = conn.execute(sql("wall_change_tokens"), {"since": since, "upto": upto}).one()
    rows = list(
        conn.execute(
            _statement("wall_changes", scope=_SCOPE_SQL[where.kind]),
            {"tokens": tokens, "limit": limit, **where.params},
        )
    )
    return Changes(
        entries=[_entry(row) for row in rows if not row.confidential],
        areas=[(row.kecamatan_id, row.kelurahan_id) for row in rows],
        count=len(rows),
        complete=since >= pruned_upto,
    )


def card(conn: Connection, complaint_id: int, where: Resolved, grey: bool = False) -> dict[str, Any] | None:
    """A marker's card, or None unless a wall of this scope would draw the complaint (``grey``: with rejected shown).

    The id comes from the browser, so it is checked against the markers' own
    conditions: a confidential complaint or one outside the screen's scope has no card.
    """
    row = (
        conn.execute(
            _statement("wall_card", scope=_SCOPE_SQL[where.kind]),
            {"id": complaint_id, "grey": grey, "recent_days": RECENT_DAYS, **where.params},
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def photo(conn: Connection, photo_id: int) -> dict[str, Any] | None:
    """A stored photo with what decides who may see it: its complaint's confidentiality, reach and tracking code."""
    row = (
        conn.execute(
            text(
                "SELECT p.storage_key, p.thumb_key, p.mime_type, p.sha256, c.confidential, c.tracking_code, "
                "c.opd_id, c.assignee_id, c.kecamatan_id, c.jurisdiction_id "
                "FROM photo p JOIN complaint c ON c.id = p.complaint_id WHERE p.id = :id"
            ),
            {"id": photo_id},
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


# Cached for the web app --------------------------------------------------------


def _read(query: Callable[[Connection], T], at_least: int | None = None) -> T:
    """``query`` on the replica while it keeps up (db/engine.py), else the primary.

    ``at_least``: the data version the answer is cached under. The version may come from another app
    machine (a shared cache) reading the primary; a replica behind it would store an old answer under a
    newer version, where it would stay until the data moves again, so such a read goes to the primary.
    """
    with read_connection(at_least) as conn:
        return query(conn)


def _briefly(key: str, timeout: int, compute: Callable[[], T]) -> T:
    """``compute()`` through the shared cache, kept in this worker's memory at most WORKER_KEEP_S."""
    return kept(key, timeout, compute, small=True, for_s=WORKER_KEEP_S)


def cached_version() -> int:
    """The data version, read from the database at most once a second per cache."""
    return cached("wall:version", VERSION_TTL_S, lambda: _read(data_version))


def cached_resolve(scope: WallArea) -> Resolved:
    return _briefly(
        f"wall:scope:{scope.key}",
        DATA_TTL_S,
        lambda: _read(lambda c: resolve(c, scope)),
    )


def cached_boundary_stamp() -> str:
    """When the boundaries were last loaded (it names the cached boundaries)."""
    return _briefly("wall:boundary-stamp", BOUNDARY_STAMP_TTL_S, lambda: _read(boundary_stamp))


def cached_boundaries(level: str, scope: WallArea) -> AreaLayer:
    stamp = cached_boundary_stamp()
    where = cached_resolve(scope)
    return kept(
        f"wall:boundaries-named:{stamp}:{level}:{scope.key}",
        24 * 3600,
        lambda: _read(lambda c: boundaries(c, level, where)),
    )


def cached_markers(scope: WallArea, version: int) -> list[Marker]:
    where = cached_resolve(scope)
    return cached(
        f"wall:markers:{version}:{scope.key}", DATA_TTL_S, lambda: _read(lambda c: markers(c, where), version)
    )


def cached_area_stats(level: str, scope: WallArea, version: int) -> dict[str, AreaStat]:
    where = cached_resolve(scope)
    return kept(
        f"wall:areas:{version}:{level}:{scope.key}",
        DATA_TTL_S,
        lambda: _read(lambda c: area_stats(c, level, where), version),
    )


def cached_area_codes(level: str) -> dict[int, str]:
    """Area id → official code for one level (changes only when boundaries are loaded)."""
    stamp = cached_boundary_stamp()

    def read(conn: Connection) -> dict[int, str]:
        rows = conn.execute(text("SELECT id, code FROM area WHERE level = :level"), {"level": level})
        return {int(r.id): str(r.code) for r in rows}

    return kept(f"wall:area-codes:{stamp}:{level}", 24 * 3600, lambda: _read(read))


def cached_area_stats_of(level: str, scope: WallArea, version: int, area_ids: list[int]) -> dict[str, AreaStat]:
    """The figures of the few areas a change touched, taken from the whole level's counts at this version.

    Screens that last saw different versions touch different sets of areas; one count of the whole
    level per version and cache serves them all, where a count per set would multiply with the screens.
    """
    counts = cached_area_stats(level, scope, version)
    codes = cached_area_codes(level)
    return {codes[i]: counts[codes[i]] for i in set(area_ids) if i in codes and codes[i] in counts}


def cached_colour_counts(scope: WallArea, version: int) -> dict[str, int]:
    where = cached_resolve(scope)
    return _briefly(
        f"wall:colours:{version}:{scope.key}",
        DATA_TTL_S,
        lambda: _read(lambda c: colour_counts(c, where), version),
    )


def cached_panels(scope: WallArea, version: int) -> tuple[list[Entry], list[Entry]]:
    """The newest open reports and the latest finished ones."""
    where = cached_resolve(scope)
    return _briefly(
        f"wall:panels:{version}:{scope.key}",
        DATA_TTL_S,
        lambda: _read(lambda c: (newest(c, where), finished(c, where)), version),
    )


def cached_changes(since: int, upto: int, scope: WallArea) -> Changes:
    where = cached_resolve(scope)
    return _briefly(
        f"wall:changes:{since}:{upto}:{scope.key}",
        DATA_TTL_S,
        lambda: _read(lambda c: changes(c, since, upto, where), upto),
    )
