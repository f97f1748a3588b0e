"""After logging in, each role lands on a page it may open: the one it asked for, or its own."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.staff import PASSWORD, Accounts, dash_call, login_callback


def landing(client: Any, accounts: Accounts, role: str, wanted: str | None) -> str:
    """Where "Masuk" sends a new ``role`` account from /login?next=``wanted`` (the page's callback)."""
    account = accounts(role)
    pressed = login_callback(account.username, PASSWORD)
    pressed["state"][2]["value"] = {"next": wanted, "lang": "en"}
    answer = dash_call(client, pressed)
    assert answer.status_code == 200, answer.data[:300]
    return str(answer.get_json()["response"]["login-redirect"]["href"])


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("leader", "/pimpinan"),
        ("field", "/field"),
        ("operator", "/operator"),
        ("opd", "/operator"),
        ("admin", "/operator"),
    ],
)
def test_without_a_page_to_return_to_each_role_lands_on_its_own(
    client: Any, accounts: Accounts, role: str, home: str
) -> None:
    assert landing(client, accounts, role, None) == f"{home}?lang=en"


def test_the_page_asked_for_wins_when_the_role_may_open_it(client: Any, accounts: Accounts) -> None:
    assert landing(client, accounts, "operator", "/pimpinan?period=7d") == "/pimpinan?period=7d&lang=en"
    assert landing(client, accounts, "leader", "/pengaduan/ABCD-EFGH-JKMN") == "/pengaduan/ABCD-EFGH-JKMN?lang=en"
    assert landing(client, accounts, "field", "/live") == "/live?lang=en"
    # A staff page the role may not open sends it to its own instead of to a refusal.
    assert landing(client, accounts, "leader", "/operator") == "/pimpinan?lang=en"
    assert landing(client, accounts, "field", "/pimpinan") == "/field?lang=en"
    assert landing(client, accounts, "opd", "/field") == "/operator?lang=en"
