"""The wall map as a plain plotly figure dict: area shading, boundary lines and status markers.

The figure's traces have a fixed order (``TRACES``) so live updates can patch
one trace by index. Every complaint's marker carries ``customdata = [id, rank]``:
``rank`` grows with each change of the complaint (``rank()``), so when an
update appends a newer marker for the same complaint the browser drops the
older ones (``assets/live.js``). Nothing here reads the database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from db.status import Colour
from geo.colours import MARKER, SHADING, Theme, colour_of, palette

# Drawn bottom to top. "gone" stays hidden: a marker appended there removes the
# complaint's older markers and is itself dropped by the browser.
TRACES = ("areas", "halo", "grey", "green", "yellow", "red", "gone")
TRACE = {name: index for index, name in enumerate(TRACES)}
MARKER_TRACES = TRACES[1:]
LEVELS = ("kecamatan", "kelurahan")

MARKER_SIZE = 10
HALO_SIZE = 24
BOLD_LINE = 2.5
FINE_LINE = 0.8


@dataclass(frozen=True)
class Marker:
    """One complaint as the map draws it; ``shown`` is false when it no longer belongs on this map."""

    id: int
    status: str
    rank: int
    lat: float | None
    lon: float | None
    overdue: bool = False
    shown: bool = True


@dataclass(frozen=True)
class Bounds:
    west: float
    south: float
    east: float
    north: float


def rank(change_seq: int, overdue: bool) -> int:
    """Orders two versions of one marker: a later change wins, and so does the same change once overdue."""
    return int(change_seq) * 2 + int(bool(overdue))


def traces_of(marker: Marker) -> list[str]:
    """The traces a complaint's marker belongs to: its colour, plus the halo when it is overdue."""
    if not marker.shown or marker.lat is None or marker.lon is None:
        return ["gone"]
    colour = colour_of(marker.status)
    names = [colour.value]
    if marker.overdue and colour in (Colour.RED, Colour.YELLOW):
        names.insert(0, "halo")
    return names


def marker_columns(markers: Iterable[Marker]) -> dict[str, dict[str, list[Any]]]:
    """lat/lon/customdata arrays per marker trace (only traces that get something)."""
    columns: dict[str, dict[str, list[Any]]] = {}
    for marker in markers:
        lat = None if marker.lat is None else round(marker.lat, 5)
        lon = None if marker.lon is None else round(marker.lon, 5)
        for name in traces_of(marker):
            column = columns.setdefault(name, {"lat": [], "lon": [], "customdata": []})
            column["lat"].append(lat)
            column["lon"].append(lon)
            column["customdata"].append([marker.id, marker.rank])
    return columns


def map_style(theme: Theme, tile_url: str = "") -> dict[str, Any]:
    """A MapLibre style with nothing to fetch (no glyphs, no sprites); a raster base map only when ``tile_url`` is set."""
    # "sources" is never left empty: Dash drops empty objects when it applies a Patch to the figure,
    # and MapLibre refuses a style without "sources".
    style: dict[str, Any] = {
        "version": 8,
        "sources": {"pantau-none": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}},
        "layers": [
            {"id": "background", "type": "background", "paint": {"background-color": palette(theme)["background"]}}
        ],
    }
    if tile_url:
        style["sources"]["base"] = {"type": "raster", "tiles": [tile_url], "tileSize": 256}
        style["layers"].append(
            {
                "id": "base",
                "type": "raster",
                "source": "base",
                "paint": {"raster-opacity": 0.55 if theme == "dark" else 1},
            }
        )
    return style


def line_width(level: str) -> float:
    """Kecamatan boundaries are drawn bold, kelurahan boundaries fine."""
    return BOLD_LINE if level == "kecamatan" else FINE_LINE


def line_colour(level: str, theme: Theme) -> str:
    return palette(theme)["bold_line" if level == "kecamatan" else "fine_line"]


