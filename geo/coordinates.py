"""Coordinates as people paste them: "-6.1781, 106.6297", or a map link that carries them."""

from __future__ import annotations

import re

# "@lat,lon" (Google Maps), "q=lat,lon" / "ll=" / "query=" (most map links), "mlat=…&mlon=…" (OpenStreetMap),
# or a bare "lat, lon" pair.
_NUMBER = r"(-?\d{1,3}(?:\.\d+)?)"
_PATTERNS = (
    re.compile(rf"@{_NUMBER},\s*{_NUMBER}"),
    re.compile(rf"[?&](?:q|ll|query|center|destination)={_NUMBER}(?:,|%2C)\s*{_NUMBER}", re.I),
    re.compile(rf"mlat={_NUMBER}&mlon={_NUMBER}", re.I),
    re.compile(rf"^\s*{_NUMBER}\s*[,; ]\s*{_NUMBER}\s*$"),
)


class CoordinateError(ValueError):
    """Text that holds no usable coordinates; ``reason`` is "unreadable" or "out_of_range"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_coordinates(text: str) -> tuple[float, float]:
    """(lat, lon) from pasted text or a map link; raises CoordinateError."""
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            lat, lon = float(match.group(1)), float(match.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise CoordinateError("out_of_range")
            return lat, lon
    raise CoordinateError("unreadable")
