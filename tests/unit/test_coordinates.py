"""Coordinates pasted by an operator: a pair, or the map links people send."""

from __future__ import annotations

import pytest

from geo.coordinates import CoordinateError, parse_coordinates


@pytest.mark.parametrize(
    "pasted",
    [
        "-6.1781, 106.6297",
        "-6.1781 106.6297",
        "https://www.google.com/maps/place/Alun-alun/@-6.1781,106.6297,17z",
        "https://maps.google.com/?q=-6.1781,106.6297",
        "https://www.openstreetmap.org/?mlat=-6.1781&mlon=106.6297#map=17",
        "https://www.google.com/maps/search/?api=1&query=-6.1781%2C106.6297",
    ],
)
def test_a_pair_or_a_map_link_gives_the_place(pasted: str) -> None:
    assert parse_coordinates(pasted) == (-6.1781, 106.6297)


@pytest.mark.parametrize(("pasted", "reason"), [("Jl. Mawar 5", "unreadable"), ("95, 106", "out_of_range")])
def test_anything_else_is_refused_with_the_reason(pasted: str, reason: str) -> None:
    with pytest.raises(CoordinateError) as refused:
        parse_coordinates(pasted)
    assert refused.value.reason == reason
