"""Small work maps for the operators' queue and the field page: one marker per complaint, offline.

Pure functions returning plain figure dicts. The style is a blank MapLibre
style (no token, no fonts, no tiles) with the kecamatan outlines drawn as a
GeoJSON line layer; ``tile_url`` adds a raster layer underneath when set
(the wall map's style, ``geo.figures.map_style``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from geo.colours import marker_colour
from geo.figures import map_style

BACKGROUND = "#e9eef2"
OUTLINE = "#8a9aab"
DEFAULT_CENTER = {"lon": 106.65, "lat": -6.24}  # between Tangerang and Tangerang Selatan


def fit(
    lons: Sequence[float], lats: Sequence[float], width: int = 320, height: int = 220, max_zoom: float = 13.5
) -> tuple[dict[str, float], float]:
    """Centre and zoom that show every point on a ``width`` × ``height`` px map, with a margin.

    MapLibre's zoom z draws the world 512 × 2^z px wide; near the equator a
    degree of latitude is about as long as a degree of longitude.
    """
    if not lons:
        return dict(DEFAULT_CENTER), 10.0
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    span_lon = max(east - west, 0.002) * 1.3
    span_lat = max(north - south, 0.002) * 1.3
    zoom = min(math.log2(360.0 * width / (512.0 * span_lon)), math.log2(360.0 * height / (512.0 * span_lat)))
    return {"lon": (west + east) / 2, "lat": (south + north) / 2}, max(6.0, min(max_zoom, zoom))


def _markers(located: Sequence[Mapping[Any, Any]]) -> dict[str, Any]:
    return {
        "type": "scattermap",
        "lon": [p["lon"] for p in located],
        "lat": [p["lat"] for p in located],
        "mode": "markers",
        "marker": {"size": 12, "color": [marker_colour(p["status"]) for p in located] or BACKGROUND},
        "customdata": [p["tracking_code"] for p in located],
        "text": [p["tracking_code"] for p in located],
        "hovertemplate": "%{text}<extra></extra>",
        "showlegend": False,
    }


def job_map(
    points: Sequence[Mapping[Any, Any]],
    outline: Mapping[Any, Any] | None = None,
    height: int = 420,
    width: int = 320,
    tile_url: str = "",
    here: tuple[float, float] | None = None,
    uirevision: str | None = None,
) -> dict[str, Any]:
    """A marker per complaint row (``tracking_code``, ``lon``, ``lat``, ``status``) coloured by status; ``here`` in blue."""
    located = [p for p in points if p.get("lon") is not None and p.get("lat") is not None]
    data: list[dict[str, Any]] = []
    # Always one marker trace, even empty: without a map trace plotly would draw empty x/y axes instead.
    data.append(_markers(located))
    if here is not None:
        data.append(
            {
                "type": "scattermap",
                "lon": [here[0]],
                "lat": [here[1]],
                "mode": "markers",
                "marker": {"size": 14, "color": "#0b5cad"},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    lons = [p["lon"] for p in located] + ([here[0]] if here else [])
    lats = [p["lat"] for p in located] + ([here[1]] if here else [])
    center, zoom = fit(lons, lats, width, height)
    layers = []
    if outline is not None:
        layers.append(
            {"sourcetype": "geojson", "source": outline, "type": "line", "color": OUTLINE, "line": {"width": 1}}
        )
    return {
        "data": data,
        "layout": {
            "map": {"style": map_style("light", tile_url), "center": center, "zoom": zoom, "layers": layers},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "height": height,
            "paper_bgcolor": BACKGROUND,
            # Same uirevision: a refresh keeps the user's pan and zoom; a new one fits the points again.
            "uirevision": uirevision,
            "clickmode": "event",
        },
    }
