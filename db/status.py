"""The complaint status machine: the one place that says which change is legal.

Statuses are stored as their value (``baru``…), each with the colour the wall
screen shows. Actions are what people do; each names the statuses it may start
from, the status it leads to, what it requires, and whether it takes the job
away from the field supervisor it was assigned to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    BARU = "baru"
    TERVERIFIKASI = "terverifikasi"
    LUAR_WILAYAH = "luar_wilayah"
    DITERUSKAN = "diteruskan"
    DITUGASKAN = "ditugaskan"
    DIKERJAKAN = "dikerjakan"
    SELESAI = "selesai"
    DITOLAK = "ditolak"
    DUPLIKAT = "duplikat"


class Colour(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    GREY = "grey"


COLOUR: dict[Status, Colour] = {
    Status.BARU: Colour.RED,
    Status.TERVERIFIKASI: Colour.RED,
    Status.LUAR_WILAYAH: Colour.RED,
    Status.DITERUSKAN: Colour.YELLOW,
    Status.DITUGASKAN: Colour.YELLOW,
    Status.DIKERJAKAN: Colour.YELLOW,
    Status.SELESAI: Colour.GREEN,
    Status.DITOLAK: Colour.GREY,
    Status.DUPLIKAT: Colour.GREY,
}

OPEN_STATUSES: frozenset[Status] = frozenset(s for s, c in COLOUR.items() if c in (Colour.RED, Colour.YELLOW))
CLOSED_STATUSES: frozenset[Status] = frozenset(COLOUR) - OPEN_STATUSES


def statuses_of(colour: Colour | str) -> list[Status]:
    """Statuses shown in one colour, in lifecycle order."""
    return [s for s in Status if COLOUR[s] == Colour(colour)]


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[Status]
    target: Status
    needs_reason: bool = False
    needs_completion_photo: bool = False
    # The job leaves whoever it was assigned to: it goes to another agency or city, or back to the live room.
    drops_assignee: bool = False


_WORKING = frozenset({Status.DITERUSKAN, Status.DITUGASKAN, Status.DIKERJAKAN})
_ACTIVE = frozenset({Status.BARU, Status.TERVERIFIKASI, Status.LUAR_WILAYAH}) | _WORKING

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("verify", frozenset({Status.BARU}), Status.TERVERIFIKASI),
        Action("forward", _ACTIVE, Status.DITERUSKAN, needs_reason=True, drops_assignee=True),
        Action("assign", frozenset({Status.TERVERIFIKASI}) | _WORKING, Status.DITUGASKAN),
        Action("start", frozenset({Status.DITERUSKAN, Status.DITUGASKAN}), Status.DIKERJAKAN),
        Action("complete", _WORKING, Status.SELESAI, needs_completion_photo=True),
        Action("reject", _ACTIVE, Status.DITOLAK, needs_reason=True),
        Action("duplicate", _ACTIVE, Status.DUPLIKAT, needs_reason=True),
        Action(
            "reopen",
            frozenset({Status.SELESAI, Status.DITOLAK, Status.DUPLIKAT}),
            Status.TERVERIFIKASI,
            needs_reason=True,
            drops_assignee=True,
        ),
    )
}


class TransitionError(Exception):
    """A status change that is not allowed; ``current`` is the status it met."""

    def __init__(self, message: str, current: Status | None = None):
        super().__init__(message)
        self.current = current


class ConflictError(TransitionError):
    """The complaint changed since the caller last saw it."""


def check_transition(
    action_name: str, current: Status, *, reason: str | None = None, completion_photos: int = 0
) -> Status:
    """The status ``action_name`` leads to from ``current``, or a TransitionError saying why not."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionError(f"unknown action {action_name!r}; known: {', '.join(ACTIONS)}", current)
    if current not in action.sources:
        allowed = ", ".join(s.value for s in action.sources)
        raise TransitionError(
            f"cannot {action_name} a complaint that is {current.value!r} (allowed from: {allowed})", current
        )
    if action.needs_reason and not (reason or "").strip():
        raise TransitionError(f"{action_name} needs a reason", current)
    if action.needs_completion_photo and completion_photos < 1:
        raise TransitionError("a complaint turns selesai only with at least one completion photo", current)
    return action.target
