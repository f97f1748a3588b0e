"""Log-in: check the password, start the session, go where the user was heading or to their own page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from dash import Input, Output, State, callback, no_update

from api.auth import log_in
from db.accounts import LoginRefused, StaffUser
from i18n import LANGS, t
from layouts.login import safe_next
from services.permissions import home_page, may_open

# The staff pages and the page names services/permissions.py knows them by: a page the user may not open is no place to send them.
_STAFF_PAGES = {"/operator": "operator", "/field": "field", "/pimpinan": "leaders"}
_PATHS = {page: path for path, page in _STAFF_PAGES.items()}


def destination(user: StaffUser, wanted: Any) -> str:
    """Where to go after logging in: ``wanted`` when it is a page of this site the user may open, else their own."""
    home = _PATHS[home_page(user)]
    target = safe_next(wanted)
    if target is None:
        return home
    page = _STAFF_PAGES.get(urlsplit(target).path.rstrip("/"))
    return target if page is None or may_open(user, page) else home


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
def submit(_clicks: int, _enter: int, _enter_name: int, username: Any, password: Any, target: Any) -> tuple[Any, Any]:
    # The store comes back from the browser: read it as untrusted.
    target = target if isinstance(target, dict) else {}
    lang = target.get("lang") if target.get("lang") in LANGS else "id"
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        return t("login.missing", lang), no_update
    try:
        user = log_in(username.strip(), password)
    except LoginRefused as exc:
        if exc.reason == "too_many":
            return t("login.too_many", lang), no_update
        if exc.reason == "backoff":
            return t("login.backoff", lang, minutes=-(-exc.retry_after // 60)), no_update
        return t("login.invalid", lang), no_update
    path = destination(user, target.get("next"))
    return "", f"{path}{'&' if '?' in path else '?'}lang={lang}"
