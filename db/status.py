"""The complaint status machine: the one place that says which change is legal.

Statuses are stored as their value (``baru``…), each with the colour the wall
screen shows. Actions are what people (and the system) do; each names the
statuses it may start from, the status it leads to, the arguments it requires,
the history entry it records and whether it takes the job away from the field
supervisor it was assigned to. Who may take which action is ``services/permissions.py``;
``services/actions.py`` is the one way to take one. SQL names the status lists
it needs as placeholders filled from here (``status_lists``), never typed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    BARU = "baru"
    TERVERIFIKASI = "terverifikasi"
    LUAR_WILAYAH = "luar_wilayah"
    DITERUSKAN = "diteruskan"
    # Sending a forwarded report to the other jurisdiction's own system failed: an operator retries or redirects.
    GAGAL_DITERUSKAN = "gagal_diteruskan"
    DITUGASKAN = "ditugaskan"
    DIKERJAKAN = "dikerjakan"
    # Finished with a completion photo taken far from the report (or without a position): an operator confirms.
    PERLU_KONFIRMASI = "perlu_konfirmasi"
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
    Status.GAGAL_DITERUSKAN: Colour.RED,
    Status.DITUGASKAN: Colour.YELLOW,
    Status.DIKERJAKAN: Colour.YELLOW,
    Status.PERLU_KONFIRMASI: Colour.YELLOW,
    Status.SELESAI: Colour.GREEN,
    Status.DITOLAK: Colour.GREY,
    Status.DUPLIKAT: Colour.GREY,
}

OPEN_STATUSES: frozenset[Status] = frozenset(s for s, c in COLOUR.items() if c in (Colour.RED, Colour.YELLOW))
CLOSED_STATUSES: frozenset[Status] = frozenset(COLOUR) - OPEN_STATUSES


def colour_of(status: str) -> Colour:
    """The wall colour of a stored status value."""
    return COLOUR[Status(status)]


def statuses_of(colour: Colour | str) -> list[Status]:
    """Statuses shown in one colour, in lifecycle order."""
    return [s for s in Status if COLOUR[s] == Colour(colour)]


# The arguments an action may require besides its name (a free ``note`` is always allowed).
ARGUMENTS = ("reason", "opd", "kota", "assignee", "of", "category")


@dataclass(frozen=True)
class Action:
    """One thing that can be done to a complaint.

    ``sources``: the statuses it may start from. ``target``: the status it leads to, or None when the
    status stays (a change of category). ``needs``: what it requires, each entry a choice of arguments of
    which one must be given: ``(("opd", "kota"), ("reason",))`` is an agency or a city, and a reason.
    ``event``: the kind of history entry it records. Who may take it is ``services/permissions.py``.
    ``unconfirmed``: for ``complete``, the status it leads to instead when no completion photo was taken
    within ``PANTAU_PHOTO_MAX_DISTANCE_M`` of the report (far away, or no position in the photo); it then
    also needs a reason, for the operator who confirms. ``tells_reason``: its reason is for the reporter (why
    a report was rejected, merged or sent elsewhere) and is shown to them; any other reason or note is internal.
    """

    name: str
    sources: frozenset[Status]
    target: Status | None
    needs: tuple[tuple[str, ...], ...] = ()
    needs_completion_photo: bool = False
    # The job leaves whoever it was assigned to: it goes to another agency or city, or back to the live room.
    drops_assignee: bool = False
    event: str = "status_changed"
    unconfirmed: Status | None = None
    tells_reason: bool = False

    @property
    def needs_reason(self) -> bool:
        return ("reason",) in self.needs

    @property
    def takes(self) -> frozenset[str]:
        """Every argument it may be given (besides a note)."""
        return frozenset(arg for choice in self.needs for arg in choice)

    def missing(self, given: Mapping[str, object]) -> tuple[str, ...] | None:
        """The first choice of arguments of which ``given`` holds none (blank text counts as none), or None."""
        for choice in self.needs:
            if not any(str(given.get(arg) or "").strip() for arg in choice):
                return choice
        return None


_WORKING = frozenset({Status.DITERUSKAN, Status.DITUGASKAN, Status.DIKERJAKAN})
_ACTIVE = frozenset({Status.BARU, Status.TERVERIFIKASI, Status.LUAR_WILAYAH, Status.GAGAL_DITERUSKAN}) | _WORKING
_REASON = ("reason",)

# Where a new complaint starts: routed to a kelurahan it is new; outside every boundary it waits for the operators.
INTAKE_INSIDE = Status.BARU
INTAKE_OUTSIDE = Status.LUAR_WILAYAH

# Every action, in the order the staff pages offer them.
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("verify", frozenset({Status.BARU}), Status.TERVERIFIKASI, event="verified"),
        Action(
            "forward",
            _ACTIVE,
            Status.DITERUSKAN,
            needs=(("opd", "kota"), _REASON),
            drops_assignee=True,
            event="forwarded",
            tells_reason=True,
        ),
        Action(
            "assign",
            frozenset({Status.TERVERIFIKASI}) | _WORKING,
            Status.DITUGASKAN,
            needs=(("assignee",),),
            event="assigned",
        ),
        Action("start", frozenset({Status.DITERUSKAN, Status.DITUGASKAN}), Status.DIKERJAKAN),
        Action("complete", _WORKING, Status.SELESAI, needs_completion_photo=True, unconfirmed=Status.PERLU_KONFIRMASI),
        # An operator looked at the far (or unplaced) completion photo and the supervisor's reason: it is finished.
        Action("confirm", frozenset({Status.PERLU_KONFIRMASI}), Status.SELESAI),
        # The agency follows the new category; the job leaves its supervisor only when the agency changes.
        Action("recategorise", _ACTIVE, None, needs=(("category",), _REASON), event="routed"),
        Action("reject", _ACTIVE, Status.DITOLAK, needs=(_REASON,), tells_reason=True),
        # Merging: the report follows the one it duplicates (``of``) from now on.
        Action("duplicate", _ACTIVE, Status.DUPLIKAT, needs=(("of",), _REASON), event="merged", tells_reason=True),
        Action(
            "reopen",
            # Also a completion the operator does not accept: back to the live room, off the supervisor's list.
            frozenset({Status.PERLU_KONFIRMASI, Status.SELESAI, Status.DITOLAK, Status.DUPLIKAT}),
            Status.TERVERIFIKASI,
            needs=(_REASON,),
            drops_assignee=True,
        ),
        # The reporter, through their own link, says a finished report is not finished: back to the operators.
        Action("dispute", frozenset({Status.SELESAI}), Status.TERVERIFIKASI, needs=(_REASON,), drops_assignee=True),
        # New boundaries (``import-boundaries``, ``reroute``): a report not yet with an agency whose place is now
        # outside every boundary waits for the operators, and one that now falls inside comes back as new.
        Action("reroute_out", frozenset({Status.BARU, Status.TERVERIFIKASI}), INTAKE_OUTSIDE, event="rerouted"),
        Action("reroute_in", frozenset({INTAKE_OUTSIDE}), INTAKE_INSIDE, event="rerouted"),
        # Forwarding through another jurisdiction's door (db/doors.py): the system records that sending failed,
        # with the error as the reason; an operator (or the door worker's own bounded retry) sends it again.
        Action("handover_failed", frozenset({Status.DITERUSKAN}), Status.GAGAL_DITERUSKAN, needs=(_REASON,)),
        Action("resend", frozenset({Status.GAGAL_DITERUSKAN}), Status.DITERUSKAN, event="forwarded"),
        # The other system closed it: finished here, its note (the reason) and photo link kept in the history.
        Action("remote_close", frozenset({Status.DITERUSKAN}), Status.SELESAI, needs=(_REASON,), tells_reason=True),
    )
}

# Common jobs of two actions in one step, as pages offer them ("verifikasi & tugaskan"): each action is still
# taken on its own, in turn (services.actions.act_in_turn), with a transition of its own in the history.
STEPS: dict[str, tuple[str, ...]] = {"verify_assign": ("verify", "assign")}


def status_lists() -> dict[str, tuple[Status, ...]]:
    """The status lists SQL may name as ``{placeholders}`` (``db/sql/__init__.py`` fills them in), each in
    lifecycle order: ``{open}``, ``{closed}``, each colour (``{red}``…), ``{intake.inside}`` and
    ``{intake.outside}``, every action's ``{<action>.sources}`` and ``{<action>.target}``, and each status
    by itself (``{status.baru}``)."""
    lists: dict[str, frozenset[Status]] = {
        "open": OPEN_STATUSES,
        "closed": CLOSED_STATUSES,
        **{colour.value: frozenset(statuses_of(colour)) for colour in Colour},
        "intake.inside": frozenset({INTAKE_INSIDE}),
        "intake.outside": frozenset({INTAKE_OUTSIDE}),
        **{f"status.{s.value}": frozenset({s}) for s in Status},
    }
    for action in ACTIONS.values():
        lists[f"{action.name}.sources"] = action.sources
        if action.target is not None:
            lists[f"{action.name}.target"] = frozenset({action.target})
    return {name: tuple(s for s in Status if s in chosen) for name, chosen in lists.items()}


class TransitionError(Exception):
    """A status change that is not allowed; ``current`` is the status it met."""

    def __init__(self, message: str, current: Status | None = None):
        super().__init__(message)
        self.current = current


class ConflictError(TransitionError):
    """The complaint changed since the caller last saw it."""


class ReasonNeeded(TransitionError):
    """``complete`` with no completion photo near the report needs a reason (``field`` is the argument)."""

    field = "reason"


def check_transition(
    action_name: str,
    current: Status,
    *,
    completion_photos: int = 0,
    photo_near: bool = True,
    photo_distance_m: float | None = None,
    **given: object,
) -> Status:
    """The status ``action_name`` leads to from ``current`` given its arguments (``reason=``, ``opd=``…), or a
    TransitionError saying why not. ``photo_near``: some completion photo was taken within the allowed distance
    of the report (``photo_distance_m`` is the nearest one's distance, None when no photo has a position)."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionError(f"unknown action {action_name!r}; known: {', '.join(ACTIONS)}", current)
    if current not in action.sources:
        allowed = ", ".join(s.value for s in Status if s in action.sources)
        raise TransitionError(
            f"cannot {action_name} a complaint that is {current.value!r} (allowed from: {allowed})", current
        )
    missing = action.missing(given)
    if missing == _REASON:
        raise TransitionError(f"{action_name} needs a reason", current)
    if missing is not None:
        raise TransitionError(f"{action_name} needs {' or '.join(repr(arg) for arg in missing)}", current)
    if action.needs_completion_photo and completion_photos < 1:
        raise TransitionError("a complaint turns selesai only with at least one completion photo", current)
    if action.unconfirmed is not None and not photo_near:
        if not str(given.get("reason") or "").strip():
            where = (
                "no completion photo has a GPS position"
                if photo_distance_m is None
                else f"the nearest completion photo was taken {photo_distance_m:,.0f} m from the report"
            )
            raise ReasonNeeded(
                f"{action_name} needs a reason: {where}; an operator confirms it before it is finished", current
            )
        return action.unconfirmed
    return current if action.target is None else action.target
