"""The status machine: every action from every status is either the documented change or a clear refusal."""

import pytest

from db.models import EVENT_KINDS
from db.status import ACTIONS, ARGUMENTS, COLOUR, Colour, ReasonNeeded, Status, TransitionError, check_transition

OPEN = (
    Status.BARU,
    Status.TERVERIFIKASI,
    Status.LUAR_WILAYAH,
    Status.DITERUSKAN,
    Status.DITUGASKAN,
    Status.DIKERJAKAN,
    Status.GAGAL_DITERUSKAN,
)

LEGAL = {
    ("verify", Status.BARU): Status.TERVERIFIKASI,
    **{("forward", s): Status.DITERUSKAN for s in OPEN},
    **{("assign", s): Status.DITUGASKAN for s in (
        Status.TERVERIFIKASI, Status.DITERUSKAN, Status.DITUGASKAN, Status.DIKERJAKAN)},
    ("start", Status.DITERUSKAN): Status.DIKERJAKAN,
    ("start", Status.DITUGASKAN): Status.DIKERJAKAN,
    **{("complete", s): Status.SELESAI for s in (Status.DITERUSKAN, Status.DITUGASKAN, Status.DIKERJAKAN)},
    **{("reject", s): Status.DITOLAK for s in OPEN},
    **{("duplicate", s): Status.DUPLIKAT for s in OPEN},
    ("confirm", Status.PERLU_KONFIRMASI): Status.SELESAI,
    **{("reopen", s): Status.TERVERIFIKASI for s in (
        Status.PERLU_KONFIRMASI, Status.SELESAI, Status.DITOLAK, Status.DUPLIKAT)},
    **{("recategorise", s): s for s in OPEN},  # the category changes, the status stays
    ("dispute", Status.SELESAI): Status.TERVERIFIKASI,
    ("reroute_out", Status.BARU): Status.LUAR_WILAYAH,
    ("reroute_out", Status.TERVERIFIKASI): Status.LUAR_WILAYAH,
    ("reroute_in", Status.LUAR_WILAYAH): Status.BARU,
    # A door to another jurisdiction's system (federation/): failed, sent again, closed there.
    ("handover_failed", Status.DITERUSKAN): Status.GAGAL_DITERUSKAN,
    ("resend", Status.GAGAL_DITERUSKAN): Status.DITERUSKAN,
    ("remote_close", Status.DITERUSKAN): Status.SELESAI,
}  # fmt: skip
# Every argument given, so only the status decides.
EVERYTHING = {name: "x" for name in ARGUMENTS}

ALL = [(action, status) for action in ACTIONS for status in Status]


@pytest.mark.parametrize(("action", "status"), ALL, ids=[f"{a}-{s.value}" for a, s in ALL])
def test_every_action_from_every_status(action: str, status: Status) -> None:
    if (action, status) in LEGAL:
        assert check_transition(action, status, completion_photos=1, **EVERYTHING) == LEGAL[(action, status)]
    else:
        with pytest.raises(TransitionError, match=f"cannot {action} a complaint that is '{status.value}'") as err:
            check_transition(action, status, completion_photos=1, **EVERYTHING)
        assert err.value.current == status


@pytest.mark.parametrize("action", [name for name, a in ACTIONS.items() if a.needs_reason])
def test_actions_that_need_a_reason_refuse_without_one(action: str) -> None:
    source = next(iter(ACTIONS[action].sources))
    for reason in (None, "", "   "):
        with pytest.raises(TransitionError, match="needs a reason"):
            check_transition(action, source, completion_photos=1, **{**EVERYTHING, "reason": reason})


@pytest.mark.parametrize(
    ("action", "needs"),
    [("forward", ("opd", "kota")), ("assign", ("assignee",)), ("duplicate", ("of",)), ("recategorise", ("category",))],
)
def test_actions_name_what_they_lack(action: str, needs: tuple[str, ...]) -> None:
    source = next(iter(ACTIONS[action].sources))
    without = {**EVERYTHING, **dict.fromkeys(needs)}
    with pytest.raises(TransitionError, match=f"{action} needs {' or '.join(repr(n) for n in needs)}"):
        check_transition(action, source, **without)
    # One of a choice is enough: forwarding to a city needs no agency.
    assert check_transition(action, source, **{**without, needs[-1]: "x"}) in Status


def test_every_action_records_a_known_history_entry_and_needs_only_known_arguments() -> None:
    for action in ACTIONS.values():
        assert action.event in EVENT_KINDS, action.name
        assert action.takes <= set(ARGUMENTS), action.name


def test_finishing_needs_a_completion_photo() -> None:
    with pytest.raises(TransitionError, match="completion photo"):
        check_transition("complete", Status.DIKERJAKAN, completion_photos=0)
    assert check_transition("complete", Status.DIKERJAKAN, completion_photos=2) == Status.SELESAI


def test_finishing_with_no_photo_near_the_report_needs_a_reason_and_waits_for_confirmation() -> None:
    far = {"completion_photos": 1, "photo_near": False, "photo_distance_m": 11_000.0}
    for reason in (None, "", "  "):
        with pytest.raises(ReasonNeeded, match="needs a reason: the nearest completion photo was taken 11,000 m"):
            check_transition("complete", Status.DIKERJAKAN, reason=reason, **far)  # type: ignore[arg-type]
    with pytest.raises(ReasonNeeded, match="no completion photo has a GPS position"):
        check_transition("complete", Status.DIKERJAKAN, completion_photos=1, photo_near=False)
    waiting = check_transition("complete", Status.DIKERJAKAN, reason="GPS kamera mati", **far)  # type: ignore[arg-type]
    assert waiting == Status.PERLU_KONFIRMASI
    assert COLOUR[waiting] == Colour.YELLOW  # not green until an operator confirms
    assert check_transition("confirm", waiting) == Status.SELESAI


def test_unknown_action_is_named() -> None:
    with pytest.raises(TransitionError, match="unknown action 'close'"):
        check_transition("close", Status.BARU)


def test_colours_match_the_wall_screen_legend() -> None:
    assert {s for s, c in COLOUR.items() if c == Colour.RED} == {
        Status.BARU,
        Status.TERVERIFIKASI,
        Status.LUAR_WILAYAH,
        Status.GAGAL_DITERUSKAN,
    }
    assert {s for s, c in COLOUR.items() if c == Colour.YELLOW} == {
        Status.DITERUSKAN,
        Status.DITUGASKAN,
        Status.DIKERJAKAN,
        Status.PERLU_KONFIRMASI,
    }
    assert {s for s, c in COLOUR.items() if c == Colour.GREEN} == {Status.SELESAI}
    assert {s for s, c in COLOUR.items() if c == Colour.GREY} == {Status.DITOLAK, Status.DUPLIKAT}
