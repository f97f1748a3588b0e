"""Looking after accounts and API keys from the command line: a new password or deactivation ends the
account's tokens and sessions at once, ``users unlock`` clears the log-in back-off, a revoked API key is
refused by Open311; every command leaves an audit row without the password."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import Engine, text

from tests.conftest import flask_cli
from tests.integration.staff import PASSWORD, Account, Accounts, dash_call, ids_in, login_callback, render_page

NEW_PASSWORD = "sandi-baru-yang-panjang"
JOBS = "/api/v1/jobs"


def _token(client: Any, username: str, password: str, ip: str = "127.0.0.1") -> Any:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": ip})


def _signed_in(client: Any, account: Account) -> tuple[Any, dict[str, str]]:
    """A browser session from the log-in page and a bearer token, both working now."""
    page = dash_call(client, login_callback(account.username, PASSWORD))
    assert page.get_json()["response"]["login-message"]["children"] == ""
    assert "op-table" in ids_in(render_page(client, "/operator"))
    issued = _token(client, account.username, PASSWORD)
    assert issued.status_code == 200
    headers = {"Authorization": f"Bearer {issued.get_json()['access_token']}"}
    assert client.get(JOBS, headers=headers).status_code == 200
    return client, headers


def _audit_rows(engine: Engine, after: int, target: str) -> list[dict[str, Any]]:
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT * FROM audit_event WHERE id > :after AND target = :t ORDER BY id"),
            {"after": after, "t": target},
        ).mappings()
        return [dict(r) for r in rows]


def _last_audit_id(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar_one())


def _ok(*args: str, stdin: str | None = None) -> str:
    result = flask_cli(*args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_new_password_ends_every_token_and_session_of_the_account(
    client: Any, engine: Engine, accounts: Accounts
) -> None:
    operator = accounts("operator")
    before = _last_audit_id(engine)
    _, headers = _signed_in(client, operator)

    assert _ok("users", "set-password", operator.username, stdin=NEW_PASSWORD + "\n").strip() == (
        f"new password for {operator.username}"
    )
    assert client.get(JOBS, headers=headers).status_code == 401
    assert "guard-login" in ids_in(render_page(client, "/operator"))  # the session cookie no longer logs in
    assert _token(client, operator.username, PASSWORD).status_code == 401
    fresh = _token(client, operator.username, NEW_PASSWORD)
    assert fresh.status_code == 200
    assert client.get(JOBS, headers={"Authorization": f"Bearer {fresh.get_json()['access_token']}"}).status_code == 200

    (row,) = [r for r in _audit_rows(engine, before, operator.username) if r["action"] == "password_set"]
    assert (row["actor_user_id"], row["actor_role"]) == (None, "cli")
    assert row["detail"] == {"user_id": operator.id, "backoff": 0}
    assert NEW_PASSWORD not in json.dumps(row, default=str) and PASSWORD not in json.dumps(row, default=str)

    short = flask_cli("users", "set-password", operator.username, stdin="pendek\n")
    assert short.returncode != 0 and "password: at least 8 characters" in short.stderr
    assert _token(client, operator.username, NEW_PASSWORD).status_code == 200  # unchanged


def test_deactivating_ends_every_token_and_session_and_activating_lets_the_account_log_in_again(
    client: Any, engine: Engine, accounts: Accounts
) -> None:
    operator = accounts("operator")
    before = _last_audit_id(engine)
    _, headers = _signed_in(client, operator)

    assert _ok("users", "deactivate", operator.username).strip() == f"deactivated {operator.username}"
    assert client.get(JOBS, headers=headers).status_code == 401
    assert "guard-login" in ids_in(render_page(client, "/operator"))
    refused = _token(client, operator.username, PASSWORD)
    assert refused.status_code == 401 and refused.get_json()["error"] == "wrong username or password"

    assert _ok("users", "activate", operator.username).strip() == f"activated {operator.username}"
    assert client.get(JOBS, headers=headers).status_code == 401  # what was issued before stays void
    assert _token(client, operator.username, PASSWORD).status_code == 200

    rows = [r for r in _audit_rows(engine, before, operator.username) if r["action"].startswith("user_")]
    assert [(r["action"], r["actor_role"], r["detail"]) for r in rows] == [
        ("user_deactivated", "cli", {"user_id": operator.id, "was_active": True}),
        ("user_activated", "cli", {"user_id": operator.id, "was_active": False}),
    ]

    unknown = flask_cli("users", "deactivate", "tidak-ada-akun-ini")
    assert unknown.returncode != 0 and "no staff account 'tidak-ada-akun-ini'" in unknown.stderr


def test_unlock_clears_the_log_in_back_off_from_every_address(client: Any, engine: Engine, accounts: Accounts) -> None:
    operator = accounts("operator")
    addresses = ("203.0.113.61", "203.0.113.62")
    for ip in addresses:
        answers = [_token(client, operator.username, f"tebakan-{i}", ip).status_code for i in range(6)]
        assert answers == [401] * 5 + [429]
    before = _last_audit_id(engine)

    assert _ok("users", "unlock", operator.username).strip() == f"cleared the log-in back-off of {operator.username}"
    for ip in addresses:
        assert _token(client, operator.username, PASSWORD, ip).status_code == 200
    (row,) = _audit_rows(engine, before, operator.username)[:1]
    assert (row["action"], row["actor_role"], row["detail"]) == (
        "user_unlocked",
        "cli",
        {"user_id": operator.id, "backoff": 2},
    )


def test_a_revoked_api_key_is_refused_by_open311(client: Any, engine: Engine) -> None:
    from db.accounts import create_api_key

    name = f"klien-uji-{secrets.token_hex(4)}"
    with engine.begin() as conn:
        key = create_api_key(conn, name)
    before = _last_audit_id(engine)
    url = "/open311/v2/requests.json"
    ip = {"REMOTE_ADDR": "192.0.2.71"}
    # A request without its fields: with a good key it gets as far as the fields.
    assert client.post(url, data={"api_key": key}, environ_base=ip).status_code == 400

    assert _ok("api-key", "revoke", name).strip() == f"revoked the API key {name}"
    refused = client.post(url, data={"api_key": key}, environ_base=ip)
    assert refused.status_code == 403
    assert refused.get_json() == [{"code": 403, "description": "api_key is missing or not valid"}]
    (row,) = _audit_rows(engine, before, name)
    assert (row["action"], row["actor_role"]) == ("api_key_revoked", "cli")
    assert key not in json.dumps(row, default=str)

    again = flask_cli("api-key", "revoke", name)
    assert again.returncode != 0 and f"the API key {name!r} was revoked already" in again.stderr
    unknown = flask_cli("api-key", "revoke", "tidak-ada-kunci-ini")
    assert unknown.returncode != 0 and "no API key named 'tidak-ada-kunci-ini'" in unknown.stderr
