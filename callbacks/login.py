"""Log-in: check the password, start the session, go where the user was heading."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update

from api.auth import log_in
from db.accounts import LoginRefused
from i18n import t


@callback(
    Output("login-message", "children"),
    Output("login-redirect", "href"),
    Input("login-submit", "n_clicks"),
    Input("login-password", "n_submit"),
    Input("login-username", "n_submit"),
    State("login-username", "value"),
    State("login-password", "value"),
    State("login-next", "data"),
    prevent_initial_call=True,
)
def submit(
    _clicks: int, _enter: int, _enter_name: int, username: str | None, password: str | None, target: dict[str, Any]
) -> tuple[Any, Any]:
    lang = target.get("lang", "id")
    if not username or not password:
        return t("login.missing", lang), no_update
    try:
        log_in(username.strip(), password)
    except LoginRefused as exc:
        if exc.reason == "too_many":
            return t("login.too_many", lang), no_update
        if exc.reason == "backoff":
            return t("login.backoff", lang, minutes=-(-exc.retry_after // 60)), no_update
        return t("login.invalid", lang), no_update
    return "", f"{target['next']}?lang={lang}"
