"""The staff JSON API end to end: the whole path to green, illegal actions, bulk forwarding, merging duplicates."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, text

from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    dash_call,
    ids_in,
    new_complaint,
    render_page,
    session_login,
    site_photo,
    status_of,
    text_of,
    upload,
)

DBMSDA = "3671.DBMSDA"


def _event_kinds(engine: Engine, code: str) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [
            (kind, to_status)
            for kind, to_status in conn.execute(
                text(
                    "SELECT e.kind, e.to_status FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                    "WHERE c.tracking_code = :c ORDER BY e.id"
                ),
                {"c": code},
            )
        ]


def test_new_to_green_through_every_step(client: Any, engine: Engine, committed: list[int], accounts: Accounts) -> None:
    code = new_complaint(engine, committed, category="sampah")  # routed to DKP; the operator sends it on
    operator = bearer(client, accounts("operator"))
    agency = bearer(client, accounts("opd", opd=DBMSDA))
    supervisor = accounts("field", opd=DBMSDA)
    field = bearer(client, supervisor)

    steps = [
        (operator, {"action": "verify"}, "terverifikasi", "red"),
        (operator, {"action": "forward", "opd": DBMSDA, "reason": "saluran tersumbat sampah"}, "diteruskan", "yellow"),
        (agency, {"action": "assign", "assignee": supervisor.username}, "ditugaskan", "yellow"),
        (field, {"action": "start"}, "dikerjakan", "yellow"),
    ]
    for headers, body, status, colour in steps:
        response = act(client, headers, code, **body)
        assert response.status_code == 200, response.get_json()
        assert (response.get_json()["status"], response.get_json()["colour"]) == (status, colour)

    # Finishing without a photo is refused and changes nothing.
    refused = act(client, field, code, action="complete", note="sudah dibersihkan")
    assert refused.status_code == 409
    assert refused.get_json()["status"] == "dikerjakan"
    assert status_of(engine, code)["status"] == "dikerjakan"

    with engine.connect() as conn:
        photo = site_photo(conn, code, east_m=40)  # taken 40 m away: near enough to close it at once
    stored = upload(client, field, code, photo)
    assert stored.status_code == 201, stored.get_json()
    done = act(client, field, code, action="complete", note="sudah dibersihkan")
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["colour"]) == ("selesai", "green")

    assert _event_kinds(engine, code) == [
        ("created", "baru"),
        ("routed", "baru"),
        ("verified", "terverifikasi"),
        ("forwarded", "diteruskan"),
        ("assigned", "ditugaskan"),
        ("status_changed", "dikerjakan"),
        ("photo_added", None),
        ("status_changed", "selesai"),
    ]
    detail = client.get(f"/api/v1/complaints/{code}", headers=operator).get_json()
    assert detail["photos"][0]["url"] == f"/photos/{stored.get_json()['photo']['id']}"
    assert [e["kind"] for e in detail["events"]][-1] == "status_changed"


def test_an_illegal_action_answers_409_with_the_current_status(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    refused = act(client, operator, code, action="start")
    assert refused.status_code == 409
    assert (refused.get_json()["status"], refused.get_json()["colour"]) == ("baru", "red")
    assert "cannot start" in refused.get_json()["error"]
    assert act(client, operator, code, action="fly").status_code == 400
    assert act(client, operator, code, action="reject").status_code == 400  # needs a reason
    assert (
        client.post(
            "/api/v1/complaints/ZZZZ-ZZZZ-ZZZZ/transition", json={"action": "verify"}, headers=operator
        ).status_code
        == 404
    )
    stale = act(client, operator, code, action="verify", version=99)
    assert stale.status_code == 409 and "changed meanwhile" in stale.get_json()["error"]
    assert status_of(engine, code)["status"] == "baru"


def test_bulk_forward_of_50_complaints_in_one_action(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    codes = [new_complaint(engine, committed, category="lalu_lintas") for _ in range(50)]
    closed = new_complaint(engine, committed, category="lalu_lintas")
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, closed, action="reject", reason="laporan iseng").status_code == 200

    response = client.post(
        "/api/v1/complaints/bulk",
        json={"ids": [*codes, closed], "action": "forward", "kota": "3674", "reason": "lokasi di perbatasan"},
        headers=operator,
    )
    body = response.get_json()
    assert response.status_code == 200
    assert (body["done"], body["failed"]) == (50, 1)
    assert [r for r in body["results"] if not r["ok"]] == [
        {"id": closed, "ok": False, "status": "ditolak", "reason": "illegal", "error": body["results"][-1]["error"]}
    ]
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.status, k.code AS kota, o.code AS opd, "
                "(SELECT count(*) FROM complaint_event e WHERE e.complaint_id = c.id AND e.kind = 'forwarded' "
                " AND e.data->>'reason' = 'lokasi di perbatasan') AS forwarded "
                "FROM complaint c JOIN area k ON k.id = c.jurisdiction_id LEFT JOIN opd o ON o.id = c.opd_id "
                "WHERE c.tracking_code = ANY(:codes)"
            ),
            {"codes": codes},
        ).all()
    # Forwarding never closes: all 50 are open, in the other city, with the city's traffic agency, history kept.
    assert {tuple(r) for r in rows} == {("diteruskan", "3674", "3674.DISHUB", 1)}
    assert len(rows) == 50
    receiving = bearer(client, accounts("opd", opd="3674.DISHUB"))
    listed = {j["id"] for j in client.get("/api/v1/jobs?limit=200", headers=receiving).get_json()["jobs"]}
    assert set(codes) <= listed


def test_possible_duplicates_within_250_m_and_merging_them(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    survivor = new_complaint(engine, committed, category="banjir_drainase")
    near = new_complaint(engine, committed, category="banjir_drainase", east_m=120)
    far = new_complaint(engine, committed, category="banjir_drainase", east_m=400)
    other_kind = new_complaint(engine, committed, category="sampah", east_m=50)
    operator = bearer(client, accounts("operator"))

    nearby = client.get(f"/api/v1/complaints/{survivor}", headers=operator).get_json()["possible_duplicates"]
    assert [d["id"] for d in nearby] == [near]
    assert 110 <= nearby[0]["distance_m"] <= 130
    assert far not in str(nearby) and other_kind not in str(nearby)

    merged = act(client, operator, near, action="duplicate", of=survivor, reason="banjir yang sama")
    assert merged.status_code == 200 and merged.get_json()["status"] == "duplikat"

    from db.engine import get_engine
    from db.workflow import evidence, public_status

    with get_engine().connect() as conn:
        seen = public_status(conn, near.lower())
        assert seen is not None
        assert (seen["own_status"], seen["status"], seen["merged_into"]) == ("duplikat", "baru", survivor)

    # The survivor goes on to green: the merged report's reporter sees that outcome and its photo.
    field = accounts("field", opd=DBMSDA)
    for body in ({"action": "verify"}, {"action": "assign", "assignee": field.username}):
        assert act(client, operator, survivor, **body).status_code == 200
    field_headers = bearer(client, field)
    with engine.connect() as conn:
        photo = site_photo(conn, survivor, colour=(10, 90, 200))
    assert upload(client, field_headers, survivor, photo).status_code == 201
    assert act(client, field_headers, survivor, action="complete").status_code == 200
    with get_engine().connect() as conn:
        seen = public_status(conn, near)
        assert seen is not None and seen["status"] == "selesai"
        near_id = conn.execute(text("SELECT id FROM complaint WHERE tracking_code = :c"), {"c": near}).scalar_one()
        assert [p["kind"] for p in evidence(conn, near_id, public=True)] == ["completion"]

    # Merging into a report that is itself merged lands on the survivor; the page lists merged reports.
    third = new_complaint(engine, committed, category="banjir_drainase", east_m=60)
    assert act(client, operator, third, action="duplicate", of=near, reason="sama juga").status_code == 200
    assert status_of(engine, third)["merged_into_id"] == status_of(engine, near)["merged_into_id"]
    session_login(client, accounts("operator"))
    page = render_page(client, f"/pengaduan/{survivor}")
    assert near in text_of(page) and third in text_of(page)


def test_merging_from_the_complaint_page_buttons(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    here = new_complaint(engine, committed, category="pohon_tumbang")
    there = new_complaint(engine, committed, category="pohon_tumbang", east_m=80)
    session_login(client, accounts("operator"))
    page = render_page(client, f"/pengaduan/{here}")
    assert there in text_of(page) and "cp-dup-reason" in ids_in(page)

    # A merge button only asks, naming both reports; "yes" merges and the page, drawn again in place, says which absorbed which.
    specs = client.get("/_dash-dependencies").get_json()

    def call(prefix: str, inputs: list[Any], state: list[Any], changed: str) -> Any:
        spec = next(c for c in specs if c["output"].startswith(prefix))
        outputs = [
            {"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in spec["output"].strip(".").split("...")
        ]
        body = {
            "output": spec["output"],
            "outputs": outputs,
            "inputs": inputs,
            "state": state,
            "changedPropIds": [changed],
        }
        response = dash_call(client, body)
        assert response.status_code == 200, response.data[:300]
        return response.get_json()["response"]

    ctx = {"id": "cp-ctx", "property": "data", "value": {"code": here, "version": 1, "lang": "id"}}
    pressed = {"type": "cp-merge", "dup": there, "into": here}
    asked = call(
        "..cp-dup-msg.children",
        [[{"id": pressed, "property": "n_clicks", "value": 1}]],
        [{"id": "cp-dup-reason", "property": "value", "value": "pohon yang sama"}, ctx],
        '{"dup":"' + there + '","into":"' + here + '","type":"cp-merge"}.n_clicks',
    )
    assert asked["cp-merge-ask"]["hidden"] is False
    assert asked["cp-merge-q"]["children"] == f"Gabungkan {there} ke {here}?"
    assert status_of(engine, there)["status"] == "baru"  # asked, not yet merged
    pending = asked["cp-merge-pending"]["data"]
    done = call(
        "..cp-merge-msg.children",
        [{"id": "cp-merge-yes", "property": "n_clicks", "value": 1}],
        [{"id": "cp-merge-pending", "property": "data", "value": pending}, ctx],
        "cp-merge-yes.n_clicks",
    )
    assert f"{there} digabungkan ke {here}." in json.dumps(done["cp-body"]["children"])  # in place, no reload
    assert status_of(engine, there)["status"] == "duplikat"
    assert status_of(engine, here)["status"] == "baru"
    assert f"{there} digabungkan ke {here}." in text_of(render_page(client, f"/pengaduan/{here}", f"?merged={there}"))


def test_changing_the_category_reroutes_the_agency_and_keeps_the_status(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed, category="jalan_rusak")
    assert status_of(engine, code)["opd"] == DBMSDA
    operator = bearer(client, accounts("operator"))
    changed = act(client, operator, code, action="recategorise", category="sampah", reason="foto menunjukkan sampah")
    assert changed.status_code == 200
    assert (changed.get_json()["status"], changed.get_json()["opd"], changed.get_json()["category"]) == (
        "baru",
        "3671.DKP",
        "sampah",
    )
    with engine.connect() as conn:
        event = conn.execute(
            text(
                "SELECT e.kind, e.data FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                "WHERE c.tracking_code = :c ORDER BY e.id DESC LIMIT 1"
            ),
            {"c": code},
        ).one()
    assert event.kind == "routed"
    assert {k: event.data[k] for k in ("action", "from_category", "category", "from_opd", "opd")} == {
        "action": "recategorise",
        "from_category": "jalan_rusak",
        "category": "sampah",
        "from_opd": DBMSDA,
        "opd": "3671.DKP",
    }
    session_login(client, accounts("operator"))
    page = text_of(render_page(client, f"/pengaduan/{code}", "?lang=en"))
    assert "Category changed to Uncollected rubbish; routed to DKP (Kota Tangerang)" in page


def test_the_complaint_page_shows_the_whole_history(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator_account = accounts("operator")
    operator = bearer(client, operator_account)
    act(client, operator, code, action="verify", note="sudah dicek di lokasi")
    act(client, operator, code, action="forward", opd="3671.DISHUB", reason="rambu roboh di jalan")
    session_login(client, operator_account)
    page = render_page(client, f"/pengaduan/{code}", "?lang=en")
    shown = text_of(page)
    for expected in (
        "Report received via",
        "Routed to DBMSDA (Kota Tangerang)",
        "Verified",
        "sudah dicek di lokasi",
        "Forwarded to Dishub (Kota Tangerang)",
        "rambu roboh di jalan",
        f"Operator ({operator_account.username})",
    ):
        assert expected in shown, expected
    assert shown.count("timeline-item ") == 4


def test_malformed_arguments_answer_400_naming_the_argument_and_change_nothing(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    for body, param in (
        ({"action": "verify", "note": {"nested": "json"}}, "note"),
        ({"action": "verify", "note": ["a", "list"]}, "note"),
        ({"action": "reject", "reason": 42}, "reason"),
        ({"action": "reject", "reason": "nul\x00byte"}, "reason"),
        ({"action": "reject", "reason": "x" * 2001}, "reason"),
        ({"action": "verify", "version": "1"}, "version"),
        ({"action": "verify", "version": True}, "version"),
        ({"action": {"verify": 1}}, "action"),
        ({"action": "forward", "reason": "ke dinas"}, "opd"),  # neither an agency nor a city
    ):
        answer = act(client, operator, code, **body)
        assert answer.status_code == 400, (body, answer.get_json())
        assert answer.get_json()["field"] == param, body
        bulk = client.post("/api/v1/complaints/bulk", json={"ids": [code], **body}, headers=operator)
        assert bulk.status_code == 400, (body, bulk.get_json())
    # A tracking code that cannot be one is simply not found.
    assert act(client, operator, "AB\x00CD", action="verify").status_code == 400  # api/errors.py: no NUL in a path
    assert status_of(engine, code)["status"] == "baru"
