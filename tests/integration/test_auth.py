"""Logging in: the log-in page's session, bearer tokens, back-off after repeated failures, CSRF refusal."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import Engine, text

from tests.integration.staff import (
    PASSWORD,
    Accounts,
    bearer,
    csrf_token,
    dash_call,
    ids_in,
    login_callback,
    new_complaint,
    render_page,
    session_login,
    status_of,
)


def _log_in(client: Any, username: str, password: str, csrf: bool = True) -> Any:
    """Press "Masuk" on /login: the page's callback, as the browser sends it."""
    return dash_call(client, login_callback(username, password), csrf=csrf)


def test_the_login_page_starts_a_session_that_opens_the_staff_pages(client: Any, accounts: Accounts) -> None:
    operator = accounts("operator")
    assert "guard-login" in ids_in(render_page(client, "/operator"))
    wrong = _log_in(client, operator.username, "bukan-sandinya")
    assert wrong.get_json()["response"]["login-message"]["children"] == "Wrong username or password."
    assert "guard-login" in ids_in(render_page(client, "/operator"))

    right = _log_in(client, operator.username, PASSWORD)
    assert right.get_json()["response"]["login-redirect"]["href"] == "/operator?lang=en"
    assert "op-table" in ids_in(render_page(client, "/operator"))
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert "guard-login" in ids_in(render_page(client, "/operator"))


def test_bearer_tokens(client: Any, accounts: Accounts) -> None:
    field = accounts("field")
    assert client.post("/api/v1/auth/token", json={"username": field.username, "password": "salah"}).status_code == 401
    issued = client.post("/api/v1/auth/token", json={"username": field.username, "password": PASSWORD})
    assert issued.status_code == 200 and issued.get_json()["role"] == "field"
    token = issued.get_json()["access_token"]
    assert client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {token[:-3]}xyz"}).status_code == 401


def _token(client: Any, username: str, password: str, ip: str) -> Any:
    body = {"username": username, "password": password}
    return client.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": ip})


def _answer(response: Any) -> tuple[int, str, bool]:
    """What a client can tell from a refusal: the status, the message without its number, a Retry-After."""
    error = re.sub(r"\d+", "N", response.get_json()["error"])
    return response.status_code, error, "Retry-After" in response.headers


def _retry_after(response: Any) -> int:
    assert response.status_code == 429, response.data
    return int(response.headers["Retry-After"])


def test_wrong_passwords_back_off_the_same_for_a_real_and_an_unknown_name(
    client: Any, engine: Engine, accounts: Accounts
) -> None:
    operator = accounts("operator")
    nobody = f"tidak_ada_{secrets.token_hex(4)}"
    attacker, colleague = "203.0.113.50", "198.51.100.50"

    real = [_answer(_token(client, operator.username, f"tebakan-{i}", attacker)) for i in range(6)]
    unknown = [_answer(_token(client, nobody, f"tebakan-{i}", attacker)) for i in range(6)]
    # Nothing tells the two apart: five checked and wrong, then the same wait for both.
    assert real == unknown
    assert real[:5] == [(401, "wrong username or password", False)] * 5
    assert real[5] == (429, "too many failed log-ins for this name from this address; try again in N s", True)
    # While it waits (a minute), not even the right password is checked from that address, on the API or the page...
    assert 0 < _retry_after(_token(client, operator.username, PASSWORD, attacker)) <= 60
    page = client.post(
        "/_dash-update-component",
        json=login_callback(operator.username, PASSWORD),
        headers={"X-CSRFToken": csrf_token(client)},
        environ_base={"REMOTE_ADDR": attacker},
    )
    assert page.get_json()["response"]["login-message"]["children"] == (
        "Too many failed attempts for this name. Try again in 1 min."
    )
    with engine.connect() as c:
        reasons = c.execute(
            text("SELECT detail->>'reason' FROM audit_event WHERE action = 'login_failed' AND target = :u ORDER BY id"),
            {"u": nobody},
        ).scalars()
        assert list(reasons) == ["invalid"] * 5 + ["backoff"]
    # ...but the real user, from another address, is not locked out.
    assert _token(client, operator.username, PASSWORD, colleague).status_code == 200

    # Once the wait is over one more guess is checked; a wrong one doubles the next wait.
    with engine.begin() as c:
        c.execute(
            text("UPDATE login_backoff SET blocked_until = now() - interval '1 second' WHERE client = :ip"),
            {"ip": attacker},
        )
    assert _token(client, operator.username, "tebakan-lagi", attacker).status_code == 401
    assert 60 < _retry_after(_token(client, operator.username, PASSWORD, attacker)) <= 120


def test_a_cookie_session_without_the_csrf_token_is_refused(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    session_login(client, accounts("operator"))
    refused = client.post(f"/api/v1/complaints/{code}/transition", json={"action": "verify"})
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["error"]
    assert status_of(engine, code)["status"] == "baru"
    assert _log_in(client, "siapa", "saja", csrf=False).status_code == 400  # Dash callbacks too

    accepted = client.post(
        f"/api/v1/complaints/{code}/transition",
        json={"action": "verify"},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert accepted.status_code == 200
    assert status_of(engine, code)["status"] == "terverifikasi"


def test_an_invalid_bearer_token_does_not_excuse_a_session_from_the_csrf_check(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    operator = accounts("operator")
    code = new_complaint(engine, committed)
    session_login(client, operator)
    forged = client.post(
        f"/api/v1/complaints/{code}/transition",
        json={"action": "verify"},
        headers={"Authorization": "Bearer bukan-token-yang-sah"},
    )
    assert forged.status_code == 400 and "CSRF" in forged.get_json()["error"]
    assert status_of(engine, code)["status"] == "baru"
    # A token that does authenticate needs no CSRF token (it carries no cookie authority).
    verified = client.post(
        f"/api/v1/complaints/{code}/transition", json={"action": "verify"}, headers=bearer(client, operator)
    )
    assert verified.status_code == 200 and status_of(engine, code)["status"] == "terverifikasi"


def test_unauthenticated_requests_to_the_staff_api_answer_401(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    code = new_complaint(engine, committed)
    for headers in ({}, {"Authorization": "Bearer bukan-token-yang-sah"}):
        for path, body in (
            (f"/api/v1/complaints/{code}/transition", {"action": "verify"}),
            ("/api/v1/complaints/bulk", {"ids": [code], "action": "verify"}),
        ):
            answer = client.post(path, json=body, headers=headers)
            assert answer.status_code == 401, (path, headers, answer.data)
            assert answer.get_json()["error"] == "authentication required"
        photo = client.post(f"/api/v1/complaints/{code}/photos", data={"kind": "completion"}, headers=headers)
        assert photo.status_code == 401 and photo.get_json()["error"] == "authentication required"
    assert status_of(engine, code)["status"] == "baru"
