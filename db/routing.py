"""Routing complaints to kelurahan, kecamatan, jurisdiction and OPD, in PostGIS.

The rules live in the SQL functions ``pantau_route_point`` and
``pantau_route_opd`` (migration 0001); this module runs them for one point or
for every open complaint at once.

Many points at once (imports, demo seeding, the benchmark) go through the
routing grid of migration 0002 instead: a precomputed array of cells that
answers most points with arithmetic and tests only the points near a boundary,
giving exactly what ``pantau_route_point`` gives. The grid is rebuilt from the
boundaries by :func:`rebuild_route_grid` (``load_boundaries`` calls it); while
it is out of date the bulk statement falls back to routing point by point.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from db.sql import sql

# Degrees: about 28 m. Finer cells leave fewer points to test exactly but cost
# a longer rebuild; measured with `python -m bench routing`.
GRID_CELL_SIZE = 0.00025
# The quadtree starts from cells 2^GRID_LEVELS times larger (about 440 m).
GRID_LEVELS = 4


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


@dataclass(frozen=True)
class GridInfo:
    """The routing grid as built: its cells, and how many are interior (answered outright) or edge."""

    cell_size: float
    nx: int
    ny: int
    interior_cells: int
    edge_cells: int
    build_ms: float
    current: bool

    def line(self) -> str:
        return (
            f"routing grid: {self.nx}×{self.ny} cells of {self.cell_size:g}°, {self.interior_cells} interior, "
            f"{self.edge_cells} on edges, built in {self.build_ms / 1000:.1f} s"
        )


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


def rebuild_route_grid(
    conn: Connection, cell_size: float = GRID_CELL_SIZE, levels: int = GRID_LEVELS
) -> GridInfo | None:
    """Rebuild the routing grid from the kelurahan in ``area`` (in the caller's transaction)."""
    conn.execute(text("SELECT pantau_route_grid_rebuild(:size, :levels)"), {"size": cell_size, "levels": levels})
    return route_grid_info(conn)


def route_grid_info(conn: Connection) -> GridInfo | None:
    """The grid as it is stored, or None before boundaries are loaded."""
    row = conn.execute(
        text(
            "SELECT cell_size, nx, ny, interior_cells, edge_cells, build_ms, pantau_route_grid_current() "
            "FROM route_grid WHERE id = 1"
        )
    ).first()
    return None if row is None else GridInfo(*row)


def route_staged_sql(conn: Connection, stage: str, key: str = "id") -> str:
    """The single statement that routes every row of ``stage`` (columns ``key``, ``lon``, ``lat``).

    It yields (point_key, kelurahan_id, method) per point, exactly as ``pantau_route_point``
    would, and can be wrapped in CREATE TABLE ... AS or INSERT ... SELECT.
    """
    return str(
        conn.execute(
            text("SELECT pantau_route_staged_sql(CAST(:stage AS regclass), CAST(:key AS name))"),
            {"stage": stage, "key": key},
        ).scalar_one()
    )


def route_staged_into(conn: Connection, stage: str, target: str, key: str = "id", temporary: bool = True) -> int:
    """Route every row of ``stage`` into a new table ``target`` (point_key, kelurahan_id, method); returns its rows."""
    quote = conn.dialect.identifier_preparer.quote
    kind = "TEMP" if temporary else "UNLOGGED"
    statement = route_staged_sql(conn, stage, key)
    return conn.exec_driver_sql(f"CREATE {kind} TABLE {quote(target)} AS {statement}").rowcount
