"""Overdue work is chased: a stage past its target reminds the accounts that act on it, by e-mail through the
outbox and in the history; still overdue days later it is escalated to the leaders who reach it; never twice."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from db.chase import chase
from db.scope import Scope
from db.workflow import QueueFilter, queue
from settings import Settings
from tests.integration.gateways import Mailbox, body_text
from tests.integration.staff import Accounts, new_complaint


def address() -> str:
    return f"petugas{secrets.token_hex(4)}@kota.example.go.id"


def staff_mail(engine: Engine, code: str) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT n.kind, n.facts ->> 'stage', n.recipient FROM notification n "
                    "JOIN complaint c ON c.id = n.complaint_id WHERE c.tracking_code = :c ORDER BY n.id"
                ),
                {"c": code},
            )
        ]


def events(engine: Engine, code: str) -> list[tuple[str, bool]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT e.kind, e.public FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                    "WHERE c.tracking_code = :c AND e.kind IN ('reminded', 'escalated') ORDER BY e.id"
                ),
                {"c": code},
            )
        ]


def test_a_report_left_unverified_is_reminded_once_then_escalated_and_the_mail_arrives(
    engine: Engine,
    committed: list[int],
    accounts: Accounts,
    mailbox: Mailbox,
    configure: Callable[..., Settings],
) -> None:
    from app import server
    from notify.worker import Worker

    secret_words = f"rahasia {secrets.token_hex(4)}"
    operator, elsewhere, leader = address(), address(), address()
    accounts("operator", email=operator)
    accounts("operator", email=elsewhere, kota=["3674"])  # another city's live room: not its report
    accounts("operator")  # no address: nothing to send to
    accounts("leader", email=leader, kecamatan=["367101"])
    twelve_days_ago = datetime.now(UTC) - timedelta(days=12)
    code = new_complaint(engine, committed, created_at=twelve_days_ago, description=secret_words, confidential=True)

    with engine.begin() as conn:
        first = [c for c in chase(conn, escalate_days=2) if c.tracking_code == code]
    assert {(c.stage, c.kind) for c in first} == {("verify", "reminder"), ("complete", "reminder")}
    assert ("reminder", "verify", operator) in staff_mail(engine, code)
    assert not any(to == elsewhere for _, _, to in staff_mail(engine, code))
    with engine.begin() as conn:
        assert not [c for c in chase(conn, escalate_days=2) if c.tracking_code == code]  # never twice
    assert events(engine, code) == [("reminded", False), ("reminded", False)]  # in the history, staff only
    with engine.connect() as conn:
        listed = {r["tracking_code"]: r for r in queue(conn, Scope(), QueueFilter(q=code))}
    assert listed[code]["chased"] == "reminder"

    # Still new two working days after the reminder: the leaders of its kecamatan hear of it.
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE complaint_chase SET at = at - interval '10 days' "
                "WHERE complaint_id = (SELECT id FROM complaint WHERE tracking_code = :c)"
            ),
            {"c": code},
        )
        second = [c for c in chase(conn, escalate_days=2) if c.tracking_code == code]
    assert {(c.stage, c.kind) for c in second} == {("verify", "escalation"), ("complete", "escalation")}
    assert ("escalation", "verify", leader) in staff_mail(engine, code)
    with engine.connect() as conn:
        listed = {r["tracking_code"]: r for r in queue(conn, Scope(), QueueFilter(q=code))}
    assert listed[code]["chased"] == "escalation"

    settings = configure(PANTAU_SMTP_URL=mailbox.url)
    Worker(engine, settings, str(server.config["SECRET_KEY"]), name="test-chase").drain()
    mailbox.wait_for(lambda: len(mailbox.to(operator)) >= 1 and len(mailbox.to(leader)) >= 1)
    reminder = next(m for m in mailbox.to(operator) if "verifikasi" in m["Subject"])
    assert reminder["Subject"] == f"Pengingat: laporan {code} melewati target verifikasi"
    assert f"/pengaduan/{code}" in body_text(reminder) and secret_words not in body_text(reminder)
    escalation = next(m for m in mailbox.to(leader) if "verifikasi" in m["Subject"])
    assert escalation["Subject"].startswith(f"Eskalasi: laporan {code}")


def test_the_delivery_worker_chases_on_its_own_schedule(
    engine: Engine, committed: list[int], configure: Callable[..., Settings]
) -> None:
    from app import server
    from notify.worker import Worker

    code = new_complaint(engine, committed, created_at=datetime.now(UTC) - timedelta(days=12))
    off = Worker(engine, configure(PANTAU_CHASE_INTERVAL_S="0"), str(server.config["SECRET_KEY"]))
    assert off.chase() == 0 and events(engine, code) == []
    on = Worker(engine, configure(PANTAU_CHASE_INTERVAL_S="300"), str(server.config["SECRET_KEY"]))
    assert on.chase() >= 2 and len(events(engine, code)) == 2
    assert on.chase() == 0  # not again before the interval has passed


def test_a_new_report_within_its_target_is_left_alone(engine: Engine, committed: list[int]) -> None:
    code = new_complaint(engine, committed)
    with engine.begin() as conn:
        assert not [c for c in chase(conn, escalate_days=2) if c.tracking_code == code]
    assert events(engine, code) == []
