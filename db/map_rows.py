"""What the wall's queries return (``db/wall.py``) and ``geo/`` draws: plain records that import nothing else of ``db``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


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


class AreaStat(NamedTuple):
    """An area's open complaints and how many of them are past their handling target."""

    open: int
    overdue: int


@dataclass(frozen=True)
class Bounds:
    west: float
    south: float
    east: float
    north: float


def rank(change_seq: int, overdue: bool) -> int:
    """Orders two versions of one marker: a later change wins (``change_seq`` grows with each change of a
    complaint, migration 0028), and so does the same change once overdue."""
    return int(change_seq) * 2 + int(bool(overdue))
