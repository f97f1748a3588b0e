"""The report form's map: kelurahan outlines and one pin, offline (blank MapLibre style).

A pure figure dict. The pin is trace 0, so the browser can move it without a
round trip (``callbacks/lapor.py``). Clicking anywhere on the map sets the pin:
a small script listens to MapLibre's own click event, because plotly reports
clicks only on drawn points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from geo.colours import palette
from geo.figures import map_style

OUTLINE = "#6b7b8c"
PIN = "#c62828"
DEFAULT_CENTER = {"lon": 106.65, "lat": -6.24}  # between Tangerang and Tangerang Selatan


def view_of_bbox(bbox: list[float] | None) -> tuple[dict[str, float], float]:
    """Centre and a zoom that shows the whole bbox on a phone-sized map (about 340 px wide)."""
    if not bbox:
        return dict(DEFAULT_CENTER), 10.0
    west, south, east, north = bbox
    extent = max(east - west, (north - south) * 1.2, 0.004)
    zoom = max(8.0, min(16.0, math.log2(340 * 360 / (512 * extent))))
    return {"lon": (west + east) / 2, "lat": (south + north) / 2}, round(zoom, 2)


def pin_style(outlines: Mapping[str, Any] | None, tile_url: str = "") -> dict[str, Any]:
    """The offline style (``geo.figures.map_style``) with the kelurahan outlines as its own line layer.

    In the style rather than in plotly's ``map.layers``: the style then never
    changes when the pin moves, so MapLibre is never asked to reload it.
    """
    style = map_style("light", tile_url)
    style["sources"]["kelurahan"] = {
        "type": "geojson",
        "data": dict(outlines or {"type": "FeatureCollection", "features": []}),
    }
    style["layers"].append(
        {"id": "kelurahan", "type": "line", "source": "kelurahan", "paint": {"line-color": OUTLINE, "line-width": 1}}
    )
    return style


def pin_map(
    outlines: Mapping[str, Any] | None,
    pin: tuple[float, float] | None = None,
    tile_url: str = "",
    height: int = 320,
) -> dict[str, Any]:
    """Kelurahan outlines and the pin at ``pin`` = (lat, lon), if any."""
    center, zoom = view_of_bbox((outlines or {}).get("bbox"))
    if pin is not None:
        center, zoom = {"lat": pin[0], "lon": pin[1]}, 15.0
    return {
        "data": [
            {
                "type": "scattermap",
                "lat": [pin[0]] if pin else [],
                "lon": [pin[1]] if pin else [],
                "mode": "markers",
                "marker": {"size": 18, "color": PIN},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        ],
        "layout": {
            "map": {"style": pin_style(outlines, tile_url), "center": center, "zoom": zoom},
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "height": height,
            "paper_bgcolor": palette("light")["background"],
            "uirevision": "pin",
            "dragmode": "pan",
        },
    }
