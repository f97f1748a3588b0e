"""The wall map's colours: status markers, the open-complaint shading and the boundary lines, light and dark.

Which status has which colour is decided in ``db/status.py``; here each colour
gets its shade on a light page and on the dark control-room theme.
"""

from __future__ import annotations

from typing import Literal

from db.status import COLOUR, Colour, Status

Theme = Literal["light", "dark"]

# Same hues as assets/base.css; the dark theme's are lighter so they stand out on navy.
MARKER: dict[Theme, dict[Colour, str]] = {
    "light": {Colour.RED: "#d32f2f", Colour.YELLOW: "#f2b600", Colour.GREEN: "#2e7d32", Colour.GREY: "#7b8794"},
    "dark": {Colour.RED: "#ff5252", Colour.YELLOW: "#ffd54f", Colour.GREEN: "#66bb6a", Colour.GREY: "#9aa5b1"},
}

# Open complaints per area, from none to most: blues, so the shading never reads as a status colour.
SHADING: dict[Theme, list[list[float | str]]] = {
    "light": [[0.0, "#f5f8fb"], [0.35, "#c6dbef"], [0.7, "#6baed6"], [1.0, "#2171b5"]],
    "dark": [[0.0, "#0f2233"], [0.35, "#173d5e"], [0.7, "#24609a"], [1.0, "#3b82c4"]],
}


def palette(theme: Theme) -> dict[str, str]:
    """The map's non-status colours: background, boundary lines, the overdue halo."""
    if theme == "dark":
        return {
            "background": "#0b1622",
            "fine_line": "#5d7389",
            "bold_line": "#c9d6e2",
            "halo": "#ffffff",
            "hover_bg": "#12263a",
            "hover_text": "#ffffff",
        }
    return {
        "background": "#e9eef2",
        "fine_line": "#8a9aab",
        "bold_line": "#263a4f",
        "halo": "#1b1f24",
        "hover_bg": "#ffffff",
        "hover_text": "#1b1f24",
    }


def colour_of(status: str) -> Colour:
    """The wall colour of a stored status value."""
    return COLOUR[Status(status)]


def marker_colour(status: str, theme: Theme = "light") -> str:
    return MARKER[theme][colour_of(status)]
