"""Every staff page and endpoint checks the role, the agency and the assignee (see services/permissions.py)."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.integration.staff import (
    PASSWORD,
    Account,
    Accounts,
    act,
    bearer,
    dash_call,
    ids_in,
    jpeg,
    new_complaint,
    render_page,
    session_login,
    site_photo,
    status_of,
    text_of,
    upload,
)

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
        "op-of": None, "op-reason": None, "op-office": None, "op-office-person": None, "op-office-contact": None,
        "op-selected": [code], "op-bulk-pending": None, "op-done": 0,
        "op-lang": "en",
    }  # fmt: skip
    props = {"op-selected": "data", "op-bulk-pending": "data", "op-done": "data", "op-lang": "data"}
    outputs = [
        ("op-msg", "children"), ("op-done", "data"), ("op-bulk-confirm", "displayed"),
        ("op-bulk-confirm", "message"), ("op-bulk-pending", "data"),
    ]  # fmt: skip
    response = dash_call(
        client,
        {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [
                {"id": "op-submit", "property": "n_clicks", "value": 1},
                {"id": "op-bulk-confirm", "property": "submit_n_clicks", "value": None},
            ],
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


def test_users_create_limits_an_operator_to_its_kecamatan_and_refuses_limits_that_mean_nothing(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from db.accounts import load_user
    from tests.conftest import flask_cli

    name = f"uji_serpong_{secrets.token_hex(3)}"
    made = flask_cli(
        "users", "create", "--username", name, "--role", "operator", "--kecamatan", "367401", stdin=PASSWORD
    )
    assert made.returncode == 0, made.stderr
    with engine.connect() as conn:
        account = load_user(conn, username=name)
    assert account is not None
    accounts.ids.append(account["id"])
    serpong_operator = bearer(client, Account(account["id"], name, "operator"))

    # The case: an operator of Serpong (Tangerang Selatan) read and rejected a report in Kota Tangerang.
    code = new_complaint(engine, committed)  # kecamatan 367101
    assert client.get(f"/api/v1/complaints/{code}", headers=serpong_operator).status_code == 403
    assert act(client, serpong_operator, code, action="reject", reason="bukan wilayah").status_code == 403
    assert status_of(engine, code)["status"] == "baru"

    # Every limit a role takes is accepted, a kecamatan given twice counts once.
    head = f"uji_kepala_{secrets.token_hex(3)}"
    limits = ("--opd", DBMSDA, "--kecamatan", "367101", "--kecamatan", "367101")
    made = flask_cli("users", "create", "--username", head, "--role", "leader", *limits, stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    with engine.connect() as conn:
        account = load_user(conn, username=head)
    assert account is not None and account["opd_code"] == DBMSDA and len(account["kecamatan_ids"]) == 1
    accounts.ids.append(account["id"])

    for role, option, value, says in (
        ("admin", "--opd", DBMSDA, "an admin reaches every agency"),
        ("admin", "--kecamatan", "367101", "an admin reaches every area"),
        ("operator", "--opd", DBMSDA, "the live room works every agency"),
    ):
        refused_name = f"uji_tolak_{secrets.token_hex(3)}"
        refused = flask_cli(
            "users", "create", "--username", refused_name, "--role", role, option, value, stdin=PASSWORD
        )
        assert refused.returncode != 0, (role, option)
        assert f"{option} is not accepted for role {role!r}" in refused.stderr and says in refused.stderr
        assert "Traceback" not in refused.stderr
        with engine.connect() as conn:
            assert load_user(conn, username=refused_name) is None


def _events(engine: Engine, code: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT e.kind, e.public, e.data FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                    "WHERE c.tracking_code = :c ORDER BY e.id"
                ),
                {"c": code},
            ).mappings()
        ]


def test_forwarding_takes_the_job_off_its_field_supervisor(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    supervisor = accounts("field", opd=DBMSDA)
    code = _assigned_job(client, engine, committed, accounts, supervisor)
    field = bearer(client, supervisor)
    assert act(client, field, code, action="start").status_code == 200
    assert upload(client, field, code, jpeg()).status_code == 201

    agency = bearer(client, accounts("opd", opd=DBMSDA))
    handed = act(client, agency, code, action="forward", opd=DKP, reason="ini tumpukan sampah")
    assert handed.status_code == 200
    assert (handed.get_json()["status"], handed.get_json()["assignee"]) == ("diteruskan", None)
    dropped = _events(engine, code)[-1]
    assert dropped["kind"] == "unassigned" and dropped["data"]["assignee"] == supervisor.username
    assert dropped["public"] is False  # a staff name never reaches the reporter's timeline

    # The supervisor can no longer read, photograph or close the job in the other agency.
    assert client.get(f"/api/v1/complaints/{code}", headers=field).status_code == 403
    assert act(client, field, code, action="complete").status_code == 403
    assert upload(client, field, code, jpeg(colour=(200, 10, 10))).status_code == 403
    assert client.get("/api/v1/jobs", headers=field).get_json()["jobs"] == []
    assert status_of(engine, code)["status"] == "diteruskan"
    session_login(client, supervisor)
    assert "fj-not-yours" in ids_in(render_page(client, "/field", f"?job={code}"))
    # The staff history says what happened.
    session_login(client, accounts("operator"))
    assert f"Taken off {supervisor.username}" in text_of(render_page(client, f"/pengaduan/{code}", "?lang=en"))


def test_reopening_takes_the_job_off_its_field_supervisor(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    supervisor = accounts("field")  # one serving every agency: the assignment alone kept the job theirs
    code = _assigned_job(client, engine, committed, accounts, supervisor)
    field = bearer(client, supervisor)
    assert act(client, field, code, action="start").status_code == 200
    with engine.connect() as conn:
        photo = site_photo(conn, code)
    assert upload(client, field, code, photo).status_code == 201
    assert act(client, field, code, action="complete").get_json()["status"] == "selesai"

    operator = bearer(client, accounts("operator"))
    reopened = act(client, operator, code, action="reopen", reason="warga: belum diperbaiki")
    assert (reopened.get_json()["status"], reopened.get_json()["assignee"]) == ("terverifikasi", None)
    assert [e["kind"] for e in _events(engine, code)][-2:] == ["status_changed", "unassigned"]
    assert client.get(f"/api/v1/complaints/{code}", headers=field).status_code == 403
    assert client.get("/api/v1/jobs", headers=field).get_json()["jobs"] == []


def test_a_change_of_category_to_another_agency_takes_the_job_off_its_field_supervisor(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    supervisor = accounts("field", opd=DBMSDA)
    code = _assigned_job(client, engine, committed, accounts, supervisor)
    operator = bearer(client, accounts("operator"))
    moved = act(client, operator, code, action="recategorise", category="sampah", reason="salah kategori")
    assert (moved.get_json()["opd"], moved.get_json()["assignee"]) == (DKP, None)
    assert _events(engine, code)[-1]["kind"] == "unassigned"
    # Within the same agency the assignment stays.
    kept = _assigned_job(client, engine, committed, accounts, supervisor)
    same = act(client, operator, kept, action="recategorise", category="banjir_drainase", reason="genangan")
    assert (same.get_json()["opd"], same.get_json()["assignee"]) == (DBMSDA, supervisor.username)


def test_a_job_goes_only_to_a_field_supervisor_who_can_work_it(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    rubbish = new_complaint(engine, committed, category="sampah")  # DKP, kecamatan 367101
    road = new_complaint(engine, committed)  # DBMSDA, kecamatan 367101
    operator = bearer(client, accounts("operator"))
    for code in (rubbish, road):
        assert act(client, operator, code, action="verify").status_code == 200
    roads_supervisor = accounts("field", opd=DBMSDA)
    jatiuwung_supervisor = accounts("field", kecamatan=["367102"])

    refused = act(client, operator, rubbish, action="assign", assignee=roads_supervisor.username)
    assert refused.status_code == 403 and "cannot work this complaint" in refused.get_json()["error"]
    bulk = client.post(
        "/api/v1/complaints/bulk",
        json={"ids": [rubbish, road], "action": "assign", "assignee": roads_supervisor.username},
        headers=operator,
    ).get_json()
    assert {r["id"]: r["ok"] for r in bulk["results"]} == {rubbish: False, road: True}
    assert act(client, operator, rubbish, action="assign", assignee=jatiuwung_supervisor.username).status_code == 403
    assert status_of(engine, rubbish)["assignee"] is None

    # The complaint page offers only those who can work it.
    session_login(client, accounts("operator"))
    page = text_of(render_page(client, f"/pengaduan/{rubbish}"))
    assert roads_supervisor.username not in page and jatiuwung_supervisor.username not in page
    assert roads_supervisor.username in text_of(render_page(client, f"/pengaduan/{road}"))


def test_possible_duplicates_across_a_kecamatan_border_reach_only_who_reaches_both(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from db.complaints import NewComplaint, create_complaint

    # Two points 20 m inside two neighbouring kelurahan, one in kecamatan 367101 and one in another kecamatan.
    with engine.connect() as conn:
        pair = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p), ST_X(q), ST_Y(q), kb.parent_code FROM ("
                " SELECT ST_ClosestPoint(ST_Buffer(a.geom::geography, -20)::geometry, b.geom) p,"
                "        ST_ClosestPoint(ST_Buffer(b.geom::geography, -20)::geometry, a.geom) q,"
                "        (SELECT code FROM area WHERE id = b.parent_id) parent_code"
                "   FROM area a JOIN area b ON a.level = 'kelurahan' AND b.level = 'kelurahan'"
                "    AND a.parent_id = (SELECT id FROM area WHERE code = '367101') AND b.parent_id <> a.parent_id"
                "    AND ST_DWithin(a.geom, b.geom, 0.0002)"
                "  ORDER BY a.code, b.code LIMIT 1) kb"
            )
        ).one()
    codes = []
    for lon, lat in ((pair[0], pair[1]), (pair[2], pair[3])):
        with engine.begin() as conn:
            made = create_complaint(conn, NewComplaint(category="jalan_rusak", description="lubang", lon=lon, lat=lat))
        committed.append(made.id)
        codes.append(made.tracking_code)
    here, there = codes

    everywhere = bearer(client, accounts("operator"))
    offered = client.get(f"/api/v1/complaints/{here}", headers=everywhere).get_json()["possible_duplicates"]
    assert there in [d["id"] for d in offered]  # the two really are neighbours

    limited = accounts("operator", kecamatan=["367101"])
    body = client.get(f"/api/v1/complaints/{here}", headers=bearer(client, limited)).get_json()
    assert there not in json.dumps(body)
    session_login(client, limited)
    assert there not in text_of(render_page(client, f"/pengaduan/{here}"))
    # Merging into it by its code is refused too: its reporter would follow a report out of this account's reach.
    merge = act(client, bearer(client, limited), here, action="duplicate", of=there, reason="sama")
    assert merge.status_code == 403
    assert status_of(engine, here)["status"] == "baru"
    assert pair[4] != "367101"
