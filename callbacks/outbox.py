""" "Kirim ulang" on a failed message (the complaint page's messages, /kotak-keluar): ``services.outbox.resend``."""

from __future__ import annotations

import secrets
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from api.auth import current_staff
from i18n import t
from services.outbox import ResendRefused, resend


@callback(
    Output("outbox-resend-msg", "children"),
    Output("outbox-resend-reload", "href"),
    Input({"type": "outbox-resend", "id": ALL}, "n_clicks"),
    State("outbox-resend-ctx", "data"),
    prevent_initial_call=True,
)
def resend_message(clicks: list[int], page: dict[str, Any]) -> tuple[Any, Any]:
    """Queue the pressed message again; the page reloads to show the new one beside the original."""
    lang = page.get("lang", "id")
    pressed = ctx.triggered_id
    if not pressed or not any(clicks) or not isinstance(pressed.get("id"), int):
        return no_update, no_update
    try:
        resend(current_staff(), pressed["id"])
    except ResendRefused as exc:
        return html.Span(t(f"outbox.resend_{exc.kind}", lang), className="error"), no_update
    # A new address each time, so that the page reloads after every resend.
    return "", f"{page.get('path', '/')}?lang={lang}&resent={secrets.token_hex(4)}"
