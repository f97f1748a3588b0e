"""The wall map's colours: status markers, the open-complaint shading and the boundary lines, light and dark.

Which status has which colour is decided in ``db/status.py``; here each colour
gets its shade on a light page and on the dark control-room theme.
"""

from __future__ import annotations

from typing import Literal

from db.status import Colour, colour_of

Theme = Literal["light", "dark"]

# Same hues as assets/base.css; the dark theme's are lighter so they stand out on navy.
MARKER: dict[Theme, dict[Colour, str]] = {
    "light": {Colour.RED: "#d32f2f", Colour.YELLOW: "#f2b600", Colour.GREEN: "#2e7d32", Colour.GREY: "#7b8794"},
    "dark": {Colour.RED: "#ff5252", Colour.YELLOW: "#ffd54f", Colour.GREEN: "#66bb6a", Colour.GREY: "#9aa5b1"},
}

# The share of an area's open complaints past their target, from none (green) through
# half (yellow) to all (red). Lightness moves one way along the scale (dark
# green, ochre, bright red on the dark wall), so it still reads for colour-blind eyes.
SHADING: dict[Theme, list[list[float | str]]] = {
    "light": [[0.0, "#a5d6a7"], [0.5, "#ffe082"], [1.0, "#e57373"]],
    "dark": [[0.0, "#1e4d2b"], [0.5, "#9c7a12"], [1.0, "#d83a3a"]],
}
# Where the scale tops out: an area with this share of its open complaints overdue is red.
SHADING_TOP_SHARE = 1.0


def palette(theme: Theme) -> dict[str, str]:
    """The map's non-status colours: background, boundary lines, the overdue ring, the hole of a ring marker."""
    if theme == "dark":
        return {
            "background": "#0b1622",
            "fine_line": "#5d7389",
            "bold_line": "#c9d6e2",
            "halo": "#e3ebf2",
            "core": "#0b1622",
            "hover_bg": "#12263a",
            "hover_text": "#ffffff",
        }
    return {
        "background": "#e9eef2",
        "fine_line": "#8a9aab",
        "bold_line": "#263a4f",
        "halo": "#1b1f24",
        "core": "#ffffff",
        "hover_bg": "#ffffff",
        "hover_text": "#1b1f24",
    }


def marker_colour(status: str, theme: Theme = "light") -> str:
    return MARKER[theme][colour_of(status)]
