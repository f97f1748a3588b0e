"""Verify and assign in one step (services.actions.act_in_turn): two transitions, or none at all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from tests.integration.staff import Accounts, new_complaint, status_of


def _user(engine: Engine, account: Any) -> Any:
    from db.accounts import StaffUser, load_user

    with engine.connect() as conn:
        return StaffUser.from_row(load_user(conn, user_id=account.id))


def _transitions(engine: Engine, code: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT e.to_status FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                    "WHERE c.tracking_code = :c AND e.from_status IS NOT NULL AND e.to_status IS NOT NULL "
                    "ORDER BY e.id"
                ),
                {"c": code},
            ).scalars()
        )


def test_verify_and_assign_are_two_transitions(engine: Engine, committed: list[int], accounts: Accounts) -> None:
    from services.actions import act_in_turn, available_steps

    supervisor = accounts("field", opd="3671.DBMSDA")
    operator = _user(engine, accounts("operator"))
    code = new_complaint(engine, committed)
    with engine.connect() as conn:
        from db.workflow import detail

        assert available_steps(operator, detail(conn, code)) == ["verify_assign"]
    outcome = act_in_turn(operator, code, [("verify", {}), ("assign", {"assignee": supervisor.username})])
    assert outcome.ok
    assert (status_of(engine, code)["status"], status_of(engine, code)["assignee"]) == (
        "ditugaskan",
        supervisor.username,
    )
    assert _transitions(engine, code) == ["terverifikasi", "ditugaskan"]


def test_when_the_assign_cannot_be_taken_the_verify_is_not_taken_either(
    engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from services.actions import act_in_turn

    operator = _user(engine, accounts("operator"))
    code = new_complaint(engine, committed)  # routed to DBMSDA
    # Another agency's supervisor cannot work it: the verify alone would pass, the assign does not; neither stays.
    other = accounts("field", opd="3674.DISHUB")
    outcome = act_in_turn(operator, code, [("verify", {}), ("assign", {"assignee": other.username})])
    assert not outcome.ok and outcome.kind == "forbidden"
    assert status_of(engine, code)["status"] == "baru" and _transitions(engine, code) == []
    # The same step with a supervisor who can work it goes through.
    supervisor = accounts("field", opd="3671.DBMSDA")
    assert act_in_turn(operator, code, [("verify", {}), ("assign", {"assignee": supervisor.username})]).ok
    assert _transitions(engine, code) == ["terverifikasi", "ditugaskan"]


def test_verify_and_assign_on_many_takes_each_report_whole_or_not_at_all(
    engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from services.actions import act_in_turn, act_many_in_turn

    supervisor = accounts("field", opd="3671.DBMSDA")
    operator = _user(engine, accounts("operator"))
    fresh, verified = new_complaint(engine, committed), new_complaint(engine, committed)
    assert act_in_turn(operator, verified, [("verify", {})]).ok
    steps = [("verify", {}), ("assign", {"assignee": supervisor.username})]
    outcomes = {o.ref: o for o in act_many_in_turn(operator, [fresh, verified, "NO-SUCH-CODE"], steps)}
    # The new one is verified then assigned; the verified one cannot be verified again, so it is not assigned
    # either; an unknown code is said to be unknown.
    assert outcomes[fresh].ok and _transitions(engine, fresh) == ["terverifikasi", "ditugaskan"]
    assert outcomes[verified].kind == "illegal" and _transitions(engine, verified) == ["terverifikasi"]
    assert status_of(engine, verified)["assignee"] is None
    assert outcomes["NO-SUCH-CODE"].kind == "not_found"
