"""The admins' door form (``/pintu``): translate it and call ``services/doors.py``."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, html
from flask import current_app

from api.auth import current_staff
from i18n import current_lang, t
from layouts.doors import door_table
from services.doors import DoorInputError, list_doors, parse_map, set_door
from services.permissions import may_open


@callback(
    Output("door-result", "children"),
    Output("door-list", "children"),
    Input("door-save", "n_clicks"),
    State("door-code", "value"),
    State("door-url", "value"),
    State("door-key", "value"),
    State("door-jurisdiction", "value"),
    State("door-map", "value"),
    prevent_initial_call=True,
)
def save_door(_: int | None, code: Any, url: Any, key: Any, jurisdiction: Any, mapping: Any) -> tuple[Any, Any]:
    lang = current_lang()
    user = current_staff()
    if user is None or not may_open(user, "doors"):
        return html.P(t("action.forbidden", lang), className="error"), door_table(list_doors(), lang)
    try:
        stored = set_door(
            str(code or ""),
            protocol="open311",
            base_url=str(url or ""),
            api_key=str(key or ""),
            remote_jurisdiction=str(jurisdiction or "") or None,
            service_map=parse_map([line for line in str(mapping or "").splitlines() if line.strip()]),
            secret=current_app.config["SECRET_KEY"],
            actor=user.actor,
        )
    except DoorInputError as exc:
        return html.P(str(exc), className="error", id="door-error"), door_table(list_doors(), lang)
    saved = html.P(t("doors.saved", lang, name=stored["jurisdiction_name"]), id="door-saved")
    return saved, door_table(list_doors(), lang)
