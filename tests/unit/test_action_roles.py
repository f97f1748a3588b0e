"""Who may take each action of the status machine: every action has a taker, and no role names an unknown one."""

from db.status import ACTIONS, STEPS
from services.permissions import BULK_ACTIONS, BULK_STEPS, ROLE_ACTIONS, STAFF_ACTIONS, STAFF_ROLES, roles_taking


def test_every_action_of_the_machine_is_taken_by_some_role_and_no_role_takes_an_unknown_one() -> None:
    assert {action: bool(roles_taking(action)) for action in ACTIONS} == dict.fromkeys(ACTIONS, True)
    assert set().union(*ROLE_ACTIONS.values()) == set(ACTIONS)


def test_the_reporter_and_the_system_take_only_their_own_actions() -> None:
    assert roles_taking("dispute") == ("public",)
    assert roles_taking("reroute_out") == roles_taking("reroute_in") == ("system",)
    # No staff page or staff API offers them.
    assert not {"dispute", "reroute_out", "reroute_in"} & STAFF_ACTIONS
    assert set(BULK_ACTIONS) <= STAFF_ACTIONS
    assert all(set(STEPS[step]) <= STAFF_ACTIONS for step in BULK_STEPS)
    assert set(STAFF_ROLES) < set(ROLE_ACTIONS)


def test_the_readme_table_lists_every_action_with_who_may_take_it() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].strip("`") in ACTIONS:
            rows[cells[0].strip("`")] = cells[4]
    assert set(rows) == set(ACTIONS)
    names = {"public": "the reporter", "system": "the system"}
    for action, who in rows.items():
        written = {part.strip().strip("`") for part in who.split(",")}
        assert written == {names.get(role, role) for role in roles_taking(action)}, action
