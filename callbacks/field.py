"""The field page: my jobs nearest or oldest first; start a job, add photos, finish it."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, ctx, html, no_update

from api.auth import current_staff
from callbacks._upload import register_upload
from db.engine import get_engine
from db.status import COLOUR, Status
from db.workflow import FIELD_JOB_STATUSES, cached_kecamatan_outline, detail, evidence, jobs, next_job
from geo.job_map import job_map
from i18n import t
from layouts._jobs import job_list
from layouts.field import FINISHED, done_panel
from services.actions import Refused, act, available_actions
from services.permissions import may_open, scope_of
from settings import get_settings

register_upload("fj")


@callback(
    Output("fj-list", "children"),
    Output("fj-map", "figure"),
    Output("fj-summary", "children"),
    Input("fj-order", "value"),
    Input("fj-geo", "position"),
    Input("fj-geo", "position_error"),
    State("fj-ctx", "data"),
)
def list_jobs(
    order: str, position: dict[str, Any] | None, error: dict[str, Any] | None, page: dict[str, Any]
) -> tuple[Any, ...]:
    lang = page.get("lang", "id")
    user = current_staff()
    if not may_open(user, "field"):
        return html.P(t("guard.forbidden", lang), className="error"), no_update, ""
    assert user is not None
    here = (float(position["lon"]), float(position["lat"])) if position and "lon" in position else None
    nearest = order != "oldest"
    with get_engine().connect() as conn:
        rows = jobs(
            conn,
            scope_of(user),
            FIELD_JOB_STATUSES,
            lon=here[0] if here else None,
            lat=here[1] if here else None,
            nearest=nearest,
        )
    summary = t("field.count", lang, n=len(rows))
    if nearest and here is None:
        summary += " " + t("field.no_position", lang)
    figure = job_map(
        rows, cached_kecamatan_outline(), height=220, width=330, tile_url=get_settings().tile_url, here=here
    )
    return job_list(rows, lang), figure, summary


@callback(
    Output("fj-msg", "children"),
    Output("fj-badge", "children"),
    Output("fj-badge", "className"),
    Output("fj-start-section", "hidden"),
    Output("fj-finish-section", "hidden"),
    Output("fj-actions", "data"),
    Output("fj-done", "children"),
    Output("fj-done", "hidden"),
    Output("fj-job-map", "figure"),
    Input("fj-start", "n_clicks"),
    Input("fj-finish", "n_clicks"),
    State("fj-note", "value"),
    State("fj-ctx", "data"),
    prevent_initial_call=True,
)
def take(_start: int, _finish: int, note: str | None, page: dict[str, Any]) -> tuple[Any, ...]:
    lang = page.get("lang", "id")
    action = "start" if ctx.triggered_id == "fj-start" else "complete"
    user = current_staff()
    unchanged = (no_update,) * 8
    try:
        # Finishing far from the report (or with photos without GPS) needs the note as the reason for the operator.
        outcome = act(user, page["code"], action, {"reason": note} if action == "complete" else {})
    except Refused:
        return (html.Span(t("action.forbidden", lang), className="error"), *unchanged)
    if outcome.kind == "not_found":
        return (html.Span(t("complaint.not_found", lang, code=page["code"]), className="error"), *unchanged)
    if outcome.kind == "forbidden":
        return (html.Span(t("action.forbidden", lang), className="error"), *unchanged)
    if outcome.kind == "missing":
        return (
            html.Span(t("field.need_reason", lang, limit=_limit()), className="error", id="fj-need-reason"),
            *unchanged,
        )
    if not outcome.ok:
        key = "field.need_photo" if action == "complete" and "photo" in (outcome.error or "") else "action.illegal"
        current = outcome.status or ""
        return (
            html.Span(t(key, lang, status=t(f"status.{current}", lang) if current else ""), className="error"),
            *unchanged,
        )
    assert user is not None
    with get_engine().connect() as conn:
        row = detail(conn, page["code"])
        finished = row["status"] in FINISHED
        done: Any = no_update
        if finished:
            completion = [p for p in evidence(conn, row["id"]) if p["kind"] == "completion" and not p["from_survivor"]]
            done = done_panel(completion, next_job(conn, scope_of(user), row["id"]), lang)
    status = Status(row["status"])
    now = available_actions(user, row)
    message = t(
        "field.started"
        if action == "start"
        else "field.waiting"
        if status is Status.PERLU_KONFIRMASI
        else "field.finished",
        lang,
    )
    located = row["lat"] is not None and row["lon"] is not None
    figure = (
        job_map([row], height=200, outline=cached_kecamatan_outline(), width=330, tile_url=get_settings().tile_url)
        if located
        else no_update
    )
    return (
        html.Span(message, className="done"),
        t(f"status.{status.value}", lang),
        f"badge badge-{COLOUR[status].value}",
        "start" not in now,
        # A finished job is read-only: no upload box, no note, no button (its photos are in the done panel).
        "complete" not in now or finished,
        now,
        done,
        not finished,
        figure,
    )


def _limit() -> str:
    return f"{get_settings().photo_max_distance_m:,.0f} m"


@callback(
    Output("fj-finish", "disabled"),
    Input("fj-photo-count", "data"),
    Input("fj-actions", "data"),
)
def finish_ready(count: int | None, actions: list[str] | None) -> bool:
    """Finishing needs at least one stored completion photo, and a job this account may still finish."""
    return not (count and "complete" in (actions or []))
