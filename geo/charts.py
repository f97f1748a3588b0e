"""The leaders' dashboard charts as plain plotly figure dicts: reports per day, per category, and the choropleth.

Pure functions of already-computed figures and translated labels; nothing here
reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from db.map_rows import Bounds
from db.status import COLOUR, Colour, Status
from geo.colours import MARKER
from geo.figures import map_style, view_of

COLOURS = (Colour.RED, Colour.YELLOW, Colour.GREEN, Colour.GREY)
# Reports (or reports per 1,000 residents) per area, from none to most: blues, never a status colour.
CHOROPLETH_SCALE: list[list[float | str]] = [[0.0, "#f5f8fb"], [0.35, "#c6dbef"], [0.7, "#6baed6"], [1.0, "#08519c"]]
_FONT = {"family": "DejaVu Sans, Liberation Sans, sans-serif", "size": 13, "color": "#1b1f24"}


def _layout(**extra: Any) -> dict[str, Any]:
    return {
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": _FONT,
        "hoverlabel": {"bgcolor": "#ffffff", "font": {"color": "#1b1f24"}},
        **extra,
    }


def _axes(layout: dict[str, Any], empty: bool) -> dict[str, Any]:
    """``layout``, with no axes when there is nothing to draw: plotly would invent a range (1 to 11 January, 0 to 4)
    for an empty chart, which reads as data; the summary under the chart says that no report matches."""
    if empty:
        for axis in ("xaxis", "yaxis"):
            layout[axis] = {**layout.get(axis, {}), "visible": False}
    return layout


def _whole(values: list[int]) -> dict[str, Any]:
    """Axis ticks for counts: whole numbers only (plotly would mark 0.2 steps on a small count)."""
    return {"tickformat": ",d", "dtick": 1} if max(values, default=0) <= 8 else {"tickformat": ",d"}


def per_day_figure(per_day: Iterable[tuple[date, str, int]], colour_names: dict[str, str], axis: str) -> dict[str, Any]:
    """Stacked bars: reports per WIB day, split by the colour of their status now."""
    days: list[date] = sorted({day for day, _, _ in per_day})
    index = {day: i for i, day in enumerate(days)}
    counts = {c: [0] * len(days) for c in COLOURS}
    for day, status, n in per_day:
        counts[COLOUR[Status(status)]][index[day]] += n
    totals = [sum(counts[c][i] for c in COLOURS) for i in range(len(days))]
    data = [
        {
            "type": "bar",
            "name": colour_names[c.value],
            "x": [d.isoformat() for d in days],
            "y": counts[c],
            "marker": {"color": MARKER["light"][c]},
            "hovertemplate": "%{x|%d-%m-%Y}: %{y}<extra>" + colour_names[c.value] + "</extra>",
        }
        for c in COLOURS
        if any(counts[c])
    ]
    layout = _layout(
        barmode="stack",
        bargap=0.15,
        legend={"orientation": "h", "y": -0.18},
        xaxis={"type": "date", "tickformat": "%d-%m"},
        yaxis={"title": {"text": axis}, "rangemode": "tozero", "gridcolor": "#e3e8ee", **_whole(totals)},
        margin={"l": 56, "r": 8, "t": 8, "b": 48},
    )
    return {"data": data, "layout": _axes(layout, not data)}


def category_figure(rows: Iterable[tuple[str, int]], axis: str) -> dict[str, Any]:
    """Horizontal bars: reports per category, the largest on top."""
    ordered = sorted(rows, key=lambda r: r[1])
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [name for name, _ in ordered],
                "x": [n for _, n in ordered],
                "marker": {"color": "#0b5cad"},
                "hovertemplate": "%{y}: %{x}<extra></extra>",
                "text": [n for _, n in ordered],
                "textposition": "outside",
                "textangle": 0,
                "cliponaxis": False,
            }
        ],
        "layout": _axes(
            _layout(
                xaxis={
                    "title": {"text": axis},
                    "rangemode": "tozero",
                    "gridcolor": "#e3e8ee",
                    **_whole([n for _, n in ordered]),
                },
                yaxis={"automargin": True},
                margin={"l": 8, "r": 16, "t": 8, "b": 48},
            ),
            not ordered,
        ),
    }


def choropleth_values(
    codes: list[str], counts: dict[str, int], population: dict[str, int | None]
) -> tuple[list[float], bool]:
    """The value of each area: reports per 1,000 residents when every area has a population, else the count."""
    if codes and all((population.get(code) or 0) > 0 for code in codes):
        return [round(1000 * counts.get(code, 0) / float(population[code] or 1), 2) for code in codes], True
    return [float(counts.get(code, 0)) for code in codes], False


def choropleth_figure(
    geojson: dict[str, Any],
    counts: dict[str, int],
    population: dict[str, int | None],
    bounds: Bounds | None,
    *,
    unit_count: str,
    unit_per_thousand: str,
    tile_url: str = "",
) -> dict[str, Any]:
    """The chosen level's areas shaded by reports (per 1,000 residents where population is loaded); a click picks one."""
    features = geojson.get("features", [])
    codes = [f["id"] for f in features]
    values, per_thousand = choropleth_values(codes, counts, population)
    unit = unit_per_thousand if per_thousand else unit_count
    return {
        "data": [
            {
                "type": "choroplethmap",
                "geojson": geojson,
                "locations": codes,
                "z": values,
                "customdata": [[f["properties"]["name"], counts.get(f["id"], 0)] for f in features],
                "hovertemplate": "<b>%{customdata[0]}</b><br>%{z} " + unit + "<extra></extra>",
                "colorscale": CHOROPLETH_SCALE,
                "zmin": 0,
                "zmax": max([1.0, *values]),
                "marker": {"opacity": 0.8, "line": {"width": 1, "color": "#263a4f"}},
                "colorbar": {"title": {"text": unit, "side": "right"}, "thickness": 12, "len": 0.8},
            }
        ],
        "layout": _layout(
            map={"style": map_style("light", tile_url), **view_of(bounds, 640, 420)},
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            uirevision=",".join(codes[:3]) + str(len(codes)),
        ),
    }


EMERGING_COLOUR = "#b2182b"


def emerging_trace(points: list[tuple[float, float, str]], name: str) -> dict[str, Any]:
    """The emerging issues drawn over the leaders' map: a ringed marker and its label at each (lon, lat, label)."""
    return {
        "type": "scattermap",
        "name": name,
        "lon": [p[0] for p in points],
        "lat": [p[1] for p in points],
        "text": [p[2] for p in points],
        "mode": "markers+text",
        "textposition": "top center",
        "textfont": {"size": 13, "color": EMERGING_COLOUR},
        "marker": {"size": 22, "color": EMERGING_COLOUR, "opacity": 0.75},
        "hovertemplate": "<b>%{text}</b><extra>" + name + "</extra>",
        "showlegend": False,
        "meta": "emerging",
    }
