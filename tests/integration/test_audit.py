"""The audit log: log-ins, failed log-ins, exports and accounts leave one row each, with no secret in it;
rows cannot be changed; the command line prints them; log-ins are limited per IP address."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from db.audit import recent, record
from db.complaints import WIB, Actor
from tests.conftest import flask_cli
from tests.integration.staff import PASSWORD, Accounts, bearer, csrf_token, login_callback

WRONG = "tebakan-salah-77"


def _last_id(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar_one())


def _rows_since(engine: Engine, after: int, target: str) -> list[dict[str, Any]]:
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT * FROM audit_event WHERE id > :after AND target = :t ORDER BY id"),
            {"after": after, "t": target},
        ).mappings()
        return [dict(r) for r in rows]


def _no_secret(row: dict[str, Any], *secrets_: str) -> None:
    whole = json.dumps(row, default=str, ensure_ascii=False)
    for secret in secrets_:
        assert secret not in whole, secret


def _page_log_in(client: Any, username: str, password: str, ip: str = "127.0.0.1") -> str:
    """Press "Log in" on /login (the page's callback, as the browser sends it); returns the message shown."""
    payload = login_callback(username, password)
    response = client.post(
        "/_dash-update-component",
        json=payload,
        headers={"X-CSRFToken": csrf_token(client)},
        environ_base={"REMOTE_ADDR": ip},
    )
    assert response.status_code == 200, response.data[:300]
    return str(response.get_json()["response"]["login-message"]["children"])


def test_a_page_log_in_a_failed_one_and_the_log_out_each_leave_one_row(
    client: Any, engine: Engine, accounts: Accounts
) -> None:
    operator = accounts("operator")
    before = _last_id(engine)
    assert _page_log_in(client, operator.username, WRONG) == "Wrong username or password."
    assert _page_log_in(client, operator.username, PASSWORD) == ""
    client.post("/logout", data={"csrf_token": csrf_token(client)})

    rows = _rows_since(engine, before, operator.username)
    assert [(r["action"], r["actor_user_id"], r["actor_role"], r["detail"]) for r in rows] == [
        ("login_failed", None, "public", {"via": "page", "reason": "invalid"}),
        ("login", operator.id, "operator", {"via": "page"}),
        ("logout", operator.id, "operator", {}),
    ]
    for row in rows:
        assert row["client"] == "127.0.0.1" and re.fullmatch(r"[0-9a-f]{32}", row["request_id"])
        _no_secret(row, PASSWORD, WRONG)


def test_a_bearer_token_and_a_failed_attempt_for_an_unknown_name_are_recorded(
    client: Any, engine: Engine, accounts: Accounts
) -> None:
    field = accounts("field")
    before = _last_id(engine)
    bearer(client, field)
    nobody = f"tidak_ada_{secrets.token_hex(4)}"
    refused = client.post(
        "/api/v1/auth/token",
        json={"username": nobody, "password": WRONG},
        headers={"X-Request-ID": "audit-trace-1"},
    )
    assert refused.status_code == 401

    (issued,) = _rows_since(engine, before, field.username)
    assert (issued["action"], issued["actor_user_id"], issued["actor_role"]) == ("token_issued", field.id, "field")
    assert issued["detail"] == {"via": "token"}
    (failed,) = _rows_since(engine, before, nobody)
    assert (failed["action"], failed["actor_user_id"], failed["actor_role"]) == ("login_failed", None, "public")
    assert failed["detail"] == {"via": "token", "reason": "invalid"} and failed["request_id"] == "audit-trace-1"
    _no_secret(issued, PASSWORD)
    _no_secret(failed, WRONG)
    assert "access_token" not in json.dumps(issued, default=str)


def test_an_export_records_its_format_filters_and_row_count(client: Any, engine: Engine, accounts: Accounts) -> None:
    leader = accounts("leader")
    headers = bearer(client, leader)
    before = _last_id(engine)
    progress = f"prog-{secrets.token_hex(6)}"
    response = client.get(
        f"/api/v1/export.csv?period=30d&kecamatan=367101&status=red&progress={progress}&name=Siti", headers=headers
    )
    assert response.status_code == 200
    response.get_data()  # read the whole stream
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT * FROM audit_event WHERE id > :after AND actor_user_id = :u ORDER BY id"),
            {"after": before, "u": leader.id},
        ).mappings()
        (row,) = [dict(r) for r in rows]
    assert (row["action"], row["actor_role"], row["target"]) == ("export", "leader", "csv")
    assert row["detail"] == {
        "filters": {"kecamatan": "367101", "status": "red", "period": "30d"},
        "rows": int(response.headers["X-Total-Count"]),
    }
    _no_secret(row, PASSWORD, progress, "Siti", headers["Authorization"][7:])


def test_creating_a_user_from_the_command_line_is_recorded_without_the_password(engine: Engine) -> None:
    username = f"uji_audit_{secrets.token_hex(4)}"
    password = f"sandi-{secrets.token_hex(8)}"
    before = _last_id(engine)
    try:
        result = flask_cli("users", "create", "--username", username, "--role", "operator", stdin=password + "\n")
        assert result.returncode == 0, result.stderr
        (row,) = _rows_since(engine, before, username)
        with engine.connect() as c:
            user_id = c.execute(text("SELECT id FROM app_user WHERE username = :u"), {"u": username}).scalar_one()
        assert (row["action"], row["actor_user_id"], row["actor_role"]) == ("user_created", None, "cli")
        assert row["detail"] == {"user_id": user_id, "role": "operator", "opd": None, "kecamatan": [], "kota": []}
        assert row["client"] is None and row["request_id"] is None
        _no_secret(row, password)
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM app_user WHERE username = :u"), {"u": username})


