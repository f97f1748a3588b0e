"""Reply templates: admins keep them on /templat, staff start a reply from one on the complaint page, and the
reporter receives it filled in for their report, by e-mail from a real SMTP server on loopback.

{nama} becomes the reporter's name only in the message to them (a reply is also shown on /lacak and in
Open311, where it reads "Bapak/Ibu"); an anonymous report has no name, and a confidential one is told nothing
a reply may not carry (no name, office or kelurahan).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from settings import Settings, get_settings
from tests.integration.gateways import Mailbox, body_text
from tests.integration.staff import (
    Accounts,
    bearer,
    dash_call,
    new_complaint,
    render_page,
    session_login,
    text_of,
)

BODY = "Yth. {nama}, laporan {kode} ({kategori}) sudah kami terima dan diteruskan ke {kantor} di {kelurahan}."


@pytest.fixture
def templates(engine: Engine) -> Iterator[None]:
    """Templates made by the test are removed afterwards (the table is shared by the whole suite)."""
    with engine.connect() as conn:
        before = conn.execute(text("SELECT coalesce(max(id), 0) FROM response_template")).scalar_one()
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM response_template WHERE id > :b"), {"b": before})


def call(
    client: Any, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]], state: list[tuple[str, str, Any]]
) -> dict[str, Any]:
    """One Dash callback as the browser calls it; its outputs by component id."""
    response = dash_call(
        client,
        {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        },
    )
    if response.status_code == 204:
        return {}
    assert response.status_code == 200, response.data[:500]
    return {k: v for k, v in response.get_json()["response"].items()}


def save(client: Any, pick: str, category: str, title: str, body: str, active: bool = True) -> tuple[str, Any]:
    answer = call(
        client,
        [("tpl-msg", "children"), ("tpl-reload", "href")],
        [("tpl-save", "n_clicks", 1)],
        [
            ("tpl-pick", "value", pick),
            ("tpl-category", "value", category),
            ("tpl-title", "value", title),
            ("tpl-body", "value", body),
            ("tpl-active", "value", ["active"] if active else []),
            ("tpl-ctx", "data", {"lang": "en"}),
        ],
    )
    shown = answer.get("tpl-msg", {}).get("children")
    return (text_of(shown) if not isinstance(shown, str) else shown), answer.get("tpl-reload", {}).get("href")


def use(client: Any, template_id: int, code: str) -> tuple[Any, Any, str]:
    """Pick a template in the complaint page's note box: the text put in the box, the choice, the message."""
    answer = call(
        client,
        [("cp-note-text", "value"), ("cp-note-public", "value"), ("cp-note-template-msg", "children")],
        [("cp-note-template", "value", str(template_id))],
        [("cp-ctx", "data", {"code": code, "version": 1, "lang": "en"})],
    )
    return (
        answer.get("cp-note-text", {}).get("value"),
        answer.get("cp-note-public", {}).get("value"),
        text_of(answer.get("cp-note-template-msg", {}).get("children", "")),
    )


def template_id(engine: Engine, title: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT id FROM response_template WHERE title = :t"), {"t": title}).scalar_one())


def office_of(engine: Engine, code: str) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT o.name FROM complaint c JOIN opd o ON o.id = c.opd_id WHERE c.tracking_code = :c"),
                {"c": code},
            ).scalar_one()
        )


def test_admins_create_and_change_templates_and_no_one_else_may(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts, templates: None
) -> None:
    title = f"Diteruskan {secrets.token_hex(3)}"
    session_login(client, accounts("admin"))
    assert "Reply templates" in text_of(render_page(client, "/templat", "?lang=en"))
    message, reload = save(client, "new", "jalan_rusak", title, BODY)
    assert message == "Template saved." and reload.startswith("/templat?lang=en")
    made = template_id(engine, title)
    page = text_of(render_page(client, "/templat", "?lang=en"))
    assert title in page and BODY in page
    with engine.connect() as conn:  # in the audit log, naming the admin
        audited = conn.execute(
            text(
                "SELECT e.actor_role, e.detail ->> 'title' FROM audit_event e WHERE e.action = 'template_saved' AND e.target = :t"
            ),
            {"t": str(made)},
        ).all()
    assert [tuple(r) for r in audited] == [("admin", title)]
    # Changed: now for every category, with a new text; still one template.
    message, _ = save(client, str(made), "", title, "Terima kasih {nama}, laporan {kode} kami tangani.")
    assert message == "Template saved." and template_id(engine, title) == made
    page = text_of(render_page(client, "/templat", "?lang=en"))
    assert "Terima kasih {nama}, laporan {kode} kami tangani." in page and BODY not in page
    # An unknown placeholder, a missing title or an unknown category are refused, nothing stored.
    message, reload = save(client, "new", "", "Salah", "Halo {alamat}")
    assert reload is None and "{alamat}" in message
    message, reload = save(client, "new", "", "", "Halo")
    assert reload is None and "A title and a text are needed." in message
    message, reload = save(client, "new", "bukan_kategori", "Salah", "Halo")
    assert reload is None and "unknown category" in message
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM response_template WHERE title = 'Salah'")).scalar_one() == 0

    for role in ("operator", "opd", "leader"):
        other = client.application.test_client()
        session_login(other, accounts(role))
        assert "guard-forbidden" in text_of(render_page(other, "/templat", "?lang=en"))
        message, reload = save(other, str(made), "", f"Diubah oleh {role}", "x")
        assert reload is None and "Only admins manage templates." in message
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT title FROM response_template WHERE id = :i"), {"i": made}).scalar_one() == title
        )


