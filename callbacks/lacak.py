"""Tracking page: the reporter rates a finished report, or disputes it, which reopens it."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, ctx, no_update
from flask import current_app

from api.limits import allow_submission
from db.engine import get_engine
from db.ratings import RatingError, rate_by_link
from db.status import TransitionError
from db.tracking import DisputeError
from i18n import t
from services.actions import dispute
from services.ratings import rating_said


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


@callback(
    Output("lacak-rate-message", "children"),
    Input("lacak-rate-yes", "n_clicks"),
    Input("lacak-rate-no", "n_clicks"),
    State("lacak-score", "value"),
    State("lacak-rate-ref", "data"),
    prevent_initial_call=True,
)
def rate(_yes: int, _no: int, score: int | None, ref: dict[str, Any]) -> str:
    lang = ref.get("lang", "id")
    satisfied = ctx.triggered_id == "lacak-rate-yes"
    if not allow_submission("rating"):
        return t("lapor.error.rate", lang)
    try:
        with get_engine().begin() as conn:
            rated = rate_by_link(
                conn,
                ref["code"],
                satisfied,
                score if isinstance(score, int) else None,
                token=ref.get("token"),
                secret=current_app.config["SECRET_KEY"],
            )
    except RatingError as exc:
        return t(f"lacak.rate_error.{exc.reason}", lang)
    said = t("lacak.rate_thanks", lang, said=rating_said(rated.satisfied, rated.score, lang))
    return said if satisfied else f"{said} {t('lacak.rate_dispute_hint', lang)}"
