"""The "waiting for confirmation" panel of a complaint page: why finishing did not close the report (how far
the nearest completion photo was taken, or that none has GPS), the field supervisor's reason, and the button
that confirms it (``confirm``); sending it back is the action form's ``reopen``, with a reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from db.status import Status
from i18n import t
from layouts._when import iso, wib


def _distance(metres: float, lang: str) -> str:
    shown = f"{round(metres)} m" if metres < 1000 else f"{metres / 1000:.1f} km"
    return shown.replace(".", ",") if lang == "id" else shown


def confirmation_panel(
    row: Mapping[str, Any], history: Sequence[Mapping[str, Any]], may_confirm: bool, lang: str
) -> html.Section | None:
    """The panel for a complaint waiting for confirmation (``history``: ``db.workflow.staff_events``), else None."""
    if row["status"] != Status.PERLU_KONFIRMASI:
        return None
    finished = next((e for e in reversed(history) if e["to_status"] == Status.PERLU_KONFIRMASI), None)
    data = (finished["data"] if finished else None) or {}
    distance, limit = data.get("photo_distance_m"), data.get("max_distance_m")
    why = (
        t("confirm.far", lang, distance=_distance(float(distance), lang), limit=_distance(float(limit or 0), lang))
        if distance is not None
        else t("confirm.no_gps", lang)
    )
    parts: list[Any] = [html.H2(t("confirm.title", lang)), html.P(why, id="cp-confirm-why")]
    if finished:
        who = finished["actor"] or finished["actor_role"]
        parts += [
            html.P(
                html.Time(t("confirm.by", lang, who=who, when=wib(finished["at"], lang)), dateTime=iso(finished["at"])),
                className="hint",
            ),
            html.Figure(
                [
                    html.Figcaption(t("confirm.reason", lang)),
                    html.Blockquote(finished["note"] or "—", id="cp-confirm-reason"),
                ]
            ),
        ]
    if may_confirm:
        parts += [
            html.P(t("confirm.hint", lang), className="hint"),
            html.Button(t("action.confirm", lang), id="cp-confirm", n_clicks=0, className="button-finish"),
            html.P(id="cp-confirm-msg", role="status"),
        ]
    return html.Section(parts, className="confirm-panel", id="cp-confirm-panel")
