"""Closing the loop with the reporter: each change writes its message in the same transaction, and the worker
delivers it to a real SMS/WhatsApp receiver and a real SMTP server on loopback.

The worker runs here in a thread of the test process (``Worker.run``); ``test_notify_worker.py`` runs it as
``flask --app app notify`` and kills it mid-send.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, text

from settings import Settings
from tests.integration.gateways import Gateway, Mailbox, Post, body_text
from tests.integration.intake import finish, track_ids
from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    dash_call,
    new_complaint,
    render_page,
    session_login,
    text_of,
)

pytestmark = pytest.mark.usefixtures("fresh_limits")

SECRET = "outbound-gateway-secret"
PUBLIC = "https://pantau.example.go.id"


def number() -> str:
    """A phone number no other test uses, as the gateway will see it."""
    return "+62812" + "".join(secrets.choice("0123456789") for _ in range(7))


def secret_key() -> str:
    from app import server

    return str(server.config["SECRET_KEY"])


@contextmanager
def worker_running(engine: Engine, settings: Settings) -> Iterator[Any]:
    from notify.worker import Worker

    worker = Worker(engine, settings, secret_key(), name="test-thread")
    thread = threading.Thread(target=worker.run, kwargs={"poll_s": 0.05}, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop.set()
        thread.join(30)


def drain(engine: Engine, settings: Settings) -> None:
    from notify.worker import Worker

    Worker(engine, settings, secret_key(), name="test-drain").drain()


def outbox_rows(engine: Engine, code: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT n.* FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                    "WHERE c.tracking_code = :c ORDER BY n.id"
                ),
                {"c": code},
            ).mappings()
        ]


def attempt_outcomes(engine: Engine, notification_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT outcome FROM notification_attempt WHERE notification_id = :i ORDER BY attempt"),
                {"i": notification_id},
            ).scalars()
        )


def sms_report(client: Any, engine: Engine, committed: list[int], sender: str) -> str:
    response = client.post(
        "/api/v1/inbound/sms",
        data={"sender": sender, "text": "LAPOR sampah menumpuk di depan pasar #Babakan Setu"},
        headers={"X-Pantau-Secret": SECRET},
    )
    assert response.status_code == 201, response.data
    code = str(response.get_json()["tracking_code"])
    track_ids(engine, committed, code)
    return code


def finish_report(engine: Engine, code: str) -> None:
    with engine.begin() as conn:
        finish(conn, code)  # forwarded to the agency, a completion photo, finished


def texts(posts: list[Post]) -> list[str]:
    return [str(p.body["text"]) for p in posts]


def test_an_sms_report_hears_intake_forwarding_and_completion_by_sms(
    client: Any, engine: Engine, committed: list[int], gateway: Gateway, configure: Callable[..., Settings]
) -> None:
    from db.tracking import reporter_token

    settings = configure(PANTAU_SMS_SECRET=SECRET, PANTAU_SMS_OUTBOUND_URL=gateway.url, PANTAU_PUBLIC_URL=PUBLIC + "/")
    sender = number()
    with worker_running(engine, settings):
        code = sms_report(client, engine, committed, sender)
        gateway.wait_for(lambda: len(gateway.deliveries(sender)) == 1)
        finish_report(engine, code)
        gateway.wait_for(lambda: len(gateway.deliveries(sender)) == 3)
    received, forwarded, finished = texts(gateway.deliveries(sender))
    assert all(code in t and f"{PUBLIC}/lacak/{code}" in t for t in (received, forwarded, finished))
    assert "diterima" in received
    with engine.connect() as conn:
        office = conn.execute(
            text("SELECT o.name FROM complaint c JOIN opd o ON o.id = c.opd_id WHERE c.tracking_code = :c"),
            {"c": code},
        ).scalar_one()
    assert f"diteruskan ke {office}." in forwarded
    # Finished: the completion photo's link, and the reporter's own link (k) for a dispute.
    photo = re.search(rf"{re.escape(PUBLIC)}(/photos/\d+)", finished)
    assert photo is not None and "selesai" in finished
    assert f"{PUBLIC}/lacak/{code}?k={reporter_token(secret_key(), code)}" in finished
    assert client.get(photo.group(1)).status_code == 200
    # Each went once, with the shared secret and its own idempotency key, and is recorded as sent.
    rows = outbox_rows(engine, code)
    assert [r["kind"] for r in rows] == ["received", "forwarded", "finished"]
    assert [r["status"] for r in rows] == ["sent"] * 3
    posts = [p for p in gateway.posts if p.body.get("to") == sender]
    assert len(posts) == 3
    assert [p.key for p in posts] == [r["idempotency_key"] for r in rows]
    assert all(p.headers["X-Pantau-Secret"] == SECRET for p in posts)
    assert all(len(t) <= 160 for t in (received, forwarded))


def test_an_open311_report_with_an_email_gets_the_same_steps_by_email(
    client: Any,
    engine: Engine,
    committed: list[int],
    mailbox: Mailbox,
    api_key: tuple[str, str],
    configure: Callable[..., Settings],
) -> None:
    settings = configure(PANTAU_SMTP_URL=mailbox.url, PANTAU_MAIL_FROM="Pantau Kota <pantau@kota.example.go.id>")
    address = f"warga.{secrets.token_hex(4)}@example.org"
    _, key = api_key
    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "sampah",
            "lat": "-6.1783",
            "long": "106.6319",
            "description": "Sampah menumpuk",
            "email": address,
            "phone": "081234567890",
            "lang": "en",
        },
    )
    assert response.status_code == 200, response.data
    code = response.get_json()[0]["service_request_id"]
    track_ids(engine, committed, code)
    with worker_running(engine, settings):
        mailbox.wait_for(lambda: len(mailbox.to(address)) == 1)
        finish_report(engine, code)
        mailbox.wait_for(lambda: len(mailbox.to(address)) == 3)
    mails = mailbox.to(address)
    bodies = [body_text(m) for m in mails]
    # In the reporter's language (English), one per step, each with the tracking link.
    assert "received" in bodies[0] and "forwarded to" in bodies[1] and "done" in bodies[2]
    assert all(f"/lacak/{code}" in b for b in bodies) and "/photos/" in bodies[2] and "?k=" in bodies[2]
    assert all(m["From"] == "Pantau Kota <pantau@kota.example.go.id>" for m in mails)
    assert all(code in str(m["Subject"]) for m in mails)
    # The Message-ID carries the idempotency key, so a mail reader can drop a second copy.
    keys = [r["idempotency_key"] for r in outbox_rows(engine, code)]
    assert [m["Message-ID"] for m in mails] == [f"<{k}@kota.example.go.id>" for k in keys]
    assert mailbox.logins and set(mailbox.logins) == {"pantau"}


def test_a_confidential_report_is_told_only_code_status_and_link(
    engine: Engine, committed: list[int], gateway: Gateway, configure: Callable[..., Settings]
) -> None:
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url)
    sender = number()
    secret_words = f"RAHASIA-{secrets.token_hex(4)}"
    code = new_complaint(
        engine, committed, description=f"{secret_words} pungli di kantor", reporter_contact=sender, confidential=True
    )
    finish_report(engine, code)
    rejected_to = number()
    rejected = new_complaint(
        engine, committed, description=secret_words, reporter_contact=rejected_to, confidential=True
    )
    with engine.begin() as conn:
        from db.complaints import Actor, transition

        transition(conn, rejected, "reject", Actor(role="operator"), reason=f"{secret_words} bukan kewenangan")
    drain(engine, settings)
    sent = texts(gateway.deliveries(sender)) + texts(gateway.deliveries(rejected_to))
    assert len(sent) == 5  # received, forwarded, finished; received, rejected
    assert all(secret_words not in t and "/photos/" not in t for t in sent)
    with engine.connect() as conn:
        office = conn.execute(
            text("SELECT o.name FROM complaint c JOIN opd o ON o.id = c.opd_id WHERE c.tracking_code = :c"),
            {"c": code},
        ).scalar_one()
    assert all(office not in t for t in sent)
    assert all(c in t and f"/lacak/{c}" in t for c, group in ((code, sent[:3]), (rejected, sent[3:])) for t in group)
    assert "ditolak" in sent[4]


def test_a_report_merged_as_a_duplicate_hears_when_the_one_it_follows_is_finished(
    engine: Engine, committed: list[int], gateway: Gateway, configure: Callable[..., Settings]
) -> None:
    from db.complaints import Actor, transition
    from db.tracking import reporter_token

    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url)
    survivor = new_complaint(engine, committed)
    sender = number()
    merged = new_complaint(engine, committed, reporter_contact=sender, east_m=30)
    with engine.begin() as conn:
        transition(
            conn, merged, "duplicate", Actor(role="operator"), reason="Laporan ganda di lokasi sama", of=survivor
        )
    finish_report(engine, survivor)
    drain(engine, settings)
    received, duplicate, finished = texts(gateway.deliveries(sender))
    assert "diterima" in received
    assert "digabung dengan laporan yang sama: Laporan ganda di lokasi sama. " in duplicate
    assert survivor not in duplicate + finished  # another reporter's code is never shown
    with engine.connect() as conn:
        photo = conn.execute(
            text(
                "SELECT p.id FROM photo p JOIN complaint c ON c.id = p.complaint_id "
                "WHERE c.tracking_code = :c AND p.kind = 'completion'"
            ),
            {"c": survivor},
        ).scalar_one()
    assert f"/photos/{photo} " in finished and f"/lacak/{merged}?k={reporter_token(secret_key(), merged)}" in finished


def test_an_anonymous_report_produces_no_message(
    engine: Engine, committed: list[int], gateway: Gateway, configure: Callable[..., Settings]
) -> None:
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url)
    given = number()
    code = new_complaint(engine, committed, reporter_contact=given, anonymous=True)
    finish_report(engine, code)
    drain(engine, settings)
    assert outbox_rows(engine, code) == []
    assert gateway.deliveries(given) == []


def test_a_reports_messages_arrive_in_order_even_when_the_first_must_be_retried(
    engine: Engine, committed: list[int], gateway: Gateway, configure: Callable[..., Settings]
) -> None:
    sender = number()
    first_refused = []

    def answer(post: Post) -> int:
        if post.body.get("to") == sender and not first_refused:
            first_refused.append(post)
            return 503
        return 200

    gateway.answer = answer
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url, PANTAU_NOTIFY_RETRY_S="0.3")
    code = new_complaint(engine, committed, reporter_contact=sender)
    finish_report(engine, code)
    with worker_running(engine, settings):
        gateway.wait_for(lambda: len(gateway.deliveries(sender)) == 3)
    rows = outbox_rows(engine, code)
    assert [p.key for p in gateway.posts if p.body.get("to") == sender] == [rows[0]["idempotency_key"]] * 2 + [
        r["idempotency_key"] for r in rows[1:]
    ]
    assert [r["attempts"] for r in rows] == [2, 1, 1]


def test_the_message_commits_with_its_change_and_the_change_never_waits_for_the_gateway(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    gateway: Gateway,
    configure: Callable[..., Settings],
) -> None:
    from db.complaints import Actor, transition

    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url, PANTAU_NOTIFY_TIMEOUT_S="30")
    sender = number()
    code = new_complaint(engine, committed, reporter_contact=sender)
    # A change that is rolled back leaves no message behind.
    with engine.connect() as conn, conn.begin() as tx:
        transition(conn, code, "verify", Actor(role="operator"))
        assert len(outbox_rows_in(conn, code)) == 2
        tx.rollback()
    assert [r["kind"] for r in outbox_rows(engine, code)] == ["received"]
    # The gateway holds the first message open; the operator's change still answers at once.
    gateway.hold_to = sender
    operator = bearer(client, accounts("operator"))
    with worker_running(engine, settings):
        assert gateway.held.wait(30)
        response = act(client, operator, code, action="verify")
        assert response.status_code == 200
        assert [r["status"] for r in outbox_rows(engine, code)] == ["sending", "queued"]
        gateway.release.set()
        gateway.wait_for(lambda: len(gateway.deliveries(sender)) == 2)
    assert "diverifikasi" in texts(gateway.deliveries(sender))[1]


def outbox_rows_in(conn: Any, code: str) -> list[Any]:
    return list(
        conn.execute(
            text(
                "SELECT n.id FROM notification n JOIN complaint c ON c.id = n.complaint_id WHERE c.tracking_code = :c"
            ),
            {"c": code},
        )
    )


def test_a_gateway_that_is_down_gets_the_message_once_it_is_back(
    engine: Engine, committed: list[int], gateway: Gateway, configure: Callable[..., Settings]
) -> None:
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url, PANTAU_NOTIFY_RETRY_S="0.2")
    gateway.stop()
    sender = number()
    code = new_complaint(engine, committed, reporter_contact=sender)
    with worker_running(engine, settings):
        wait_until(lambda: outbox_rows(engine, code)[0]["attempts"] >= 2, "two failed attempts")
        row = outbox_rows(engine, code)[0]
        assert row["status"] in ("failed", "sending") and row["last_error"] == "connection refused"
        gateway.start()
        gateway.wait_for(lambda: len(gateway.deliveries(sender)) == 1)
        wait_until(lambda: outbox_rows(engine, code)[0]["status"] == "sent", "recorded as sent")
    row = outbox_rows(engine, code)[0]
    outcomes = attempt_outcomes(engine, row["id"])
    assert outcomes[-1] == "sent" and set(outcomes[:-1]) == {"failed"} and len(outcomes) == row["attempts"]
    assert len([p for p in gateway.posts if p.body.get("to") == sender]) == 1


def wait_until(done: Callable[[], bool], what: str, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_refused_message_is_given_up_and_listed_for_admins(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    gateway: Gateway,
    configure: Callable[..., Settings],
) -> None:
    refused, busy = number(), number()
    gateway.answer = lambda post: {refused: 400, busy: 503}.get(str(post.body.get("to")), 200)
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url, PANTAU_NOTIFY_RETRY_S="600")
    dead_code = new_complaint(engine, committed, reporter_contact=refused)
    busy_code = new_complaint(engine, committed, reporter_contact=busy)
    drain(engine, settings)
    (dead,) = outbox_rows(engine, dead_code)
    (waiting,) = outbox_rows(engine, busy_code)
    # A 400 will not get better: given up after one attempt. A 503 is tried again later.
    assert (dead["status"], dead["attempts"], dead["last_error"]) == ("dead", 1, "HTTP 400 Bad Request")
    assert (waiting["status"], waiting["attempts"]) == ("failed", 1)
    assert waiting["next_attempt_at"] > waiting["created_at"]
    assert attempt_outcomes(engine, dead["id"]) == ["dead"]

    session_login(client, accounts("admin"))
    page = text_of(render_page(client, "/kotak-keluar", "?lang=en"))
    assert dead_code in page and busy_code in page and "HTTP 400 Bad Request" in page and "Given up" in page
    operator = client.application.test_client()
    session_login(operator, accounts("operator"))
    assert "guard-forbidden" in text_of(render_page(operator, "/kotak-keluar"))


def test_a_channel_that_is_off_records_what_would_have_gone(
    client: Any, engine: Engine, committed: list[int], configure: Callable[..., Settings]
) -> None:
    settings = configure(PANTAU_SMTP_URL="")
    code = new_complaint(engine, committed, reporter_contact="warga@example.org", attributes={"lang": "en"})
    drain(engine, settings)
    (row,) = outbox_rows(engine, code)
    assert (row["channel"], row["recipient"], row["status"]) == ("email", "warga@example.org", "off")
    assert row["last_error"] == "channel off: PANTAU_SMTP_URL is not set"
    assert row["body"].startswith(f"Pantau: report {code} received.")


def test_whatsapp_reports_are_answered_on_whatsapp_with_the_template_name(
    engine: Engine, committed: list[int], configure: Callable[..., Settings]
) -> None:
    whatsapp = Gateway().start()
    try:
        settings = configure(
            PANTAU_WHATSAPP_OUTBOUND_URL=whatsapp.url, PANTAU_SMS_SECRET=SECRET, PANTAU_WHATSAPP_SECRET="wa-secret"
        )
        sender = number()
        code = new_complaint(engine, committed, channel="social", source="whatsapp", reporter_contact=sender)
        drain(engine, settings)
        (post,) = whatsapp.deliveries(sender)
    finally:
        whatsapp.stop()
    assert post.body["template"] == "pantau_received" and post.body["lang"] == "id"
    assert code in post.body["text"] and post.headers["X-Pantau-Secret"] == "wa-secret"


def test_the_complaint_page_shows_each_message_and_its_delivery(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    gateway: Gateway,
    configure: Callable[..., Settings],
) -> None:
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url)
    sender = number()
    code = new_complaint(engine, committed, reporter_contact=sender, confidential=True)
    finish_report(engine, code)
    drain(engine, settings)
    rows = outbox_rows(engine, code)
    session_login(client, accounts("operator"))
    page = render_page(client, f"/pengaduan/{code}", "?lang=en")
    shown = text_of(page)
    assert "Messages to the reporter" in shown and all(r["body"] in shown for r in rows)
    assert shown.count('"data-status": "sent"') == 3 and sender in shown
    # An agency's staff see the messages of a confidential report, never its reporter's number.
    with engine.connect() as conn:
        opd = conn.execute(
            text("SELECT o.code FROM complaint c JOIN opd o ON o.id = c.opd_id WHERE c.tracking_code = :c"),
            {"c": code},
        ).scalar_one()
    agency = client.application.test_client()
    session_login(agency, accounts("opd", opd=opd))
    shown = text_of(render_page(agency, f"/pengaduan/{code}", "?lang=en"))
    assert "Messages to the reporter" in shown and rows[0]["body"] in shown and sender not in shown


def test_a_public_note_on_a_change_reaches_the_reporter_in_the_changes_one_message(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    gateway: Gateway,
    configure: Callable[..., Settings],
) -> None:
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url)
    sender, secret_sender = number(), number()
    code = new_complaint(engine, committed, reporter_contact=sender)
    secret = new_complaint(engine, committed, reporter_contact=secret_sender, confidential=True)
    operator = bearer(client, accounts("operator"))
    note = "Tim kami datang besok pagi pukul 08.00"
    for ref in (code, secret):
        assert act(client, operator, ref, action="verify", note=note, public=True).status_code == 200
    drain(engine, settings)
    received, verified = texts(gateway.deliveries(sender))
    assert "diverifikasi" in verified and note in verified and f"/lacak/{code}" in verified
    assert note not in received
    # The confidential reporter hears of the change and that there is a note, never its words.
    _, plain = texts(gateway.deliveries(secret_sender))
    assert "diverifikasi" in plain and note not in plain and "pesan petugas" in plain


def press_resend(client: Any, notification_id: int, path: str) -> tuple[str, str | None]:
    """Press "Kirim ulang" on one message, as the browser sends it; the message shown and where the page goes."""
    button = {"id": notification_id, "type": "outbox-resend"}
    response = dash_call(
        client,
        {
            "output": "..outbox-resend-msg.children...outbox-resend-reload.href..",
            "outputs": [
                {"id": "outbox-resend-msg", "property": "children"},
                {"id": "outbox-resend-reload", "property": "href"},
            ],
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "outbox-resend-ctx", "property": "data", "value": {"path": path, "lang": "en"}}],
            "changedPropIds": [f'{{"id":{notification_id},"type":"outbox-resend"}}.n_clicks'],
        },
    )
    if response.status_code == 204:
        return "", None
    assert response.status_code == 200, response.data[:500]
    answer = response.get_json()["response"]
    shown = answer.get("outbox-resend-msg", {}).get("children")
    return (text_of(shown) if shown else ""), answer.get("outbox-resend-reload", {}).get("href")


def test_a_given_up_message_sent_again_arrives_once_and_the_original_stays_as_history(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    gateway: Gateway,
    configure: Callable[..., Settings],
) -> None:
    sender = number()
    refusing = True
    gateway.answer = lambda post: 400 if refusing and post.body.get("to") == sender else 200
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url)
    code = new_complaint(engine, committed, reporter_contact=sender)
    drain(engine, settings)
    (dead,) = outbox_rows(engine, code)
    assert dead["status"] == "dead" and gateway.deliveries(sender) == []

    # Staff who may not reply to the reporter (a field supervisor) get no button and cannot press one.
    field = client.application.test_client()
    session_login(field, accounts("field"))
    message, reload = press_resend(field, dead["id"], f"/pengaduan/{code}")
    assert reload is None and "may not" in message and len(outbox_rows(engine, code)) == 1

    # The gateway takes the number again (it was a wrong setting there); the admin sends the message again.
    refusing = False
    session_login(client, accounts("admin"))
    assert "Send again" in text_of(render_page(client, "/kotak-keluar", "?lang=en"))
    message, reload = press_resend(client, dead["id"], "/kotak-keluar")
    assert message == "" and reload is not None and reload.startswith("/kotak-keluar?lang=en")
    # Pressed twice (two tabs): the second is refused, nothing more is queued.
    message, reload = press_resend(client, dead["id"], "/kotak-keluar")
    assert reload is None and "already sent again" in message
    drain(engine, settings)

    original, resent = outbox_rows(engine, code)
    assert (original["status"], original["attempts"]) == ("dead", 1)
    assert (resent["status"], resent["resend_of"], resent["body"]) == ("sent", original["id"], original["body"])
    assert resent["idempotency_key"] != original["idempotency_key"]
    (arrived,) = gateway.deliveries(sender)
    assert arrived.key == resent["idempotency_key"] and code in str(arrived.body["text"])
    assert len([p for p in gateway.posts if p.body.get("to") == sender]) == 2  # the refused one, then the resend

    # The complaint page keeps the original, given up, beside the resend that went.
    operator = client.application.test_client()
    session_login(operator, accounts("operator"))
    shown = text_of(render_page(operator, f"/pengaduan/{code}", "?lang=en"))
    assert '"data-status": "dead"' in shown and '"data-status": "sent"' in shown
    assert "Sent again:" in shown and "A resend" in shown and "Send again" not in shown
    # The failures page no longer offers it again; the audit log says who resent what.
    assert "Send again" not in text_of(render_page(client, "/kotak-keluar", "?lang=en"))
    with engine.connect() as conn:
        audited = conn.execute(
            text(
                "SELECT actor_role, CAST(detail ->> 'as' AS bigint) FROM audit_event WHERE action = 'message_resent' AND target = :t"
            ),
            {"t": str(original["id"])},
        ).all()
    assert [tuple(r) for r in audited] == [("admin", resent["id"])]


def test_staff_send_again_a_message_still_waiting_for_a_retry_and_only_the_new_one_goes(
    client: Any,
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    gateway: Gateway,
    configure: Callable[..., Settings],
) -> None:
    sender = number()
    busy = True
    gateway.answer = lambda post: 503 if busy and post.body.get("to") == sender else 200
    settings = configure(PANTAU_SMS_OUTBOUND_URL=gateway.url, PANTAU_NOTIFY_RETRY_S="600")
    code = new_complaint(engine, committed, reporter_contact=sender)
    drain(engine, settings)
    (waiting,) = outbox_rows(engine, code)
    assert (waiting["status"], waiting["attempts"]) == ("failed", 1)  # next try in ten minutes
    busy = False
    session_login(client, accounts("operator"))
    assert "Send again" in text_of(render_page(client, f"/pengaduan/{code}", "?lang=en"))
    message, reload = press_resend(client, waiting["id"], f"/pengaduan/{code}")
    assert message == "" and reload is not None and reload.startswith(f"/pengaduan/{code}?lang=en")
    drain(engine, settings)
    original, resent = outbox_rows(engine, code)
    # The original retries no more: given up in favour of the resend, which is the one that arrived.
    assert original["status"] == "dead" and resent["status"] == "sent"
    assert [p.key for p in gateway.deliveries(sender)] == [resent["idempotency_key"]]
