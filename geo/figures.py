"""The wall map as a plain plotly figure dict: area shading, boundary lines and status markers.

The figure's traces have a fixed order (``TRACES``) so live updates can patch
one trace by index. Status markers differ by shape as well as colour, so they
read without telling red from green: red (to act on) a large dot, yellow a
ring (its hole is the "core" trace), green and grey a small dot; an overdue
one sits on a white ring ("halo") that leaves the dot itself uncovered. Areas
are shaded by the share of their open complaints past target, green to red. Every complaint's marker carries ``customdata = [id, rank]``:
``rank`` grows with each change of the complaint (``rank()``), so when an
update appends a newer marker for the same complaint the browser drops the
older ones (``assets/live.js``). Nothing here reads the database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from db.map_rows import AreaStat, Bounds, Marker
from db.status import Colour, colour_of
from geo.colours import MARKER, SHADING, SHADING_TOP_SHARE, Theme, palette

# Drawn bottom to top. "gone" stays hidden: a marker appended there removes the
# complaint's older markers and is itself dropped by the browser.
TRACES = ("areas", "halo", "grey", "green", "yellow", "core", "red", "gone")
TRACE = {name: index for index, name in enumerate(TRACES)}
MARKER_TRACES = TRACES[1:]
LEVELS = ("kecamatan", "kelurahan")

# Marker diameters in px at a 1500 px wide map (assets/live.js scales them with the screen).
MARKER_SIZE = {"red": 15, "yellow": 11, "core": 5, "green": 7, "grey": 7}
HALO_SIZE = 19
# How many of the most troubled areas have their name written on the map.
LABELLED_AREAS = 5
BOLD_LINE = 2.5
FINE_LINE = 0.8


def overdue_share(stat: AreaStat | None) -> float:
    """The share of an area's open complaints that are overdue (0 with none open): what its shade shows."""
    if stat is None or stat.open == 0:
        return 0.0
    return round(stat.overdue / stat.open, 3)


def traces_of(marker: Marker) -> list[str]:
    """The traces a complaint's marker belongs to: its colour, plus the halo when it is overdue."""
    if not marker.shown or marker.lat is None or marker.lon is None:
        return ["gone"]
    colour = colour_of(marker.status)
    names = [colour.value]
    if colour == Colour.YELLOW:
        names.append("core")
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
    geojson: dict[str, Any],
    level: str,
    stats: dict[str, AreaStat],
    theme: Theme,
    hovertemplate: str,
    tiles: bool = False,
) -> dict[str, Any]:
    """The shaded level: one polygon per area, shaded by the share of its open complaints past target."""
    features = geojson.get("features", [])
    codes = [f["id"] for f in features]
    z = [overdue_share(stats.get(code)) for code in codes]
    return {
        "type": "choroplethmap",
        "uid": "areas",
        "name": level,
        "geojson": geojson,
        "locations": codes,
        "z": z,
        "customdata": [
            [f["properties"]["name"], f["properties"].get("parent") or "", *stats.get(f["id"], AreaStat(0, 0))]
            for f in features
        ],
        "hovertemplate": hovertemplate,
        "colorscale": SHADING[theme],
        "zmin": 0,
        "zmax": SHADING_TOP_SHARE,
        "showscale": False,
        "marker": {
            "opacity": 0.45 if tiles else 0.6,
            "line": {"width": line_width(level), "color": line_colour(level, theme)},
        },
    }


def troubled(
    names: dict[str, tuple[str, float, float]], stats: dict[str, AreaStat], n: int = LABELLED_AREAS
) -> list[dict[str, Any]]:
    """The ``n`` areas with most overdue complaints (then the largest share), each with a point to write its name at.

    ``names`` maps an area's code to its name and that point (lon, lat).
    """
    ranked = [
        (stat.overdue, overdue_share(stat), name, code, lon, lat, stat)
        for code, (name, lon, lat) in names.items()
        if (stat := stats.get(code)) is not None and stat.overdue > 0
    ]
    ranked.sort(key=lambda r: (-r[0], -r[1], r[2]))
    return [
        {"code": code, "name": name, "lon": lon, "lat": lat, "overdue": stat.overdue, "open": stat.open}
        for _, _, name, code, lon, lat, stat in ranked[:n]
    ]


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
        marker = {"size": HALO_SIZE, "color": palette(theme)["halo"], "opacity": 0.9}
    elif name == "gone":
        marker = {"size": 1, "color": palette(theme)["background"], "opacity": 0}
    elif name == "core":
        marker = {"size": MARKER_SIZE["core"], "color": palette(theme)["core"], "opacity": 1}
    else:
        marker = {"size": MARKER_SIZE[name], "color": MARKER[theme][Colour(name)], "opacity": 1}
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


def blank_figure(theme: Theme) -> dict[str, Any]:
    """An empty figure in the map's background colour, without axes: what a graph holds for the moment before the
    browser gives it the map it fitted to the screen (assets/live.js ``fit``), so the map is drawn once."""
    background = palette(theme)["background"]
    hidden = {"visible": False, "fixedrange": True}
    return {
        "data": [],
        "layout": {
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "paper_bgcolor": background,
            "plot_bgcolor": background,
            "xaxis": hidden,
            "yaxis": hidden,
        },
    }


def wall_figure(
    *,
    level: str,
    shaded: dict[str, Any],
    other: dict[str, Any],
    stats: dict[str, AreaStat],
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
    data = [area_trace(shaded, level, stats, theme, hovertemplate, tiles=bool(tile_url))]
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