def area_trace(
    geojson: dict[str, Any], level: str, counts: dict[str, int], theme: Theme, hovertemplate: str, tiles: bool = False
) -> dict[str, Any]:
    """The shaded level: one polygon per area, shaded by its open complaints, with its name on hover."""
    features = geojson.get("features", [])
    codes = [f["id"] for f in features]
    z = [int(counts.get(code, 0)) for code in codes]
    return {
        "type": "choroplethmap",
        "uid": "areas",
        "name": level,
        "geojson": geojson,
        "locations": codes,
        "z": z,
        "customdata": [[f["properties"]["name"], f["properties"].get("parent") or ""] for f in features],
        "hovertemplate": hovertemplate,
        "colorscale": SHADING[theme],
        "zmin": 0,
        "zmax": shading_max(z),
        "showscale": False,
        "marker": {
            "opacity": 0.45 if tiles else 0.75,
            "line": {"width": line_width(level), "color": line_colour(level, theme)},
        },
    }


def shading_max(values: Iterable[int]) -> int:
    """The top of the shading scale: the largest count, at least 1."""
    return max([1, *values])


def boundary_layer(geojson: dict[str, Any], level: str, theme: Theme) -> dict[str, Any]:
    """The other level's boundaries as lines, above the shading and below every marker."""
    return {
        "sourcetype": "geojson",
        "source": geojson,
        "type": "line",
        "color": line_colour(level, theme),
        "line": {"width": line_width(level)},
        "below": "plotly-trace-layer-halo-fill",
        "name": level,
    }


def marker_trace(name: str, theme: Theme, columns: dict[str, list[Any]] | None, visible: bool = True) -> dict[str, Any]:
    """One marker trace; no hover label (a click opens the card)."""
    columns = columns or {"lat": [], "lon": [], "customdata": []}
    if name == "halo":
        marker = {"size": HALO_SIZE, "color": palette(theme)["halo"], "opacity": 0.35}
    elif name == "gone":
        marker = {"size": 1, "color": palette(theme)["background"], "opacity": 0}
    else:
        marker = {"size": MARKER_SIZE, "color": MARKER[theme][Colour(name)], "opacity": 0.95}
    return {
        "type": "scattermap",
        "uid": name,
        "name": name,
        "mode": "markers",
        "lat": columns["lat"],
        "lon": columns["lon"],
        "customdata": columns["customdata"],
        "marker": marker,
        "hoverinfo": "none",
        "visible": visible and name != "gone",
    }


def view_of(bounds: Bounds | None, width_px: int = 1100, height_px: int = 800) -> dict[str, Any]:
    """Centre and zoom that fit ``bounds`` in a map of about that many pixels (MapLibre: 512 px tiles)."""
    if bounds is None:
        return {"center": {"lat": -6.25, "lon": 106.7}, "zoom": 10.5}

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(bounds.east - bounds.west, 1e-4)
    span_y = max(merc(bounds.north) - merc(bounds.south), 1e-6)
    zoom_x = math.log2(width_px * 360 / (512 * span_x))
    zoom_y = math.log2(height_px * 2 * math.pi / (512 * span_y))
    centre_y = (merc(bounds.north) + merc(bounds.south)) / 2
    return {
        "center": {
            "lat": round(math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2), 5),
            "lon": round((bounds.west + bounds.east) / 2, 5),
        },
        "zoom": round(min(zoom_x, zoom_y) - 0.15, 2),
    }


def wall_figure(
    *,
    level: str,
    shaded: dict[str, Any],
    other: dict[str, Any],
    counts: dict[str, int],
    markers: Iterable[Marker],
    theme: Theme,
    hovertemplate: str,
    bounds: Bounds | None,
    tile_url: str = "",
    show_grey: bool = False,
) -> dict[str, Any]:
    """The whole wall map: ``shaded`` is the GeoJSON of ``level``, ``other`` that of the other level."""
    other_level = LEVELS[1 - LEVELS.index(level)]
    columns = marker_columns(markers)
    pal = palette(theme)
    data = [area_trace(shaded, level, counts, theme, hovertemplate, tiles=bool(tile_url))]
    data += [
        marker_trace(name, theme, columns.get(name), visible=show_grey or name != "grey") for name in MARKER_TRACES
    ]
    return {
        "data": data,
        "layout": {
            "uirevision": "wall",
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "paper_bgcolor": pal["background"],
            "showlegend": False,
            "dragmode": "pan",
            "hovermode": "closest",
            "hoverlabel": {"bgcolor": pal["hover_bg"], "font": {"color": pal["hover_text"], "size": 15}},
            "map": {
                "style": map_style(theme, tile_url),
                **view_of(bounds),
                "layers": [boundary_layer(other, other_level, theme)],
            },
        },
    }