def test_audit_rows_cannot_be_changed_or_removed(conn: Connection) -> None:
    from db.accounts import create_user

    user_id = create_user(conn, f"uji_audit_{secrets.token_hex(4)}", PASSWORD, "leader")
    event = record(conn, "export", actor=Actor(role="leader", user_id=user_id), target="csv", detail={"rows": 3})
    for statement in (
        "UPDATE audit_event SET target = 'xlsx' WHERE id = :id",
        "UPDATE audit_event SET actor_user_id = NULL WHERE id = :id",  # only a deleted account may be unlinked
        "DELETE FROM audit_event WHERE id = :id",
        "TRUNCATE audit_event",
    ):
        with pytest.raises(DBAPIError, match="audit_event is append-only"), conn.begin_nested():
            conn.execute(text(statement), {"id": event})
    # Removing the account keeps its history: the row stays, no longer linked to an account.
    conn.execute(text("DELETE FROM app_user WHERE id = :u"), {"u": user_id})
    row = conn.execute(text("SELECT actor_user_id, actor_role, target FROM audit_event WHERE id = :id"), {"id": event})
    assert tuple(row.one()) == (None, "leader", "csv")


def test_a_hostile_name_is_stored_as_text_without_nul_and_bounded(conn: Connection) -> None:
    event = record(conn, "login_failed", actor=Actor(role="public"), target="admin\x00" + "x" * 10_000)
    target = conn.execute(text("SELECT target FROM audit_event WHERE id = :id"), {"id": event}).scalar_one()
    assert target.startswith("admin\\x00xxx") and len(target) <= 200
    with pytest.raises(ValueError, match="unknown audit action"):
        record(conn, "logn", actor=None)


def test_the_command_line_prints_recent_events(client: Any, engine: Engine, accounts: Accounts) -> None:
    field = accounts("field")
    bearer(client, field)
    client.post("/api/v1/auth/token", json={"username": field.username, "password": WRONG})
    with engine.connect() as c:
        (issued,) = recent(c, 5, action="token_issued", user_id=field.id)

    mine = flask_cli("audit", "--user", field.username)
    assert mine.returncode == 0, mine.stderr
    (line,) = mine.stdout.splitlines()  # the failed attempt names no actor: it is not "what this account did"
    when = issued["at"].astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S WIB")
    assert line.startswith(f'{when}  token_issued  {field.username} (field)  target="{field.username}"')
    assert "client=127.0.0.1" in line and PASSWORD not in line

    failed = flask_cli("audit", "--action", "login_failed", "--limit", "3")
    assert failed.returncode == 0, failed.stderr
    assert 1 <= len(failed.stdout.splitlines()) <= 3
    assert all("  login_failed  " in ln for ln in failed.stdout.splitlines())
    assert f'target="{field.username}"' in failed.stdout and WRONG not in failed.stdout

    unknown = flask_cli("audit", "--user", "tidak-ada-akun-ini")
    assert unknown.returncode != 0 and "no staff account 'tidak-ada-akun-ini'" in unknown.stderr


@pytest.fixture
def real_login_rate() -> Iterator[None]:
    """The default PANTAU_LOGIN_RATE (the suite raises it in conftest) and no attempt counted yet."""
    from api.limits import limiter
    from app import server  # noqa: F401  (initialises the limiter)
    from settings import get_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PANTAU_LOGIN_RATE", raising=False)
        get_settings.cache_clear()
        limiter.reset()
        yield
    get_settings.cache_clear()
    limiter.reset()


def test_the_21st_log_in_from_one_address_within_a_minute_is_refused(
    client: Any, engine: Engine, accounts: Accounts, real_login_rate: None
) -> None:
    operator = accounts("operator")
    ip, other = "203.0.113.7", "198.51.100.9"

    def token(password: str, address: str = ip, username: str = operator.username) -> Any:
        body = {"username": username, "password": password}
        return client.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": address})

    # 20 attempts, right and wrong (wrong ones for unknown names, none often enough to back off).
    answers = [token(PASSWORD).status_code for _ in range(10)]
    answers += [token(WRONG, username=f"tidak_ada_{i}").status_code for i in range(10)]
    assert answers == [200] * 10 + [401] * 10
    before = _last_id(engine)

    refused = token(PASSWORD)
    assert refused.status_code == 429
    assert refused.get_json() == {"error": "too many log-in attempts from this address; try again later", "code": 429}
    assert _page_log_in(client, operator.username, PASSWORD, ip=ip).startswith("Too many log-in attempts")
    # Refused without checking the password: a wrong one neither counts towards the back-off nor leaves a row.
    assert token(WRONG).status_code == 429
    with engine.connect() as c:
        failures = c.execute(text("SELECT count(*) FROM login_backoff WHERE username = :u"), {"u": operator.username})
    assert failures.scalar() == 0 and _rows_since(engine, before, operator.username) == []

    assert token(PASSWORD, address=other).status_code == 200
    assert _page_log_in(client, operator.username, PASSWORD, ip=other) == ""
