"""Staff notes are internal; a reply to the reporter (``"public": true``) is the only note they read.

POST /api/v1/complaints/{id}/notes writes either on the history. The reporter reads replies on /lacak (a
confidential report's only through their own link) and is sent one 'reply' message per reply; an internal
note shows in no public page, in no Open311 answer and in no message.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    new_complaint,
    render_page,
    session_login,
    text_of,
)

INTERNAL = "Kontraktor lama belum dibayar, jangan dijanjikan"
REPLY = "Terima kasih, tim kami datang besok pagi"


def note(client: FlaskClient, headers: dict[str, str], code: str, **body: Any) -> Any:
    return client.post(f"/api/v1/complaints/{code}/notes", json=body, headers=headers)


def messages(engine: Engine, code: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT n.kind, n.facts FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                    "WHERE c.tracking_code = :c ORDER BY n.id"
                ),
                {"c": code},
            ).mappings()
        ]


def lacak(client: FlaskClient, code: str, k: str = "") -> str:
    return text_of(render_page(client, f"/lacak/{code}", f"?k={k}" if k else ""))


def reporter_link(client: FlaskClient, code: str) -> str:
    from db.tracking import reporter_token

    return reporter_token(client.application.config["SECRET_KEY"], code)


def test_an_internal_note_stays_with_staff_and_a_reply_reaches_the_reporter(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed, reporter_name="Siti", reporter_contact="siti@example.org")
    operator = bearer(client, accounts("operator"))
    before = len(messages(engine, code))

    internal = note(client, operator, code, text=INTERNAL)  # "public" left out: internal, the default
    assert internal.status_code == 201 and internal.get_json()["public"] is False
    assert INTERNAL not in lacak(client, code) and INTERNAL not in lacak(client, code, reporter_link(client, code))
    assert len(messages(engine, code)) == before

    reply = note(client, operator, code, text=REPLY, public=True)
    assert reply.status_code == 201 and reply.get_json()["public"] is True
    assert REPLY in lacak(client, code)
    sent = messages(engine, code)[before:]
    assert [(m["kind"], m["facts"]["text"]) for m in sent] == [("reply", REPLY)]

    # Staff read both on the complaint's history, each marked for what it is.
    detail = client.get(f"/api/v1/complaints/{code}", headers=operator).get_json()
    notes = {e["note"]: e["note_public"] for e in detail["events"] if e["kind"] == "commented"}
    assert notes == {INTERNAL: False, REPLY: True}
    session_login(client, accounts("operator"))
    page = text_of(render_page(client, f"/pengaduan/{code}"))
    assert INTERNAL in page and "Catatan internal: hanya petugas" in page
    assert REPLY in page and "Balasan ke pelapor: ditampilkan kepada pelapor" in page


def test_a_transitions_note_is_internal_unless_public_and_a_rejections_reason_stays_public(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed, reporter_name="Siti", reporter_contact="siti@example.org")
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, code, action="verify", note="Sudah dicek, lubang 2 meter").status_code == 200
    assert "lubang 2 meter" not in lacak(client, code)
    assert act(client, operator, code, action="verify", note="x", public="ya").status_code == 400
    assert act(client, operator, code, action="reject", reason="Jalan milik provinsi", note=INTERNAL).status_code == 200
    shown = lacak(client, code)
    assert "Jalan milik provinsi" in shown and INTERNAL not in shown
    for fmt in ("json", "xml"):
        answer = client.get(f"/open311/v2/requests/{code}.{fmt}?extensions=true").get_data(as_text=True)
        assert "Jalan milik provinsi" in answer and INTERNAL not in answer and "lubang 2 meter" not in answer
    assert all(INTERNAL not in str(m["facts"]) for m in messages(engine, code))


def test_a_public_note_on_a_transition_is_a_reply_in_the_status_message(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed, reporter_name="Siti", reporter_contact="siti@example.org")
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, code, action="verify", note=REPLY, public=True).status_code == 200
    assert REPLY in lacak(client, code)
    # One message for the change, carrying the reply; not a second one beside it.
    assert [(m["kind"], m["facts"].get("reply")) for m in messages(engine, code)] == [
        ("received", None),
        ("verified", REPLY),
    ]
    # A change the reporter is not told about (the job handed to another field supervisor) still sends the
    # reply, alone.
    first, second = accounts("field"), accounts("field")
    assert act(client, operator, code, action="assign", assignee=first.username).status_code == 200
    later = "Petugas lain yang akan datang"
    assign = {"action": "assign", "assignee": second.username, "note": later, "public": True}
    assert act(client, operator, code, **assign).status_code == 200
    assert [(m["kind"], m["facts"].get("text")) for m in messages(engine, code)][2:] == [
        ("assigned", None),
        ("reply", later),
    ]


def test_open311_shows_a_reply_but_no_internal_note(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, code, action="reject", reason="Bukan wewenang kota").status_code == 200
    assert note(client, operator, code, text=INTERNAL).status_code == 201
    (record,) = client.get(f"/open311/v2/requests/{code}.json").get_json()
    assert record["status_notes"] == "Ditolak: Bukan wewenang kota"
    assert note(client, operator, code, text=REPLY, public=True).status_code == 201
    (record,) = client.get(f"/open311/v2/requests/{code}.json").get_json()
    assert REPLY in record["status_notes"] and INTERNAL not in str(record)


def test_a_confidential_reply_only_through_the_reporters_link_and_an_anonymous_report_gets_no_message(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    operator = bearer(client, accounts("operator"))
    secret = new_complaint(engine, committed, confidential=True, reporter_contact="0812345678")
    assert note(client, operator, secret, text=REPLY, public=True).status_code == 201
    assert REPLY not in lacak(client, secret)
    assert REPLY in lacak(client, secret, reporter_link(client, secret))
    # One reply queued, marked confidential: its message carries the code and link, not the text (notify/messages.py).
    with engine.connect() as conn:
        confidential = conn.execute(
            text(
                "SELECT n.confidential FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                "WHERE c.tracking_code = :c AND n.kind = 'reply'"
            ),
            {"c": secret},
        ).scalar_one()
    assert confidential is True

    anonymous = new_complaint(engine, committed, anonymous=True, reporter_contact="0812345678")
    assert note(client, operator, anonymous, text=REPLY, public=True).status_code == 201
    assert REPLY in lacak(client, anonymous)
    assert messages(engine, anonymous) == []


def test_who_may_write_and_bad_input(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    assert note(client, operator, code, text="   ").status_code == 400
    assert note(client, operator, code, text=["a"]).status_code == 400
    assert note(client, operator, code, text="ok", public="yes").status_code == 400
    assert note(client, operator, code, text="x" * 2001).status_code == 400
    assert client.post(f"/api/v1/complaints/{code}/notes", data="nope", headers=operator).status_code == 400
    assert note(client, operator, "ZZZZ-ZZZZ-ZZZZ", text="ok").status_code == 404
    assert client.post(f"/api/v1/complaints/{code}/notes", json={"text": "ok"}).status_code == 401
    leader = bearer(client, accounts("leader"))
    assert note(client, leader, code, text="ok").status_code == 403
    field = bearer(client, accounts("field"))  # not their job: out of reach, as the transition API answers
    assert note(client, field, code, text="ok").status_code == 403
    other_agency = bearer(client, accounts("opd", opd="3671.DISHUB"))
    refused = note(client, other_agency, code, text=REPLY, public=True)
    assert refused.status_code == 403 and REPLY not in lacak(client, code)