def test_staff_start_a_reply_from_a_template_and_the_reporter_receives_it_filled_in(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    mailbox: Mailbox,
    templates: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    title, other_title = f"Diteruskan {secrets.token_hex(3)}", f"Sampah {secrets.token_hex(3)}"
    admin = client.application.test_client()
    session_login(admin, accounts("admin"))
    assert save(admin, "new", "jalan_rusak", title, BODY)[0] == "Template saved."
    assert save(admin, "new", "sampah", other_title, "Sampah {kode}")[0] == "Template saved."
    made, other = template_id(engine, title), template_id(engine, other_title)

    address = f"siti.{secrets.token_hex(3)}@example.org"
    code = new_complaint(engine, committed, reporter_name="Siti Aminah", reporter_contact=address)
    office = office_of(engine, code)
    session_login(client, accounts("operator"))
    page = text_of(render_page(client, f"/pengaduan/{code}", "?lang=en"))
    # Only the templates of this report's category (and every category's) are offered.
    assert "Start from a template" in page and title in page and other_title not in page
    filled, choice, said = use(client, made, code)
    assert choice == "reply" and "reply to the reporter" in said
    assert filled == (
        f"Yth. {{nama}}, laporan {code} (Damaged road) sudah kami terima dan diteruskan ke {office} di Sukarasa."
    )
    assert use(client, other, code)[0] is None  # another category's template fills nothing

    # The operator changes a word and sends it as a reply (what the note box's button does, through the API).
    edited = filled.replace("sudah kami terima", "sudah kami terima dengan baik")
    operator = bearer(client, accounts("operator"))
    sent = client.post(f"/api/v1/complaints/{code}/notes", json={"text": edited, "public": True}, headers=operator)
    assert sent.status_code == 201
    monkeypatch.setenv("PANTAU_SMTP_URL", mailbox.url)
    get_settings.cache_clear()
    try:
        drain(engine, get_settings(), client)
    finally:
        get_settings.cache_clear()
    mails = mailbox.to(address)
    reply = body_text(mails[-1])
    # The reporter reads their own name; the public page reads the neutral word and never the name.
    assert "Yth. Siti Aminah, laporan" in reply and code in reply and "dengan baik" in reply and office in reply
    lacak = text_of(render_page(client, f"/lacak/{code}", "?lang=en"))
    assert "Yth. Sir/Madam, laporan" in lacak and "Siti Aminah" not in lacak and "{nama}" not in lacak


def drain(engine: Engine, settings: Settings, client: Any) -> None:
    from notify.worker import Worker

    Worker(engine, settings, str(client.application.config["SECRET_KEY"]), name="test-drain").drain()


def test_an_anonymous_or_confidential_report_is_never_named_by_a_template(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts, templates: None
) -> None:
    title = f"Umum {secrets.token_hex(3)}"
    admin = client.application.test_client()
    session_login(admin, accounts("admin"))
    assert save(admin, "new", "", title, BODY)[0] == "Template saved."
    made = template_id(engine, title)
    anonymous = new_complaint(engine, committed, anonymous=True)
    secret = new_complaint(
        engine, committed, reporter_name="Rahasia Sekali", reporter_contact="0812999", confidential=True
    )
    session_login(client, accounts("operator"))
    filled, _, _ = use(client, made, anonymous)
    assert filled.startswith("Yth. Sir/Madam, laporan") and "{nama}" not in filled
    filled, _, _ = use(client, made, secret)
    office = office_of(engine, secret)
    assert filled == (
        f"Yth. Sir/Madam, laporan {secret} (Damaged road) sudah kami terima dan diteruskan ke the office in charge "
        "di the reported location."
    )
    assert "Rahasia" not in filled and office not in filled and "Sukarasa" not in filled
    # A field supervisor may not reply, so may not fill a template either.
    field = client.application.test_client()
    session_login(field, accounts("field"))
    assert use(field, made, anonymous)[0] is None
