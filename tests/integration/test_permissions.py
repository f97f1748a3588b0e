"""Every staff page and endpoint checks the role, the agency and the assignee (see api/permissions.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    dash_call,
    ids_in,
    jpeg,
    new_complaint,
    render_page,
    session_login,
    status_of,
    text_of,
    upload,
)
from tests.integration.staff import accounts as accounts_fixture

accounts = accounts_fixture  # the fixture, under the name the tests ask for

DBMSDA = "3671.DBMSDA"
DKP = "3671.DKP"


def _assigned_job(client: Any, engine: Engine, committed: list[int], accounts: Accounts, field_user: Any) -> str:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, code, action="verify").status_code == 200
    assert act(client, operator, code, action="assign", assignee=field_user.username).status_code == 200
    return code


@pytest.mark.parametrize(
    ("role", "operator_page", "field_page", "complaint_page"),
    [
        (None, "guard-login", "guard-login", "guard-login"),
        ("admin", "op-table", "fj-list", "cp-form"),
        ("operator", "op-table", "guard-forbidden", "cp-form"),
        ("opd", "op-table", "guard-forbidden", "cp-form"),
        ("field", "guard-forbidden", "fj-list", "cp-outside"),
        ("leader", "guard-forbidden", "guard-forbidden", "cp-ctx"),
    ],
)
def test_each_page_lets_in_only_its_roles(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    role: str | None,
    operator_page: str,
    field_page: str,
    complaint_page: str,
) -> None:
    code = new_complaint(engine, committed)  # routed to DBMSDA of Kota Tangerang
    if role is not None:
        session_login(client, accounts(role, opd=DBMSDA if role == "opd" else None))
    assert operator_page in ids_in(render_page(client, "/operator"))
    assert field_page in ids_in(render_page(client, "/field"))
    complaint = ids_in(render_page(client, f"/pengaduan/{code}"))
    assert complaint_page in complaint
    if role == "leader":
        # A leader reads the complaint but is offered nothing to change.
        assert "cp-form" not in complaint and "cp-upload" not in complaint


def test_an_agency_sees_and_works_only_its_own_complaints(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    ours = new_complaint(engine, committed, category="jalan_rusak")  # DBMSDA
    theirs = new_complaint(engine, committed, category="sampah")  # DKP
    staff = accounts("opd", opd=DBMSDA)
    headers = bearer(client, staff)

    refused = act(client, headers, theirs, action="forward", opd="3671.DISHUB", reason="bukan urusan kami")
    assert refused.status_code == 403
    assert status_of(engine, theirs)["status"] == "baru"
    assert client.get(f"/api/v1/complaints/{theirs}", headers=headers).status_code == 403
    session_login(client, staff)
    assert "cp-outside" in ids_in(render_page(client, f"/pengaduan/{theirs}"))
    page = text_of(render_page(client, "/operator"))
    assert "op-table" in page

    # What the agency may not do at all: verify, reject, mark duplicate, change category.
    for body in (
        {"action": "verify"},
        {"action": "reject", "reason": "tidak jelas"},
        {"action": "duplicate", "of": theirs, "reason": "sama"},
        {"action": "recategorise", "category": "sampah", "reason": "salah pilih"},
    ):
        assert act(client, headers, ours, **body).status_code == 403, body
    assert status_of(engine, ours)["status"] == "baru"

    # No wrong door: the agency hands its report on; it stays open and lands in the receiving agency's queue.
    handed = act(client, headers, ours, action="forward", opd=DKP, reason="ini tumpukan sampah, bukan jalan")
    assert handed.status_code == 200
    assert (handed.get_json()["status"], handed.get_json()["opd"]) == ("diteruskan", DKP)
    receiver = bearer(client, accounts("opd", opd=DKP))
    assert ours in [j["id"] for j in client.get("/api/v1/jobs", headers=receiver).get_json()["jobs"]]
    assert act(client, headers, ours, action="start").status_code == 403  # no longer ours


def test_an_agency_assigns_only_its_own_field_supervisors(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, code, action="verify").status_code == 200
    agency = bearer(client, accounts("opd", opd=DBMSDA))
    other_agency_field = accounts("field", opd=DKP)
    own_field = accounts("field", opd=DBMSDA)
    assert act(client, agency, code, action="assign", assignee=other_agency_field.username).status_code == 403
    assert act(client, agency, code, action="assign", assignee=own_field.username).status_code == 200
    assert status_of(engine, code)["assignee"] == own_field.username


def test_a_field_supervisor_acts_only_on_their_own_jobs(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    mine, other = accounts("field", opd=DBMSDA), accounts("field", opd=DBMSDA)
    code = _assigned_job(client, engine, committed, accounts, mine)
    intruder = bearer(client, other)
    refused = act(client, intruder, code, action="start")
    assert refused.status_code == 403
    assert "someone else" in refused.get_json()["error"]
    assert upload(client, intruder, code, jpeg()).status_code == 403
    assert client.get("/api/v1/jobs", headers=intruder).get_json()["jobs"] == []
    assert status_of(engine, code)["status"] == "ditugaskan"

    owner = bearer(client, mine)
    assert act(client, owner, code, action="verify").status_code == 403  # not a field supervisor's action
    assert act(client, owner, code, action="start").get_json()["status"] == "dikerjakan"
    assert [j["id"] for j in client.get("/api/v1/jobs", headers=owner).get_json()["jobs"]] == [code]


def test_a_leader_reads_but_cannot_change_anything(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    leader = bearer(client, accounts("leader"))
    assert client.get(f"/api/v1/complaints/{code}", headers=leader).status_code == 200
    for body in (
        {"action": "verify"},
        {"action": "forward", "opd": DKP, "reason": "coba"},
        {"action": "reject", "reason": "coba"},
        {"action": "recategorise", "category": "sampah", "reason": "coba"},
    ):
        assert act(client, leader, code, **body).status_code == 403, body
    bulk = client.post("/api/v1/complaints/bulk", json={"ids": [code], "action": "verify"}, headers=leader)
    assert bulk.status_code == 403
    assert upload(client, leader, code, jpeg(), kind="report").status_code == 403
    assert client.get("/api/v1/jobs", headers=leader).status_code == 403
    assert status_of(engine, code)["status"] == "baru"


def test_the_queue_callback_refuses_a_leader_even_when_called_directly(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    session_login(client, accounts("leader"))
    states = {
        "op-action": "verify", "op-opd": None, "op-kota": None, "op-assignee": None, "op-category": None,
        "op-of": None, "op-reason": None, "op-selected": [code], "op-done": 0, "op-lang": "en",
    }  # fmt: skip
    props = {"op-selected": "data", "op-done": "data", "op-lang": "data"}
    response = dash_call(
        client,
        {
            "output": "..op-msg.children...op-done.data..",
            "outputs": [{"id": "op-msg", "property": "children"}, {"id": "op-done", "property": "data"}],
            "inputs": [{"id": "op-submit", "property": "n_clicks", "value": 1}],
            "state": [{"id": k, "property": props.get(k, "value"), "value": v} for k, v in states.items()],
            "changedPropIds": ["op-submit.n_clicks"],
        },
    )
    assert response.status_code == 200
    assert "may not open this page" in text_of(response.get_json())
    assert status_of(engine, code)["status"] == "baru"


def test_unauthenticated_requests_are_refused(client: Any, engine: Engine, committed: list[int]) -> None:
    code = new_complaint(engine, committed)
    assert client.get("/api/v1/jobs").status_code == 401
    assert client.get(f"/api/v1/complaints/{code}").status_code == 401
    assert client.post(f"/api/v1/complaints/{code}/transition", json={"action": "verify"}).status_code in (400, 401)
    assert status_of(engine, code)["status"] == "baru"


def test_reporter_details_of_a_confidential_complaint_reach_only_operators_and_admins(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(
        engine, committed, reporter_name="Rahmawati Pelapor", reporter_contact="0812-9999-4321", confidential=True
    )
    operator = client.get(f"/api/v1/complaints/{code}", headers=bearer(client, accounts("operator")))
    assert operator.get_json()["reporter"] == {"name": "Rahmawati Pelapor", "contact": "0812-9999-4321"}
    for role in ("opd", "leader"):
        body = client.get(
            f"/api/v1/complaints/{code}", headers=bearer(client, accounts(role, opd=DBMSDA if role == "opd" else None))
        ).get_json()
        assert "reporter" not in body and "Rahmawati" not in str(body), role
    session_login(client, accounts("leader"))
    page = text_of(render_page(client, f"/pengaduan/{code}", "?lang=en"))
    assert "Rahmawati" not in page and "9999-4321" not in page
    assert "Confidential (operators and admins only)" in page


def test_an_anonymous_complaint_keeps_no_reporter_to_read_back(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed, reporter_name="Budi", reporter_contact="0813", anonymous=True)
    body = client.get(f"/api/v1/complaints/{code}", headers=bearer(client, accounts("operator"))).get_json()
    assert body["reporter"] == {"name": None, "contact": None}
    assert "Budi" not in str(body)
