"""Merging duplicates never takes a job from its crew: the survivor must be at least as far along (issue 18)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.integration.staff import Account, Accounts, act, bearer, new_complaint, status_of

DBMSDA = "3671.DBMSDA"


def _assigned(client: Any, operator: dict[str, str], code: str, supervisor: Account) -> None:
    for body in ({"action": "verify"}, {"action": "assign", "assignee": supervisor.username}):
        response = act(client, operator, code, **body)
        assert response.status_code == 200, response.get_json()


def _reporter_sees(code: str) -> str:
    from db.engine import get_engine
    from db.workflow import public_status

    with get_engine().connect() as conn:
        seen = public_status(conn, code)
    assert seen is not None
    return str(seen["status"])


def test_an_assigned_job_is_never_merged_into_a_new_report(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    operator = bearer(client, accounts("operator"))
    supervisor = accounts("field", opd=DBMSDA)
    assigned = new_complaint(engine, committed)
    _assigned(client, operator, assigned, supervisor)
    fresh = new_complaint(engine, committed, east_m=23)

    # The wrong way round: refused with 409, naming the report that should survive; nothing changes.
    refused = act(client, operator, assigned, action="duplicate", of=fresh, reason="lubang yang sama")
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["status"] == "ditugaskan"
    assert f"merge {fresh} into {assigned} instead" in body["error"]
    assert supervisor.username in body["error"]
    # The same rule in a bulk action: listed as failed, the rest of the batch goes on.
    other = new_complaint(engine, committed, east_m=400)
    bulk = client.post(
        "/api/v1/complaints/bulk",
        json={"ids": [assigned, other], "action": "duplicate", "of": fresh, "reason": "lubang yang sama"},
        headers=operator,
    ).get_json()
    assert (bulk["done"], bulk["failed"]) == (1, 1)
    failure = next(r for r in bulk["results"] if r["id"] == assigned)
    assert failure["reason"] == "illegal" and f"merge {fresh} into {assigned} instead" in failure["error"]
    kept = status_of(engine, assigned)
    assert (kept["status"], kept["assignee"], kept["merged_into_id"]) == ("ditugaskan", supervisor.username, None)
    assert _reporter_sees(assigned) == "ditugaskan"

    # The right way round: the new report joins the job, which stays on the supervisor's list.
    merged = act(client, operator, fresh, action="duplicate", of=assigned, reason="lubang yang sama")
    assert merged.status_code == 200 and merged.get_json()["status"] == "duplikat"
    kept = status_of(engine, assigned)
    assert (kept["status"], kept["assignee"]) == ("ditugaskan", supervisor.username)
    jobs = client.get("/api/v1/jobs", headers=bearer(client, supervisor)).get_json()["jobs"]
    assert assigned in {j["id"] for j in jobs}
    assert _reporter_sees(assigned) == "ditugaskan" and _reporter_sees(fresh) == "ditugaskan"


def test_a_merge_follows_the_stage_not_the_age(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    operator = bearer(client, accounts("operator"))
    verified = new_complaint(engine, committed, category="banjir_drainase")
    assert act(client, operator, verified, action="verify").status_code == 200
    forwarded = new_complaint(engine, committed, category="banjir_drainase", east_m=40)
    response = act(client, operator, forwarded, action="forward", opd=DBMSDA, reason="saluran kota")
    assert response.status_code == 200
    newest = new_complaint(engine, committed, category="banjir_drainase", east_m=80)

    # A verified report does not swallow a forwarded one, however old it is.
    refused = act(client, operator, forwarded, action="duplicate", of=verified, reason="sama")
    assert refused.status_code == 409 and f"merge {verified} into {forwarded} instead" in refused.get_json()["error"]
    assert status_of(engine, forwarded)["status"] == "diteruskan"
    # The other way round is fine; a later report merged into the duplicate lands on its survivor.
    assert act(client, operator, verified, action="duplicate", of=forwarded, reason="sama").status_code == 200
    assert act(client, operator, newest, action="duplicate", of=verified, reason="sama").status_code == 200
    assert status_of(engine, newest)["merged_into_id"] == status_of(engine, verified)["merged_into_id"]
    assert status_of(engine, forwarded)["status"] == "diteruskan"


def test_the_action_form_asks_before_a_merge_and_refuses_the_wrong_way_round(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from tests.integration.staff import dash_call, session_login

    supervisor = accounts("field", opd=DBMSDA)
    assigned = new_complaint(engine, committed)
    _assigned(client, bearer(client, accounts("operator")), assigned, supervisor)
    fresh = new_complaint(engine, committed, east_m=23)
    session_login(client, accounts("operator"))
    spec = next(c for c in client.get("/_dash-dependencies").get_json() if c["output"].startswith("..cp-msg.children"))
    outputs = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in spec["output"].strip(".").split("...")]

    def mark_duplicate(code: str, of: str) -> dict[str, Any]:
        values = {"cp-action": "duplicate", "cp-of": of, "cp-reason": "lubang yang sama"}
        state = [
            {"id": s["id"], "property": s["property"], "value": values.get(s["id"])}
            for s in spec["state"]
            if s["id"] != "cp-ctx"
        ]
        state.append({"id": "cp-ctx", "property": "data", "value": {"code": code, "version": 3, "lang": "id"}})
        body = {
            "output": spec["output"],
            "outputs": outputs,
            "inputs": [{"id": "cp-submit", "property": "n_clicks", "value": 1}],
            "state": state,
            "changedPropIds": ["cp-submit.n_clicks"],
        }
        response = dash_call(client, body)
        assert response.status_code == 200, response.data[:300]
        return response.get_json()["response"]  # type: ignore[no-any-return]

    wrong = mark_duplicate(assigned, fresh)
    assert f"{assigned} tidak bisa digabungkan ke {fresh}" in str(wrong["cp-msg"]["children"])
    assert "cp-merge-ask" not in wrong  # no question is asked for a merge that would lose the job
    right = mark_duplicate(fresh, assigned)
    assert right["cp-merge-ask"]["hidden"] is False
    assert right["cp-merge-q"]["children"] == f"Gabungkan {fresh} ke {assigned}?"
    assert right["cp-merge-pending"]["data"]["into"] == assigned
    assert (status_of(engine, fresh)["status"], status_of(engine, assigned)["status"]) == ("baru", "ditugaskan")
