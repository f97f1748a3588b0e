"""Tracking page: the reporter disputes a finished report, which reopens it."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update
from flask import current_app

from api.limits import allow_submission
from db.status import TransitionError
from db.tracking import DisputeError
from i18n import t
from services.actions import dispute


@callback(
    Output("lacak-dispute-message", "children"),
    Output("lacak-reload", "href"),
    Input("lacak-dispute-submit", "n_clicks"),
    State("lacak-reason", "value"),
    State("lacak-dispute-ref", "data"),
    running=[(Output("lacak-dispute-submit", "disabled"), True, False)],
    prevent_initial_call=True,
)
def submit_dispute(_clicks: int, reason: str | None, ref: dict[str, Any]) -> tuple[Any, Any]:
    lang = ref.get("lang", "id")
    if not (reason or "").strip():
        return t("lacak.dispute_error.empty", lang), no_update
    if not allow_submission("dispute"):
        return t("lapor.error.rate", lang), no_update
    try:
        dispute(ref["code"], reason or "", token=ref.get("token"), secret=current_app.config["SECRET_KEY"])
    except DisputeError as exc:
        return t(f"lacak.dispute_error.{exc.reason}", lang), no_update
    except TransitionError:
        return t("lacak.dispute_error.not_finished", lang), no_update
    return "", f"/lacak/{ref['code']}?k={ref.get('token')}&lang={lang}&disputed=1"
