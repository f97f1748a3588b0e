"""Who may take each action of the status machine: every action has a taker, and no role names an unknown one."""

from api.permissions import BULK_ACTIONS, ROLE_ACTIONS, STAFF_ACTIONS, STAFF_ROLES, roles_taking
from db.status import ACTIONS


def test_every_action_of_the_machine_is_taken_by_some_role_and_no_role_takes_an_unknown_one() -> None:
    assert {action: bool(roles_taking(action)) for action in ACTIONS} == dict.fromkeys(ACTIONS, True)
    assert set().union(*ROLE_ACTIONS.values()) == set(ACTIONS)


def test_the_reporter_and_the_system_take_only_their_own_actions() -> None:
    assert roles_taking("dispute") == ("public",)
    assert roles_taking("reroute_out") == roles_taking("reroute_in") == ("system",)
    # No staff page or staff API offers them.
    assert not {"dispute", "reroute_out", "reroute_in"} & STAFF_ACTIONS
    assert set(BULK_ACTIONS) <= STAFF_ACTIONS
    assert set(STAFF_ROLES) < set(ROLE_ACTIONS)
