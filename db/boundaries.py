"""Load standardised boundary rows into ``area``: stage, repair, check, upsert, re-route."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Connection, text

from db.routing import GridInfo, RerouteResult, rebuild_route_grid, reroute_open_complaints
from db.sql import sql

if TYPE_CHECKING:
    import geopandas as gpd

# Overlaps smaller than this are the thinned sources' normal slivers (see SOURCES.md).
OVERLAP_REPORT_M2 = 100.0


class BoundaryRows(Protocol):
    """Standardised rows, one per area, with codes, names, parents and geometry, as
    ``geo/boundaries/reader.py`` reads them from a file (described here so that db imports nothing of geo)."""

    @property
    def level(self) -> str: ...
    @property
    def frame(self) -> gpd.GeoDataFrame: ...
    @property
    def source_crs(self) -> str: ...
    @property
    def reprojected(self) -> bool: ...


@dataclass
class ImportReport:
    path: str
    level: str
    features: int
    source_crs: str
    reprojected: bool
    repaired: list[tuple[str, str, str]] = field(default_factory=list)
    overlaps: list[tuple[str, str, float]] = field(default_factory=list)
    gaps: list[tuple[str, int, float, float]] = field(default_factory=list)
    reroute: RerouteResult | None = None
    grid: GridInfo | None = None

    def lines(self) -> list[str]:
        """The report as the command line prints it."""
        out = [
            f"{self.path}: {self.features} {self.level} areas"
            + (f" (reprojected from {self.source_crs} to EPSG:4326)" if self.reprojected else "")
        ]
        if self.repaired:
            out.append(f"  repaired {len(self.repaired)} invalid geometries:")
            out += [f"    {code} {name}: {reason}" for code, name, reason in self.repaired]
        else:
            out.append("  repaired 0 geometries (all valid)")
        if self.overlaps:
            largest = self.overlaps[0]
            out.append(
                f"  overlaps over {OVERLAP_REPORT_M2:.0f} m²: {len(self.overlaps)} pairs, largest "
                f"{largest[0]}/{largest[1]} {largest[2]:.0f} m²"
            )
        else:
            out.append(f"  overlaps over {OVERLAP_REPORT_M2:.0f} m²: none")
        for kota, count, total, largest_gap in self.gaps:
            out.append(f"  gaps in {kota}: {count} slivers, {total:.0f} m² in all, largest {largest_gap:.0f} m²")
        if self.reroute is not None:
            out.append(f"  re-routed {self.reroute.changed} open complaints")
        if self.grid is not None:
            out.append(f"  {self.grid.line()}")
        return out


def load_boundaries(
    conn: Connection,
    rows: BoundaryRows,
    path: str,
    progress: Callable[[int], None] | None = None,
    reroute: bool = True,
) -> ImportReport:
    """Upsert ``rows`` into ``area`` in the caller's transaction and report what was found."""
    frame = rows.frame
    report = ImportReport(
        path=path, level=rows.level, features=len(frame), source_crs=rows.source_crs, reprojected=rows.reprojected
    )
    conn.execute(text("DROP TABLE IF EXISTS boundary_stage"))
    conn.execute(sql("boundaries_stage"))
    insert = text(
        "INSERT INTO boundary_stage (code, name, kecamatan_code, kecamatan_name, kota_code, kota_name, geom) "
        "VALUES (:code, :name, :kecamatan_code, :kecamatan_name, :kota_code, :kota_name, "
        "ST_SetSRID(ST_GeomFromWKB(:wkb), 4326))"
    )
    batch: list[dict[str, object]] = []
    for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True):
        batch.append({**record, "wkb": geom.wkb})
        if len(batch) == 50:
            conn.execute(insert, batch)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        conn.execute(insert, batch)
        if progress:
            progress(len(batch))

    report.repaired = [tuple(r) for r in conn.execute(sql("boundaries_repair"))]  # type: ignore[misc]
    empty = conn.execute(text("SELECT code FROM boundary_stage WHERE ST_IsEmpty(geom)")).scalars().all()
    if empty:
        raise ValueError(f"{path}: geometry of {', '.join(empty)} is empty after repair")
    report.overlaps = [tuple(r) for r in conn.execute(sql("boundaries_overlaps"), {"min_m2": OVERLAP_REPORT_M2})]  # type: ignore[misc]
    report.gaps = [tuple(r) for r in conn.execute(sql("boundaries_gaps"))]  # type: ignore[misc]
    conn.execute(sql("boundaries_upsert"), {"level": rows.level})
    conn.execute(sql("boundaries_kota_union"))
    conn.execute(text("DROP TABLE boundary_stage"))
    if rows.level == "kelurahan":
        # Bulk routing (imports, demo seeding) reads the grid; it must describe these boundaries.
        report.grid = rebuild_route_grid(conn)
    if reroute:
        report.reroute = reroute_open_complaints(conn)
    return report


def boundary_counts(conn: Connection) -> dict[str, int]:
    """How many areas of each level are loaded."""
    rows = conn.execute(text("SELECT level, count(*) FROM area GROUP BY level")).all()
    counts = {"kota": 0, "kecamatan": 0, "kelurahan": 0}
    counts.update({level: n for level, n in rows})
    return counts
