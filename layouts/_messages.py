"""The messages sent to a reporter and how their delivery went, from ``db.outbox`` rows (complaint page, admin page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from i18n import t
from layouts._when import iso, wib

# The badge colour of each delivery state: done, on its way, given up, never meant to leave.
STATE_COLOUR = {
    "queued": "yellow",
    "sending": "yellow",
    "failed": "yellow",
    "sent": "green",
    "dead": "red",
    "off": "grey",
}


def delivery_badge(status: str, lang: str) -> html.Span:
    return html.Span(t(f"outbox.status.{status}", lang), className=f"badge badge-{STATE_COLOUR.get(status, 'grey')}")


def _when(moment: Any, lang: str) -> html.Time:
    return html.Time(wib(moment, lang), dateTime=iso(moment))


RESENDABLE = ("failed", "dead")  # db.outbox.RESENDABLE


def resend_cell(row: Mapping[Any, Any], lang: str, may_resend: bool) -> list[Any]:
    """What became of a failed message: resent (and how that went), or the "Kirim ulang" button."""
    if row.get("resent_as") is not None:
        return [
            html.Div(
                [t("outbox.resent", lang), " ", delivery_badge(str(row["resent_status"]), lang)],
                className="cell-sub outbox-resent",
            )
        ]
    if may_resend and row["status"] in RESENDABLE:
        return [
            html.Button(
                t("outbox.resend", lang),
                id={"type": "outbox-resend", "id": int(row["id"])},
                n_clicks=0,
                className="action-submit small",
            )
        ]
    return []


def resend_wiring(path: str, lang: str) -> html.Div:
    """Where "Kirim ulang" says what happened, and how the page reloads to show the new message."""
    return html.Div(
        [
            html.Div(id="outbox-resend-msg", role="status", className="action-msg", **{"aria-live": "polite"}),
            dcc.Store(id="outbox-resend-ctx", data={"path": path, "lang": lang}),
            dcc.Location(id="outbox-resend-reload", refresh=True),
        ]
    )


def _state(row: Mapping[Any, Any], lang: str, may_resend: bool = False) -> list[Any]:
    parts: list[Any] = [delivery_badge(row["status"], lang)]
    if row.get("resend_of") is not None:
        parts.append(html.Div(t("outbox.is_resend", lang), className="cell-sub"))
    if row["status"] == "sent" and row["sent_at"] is not None:
        parts += [" ", _when(row["sent_at"], lang)]
    if row["status"] == "failed":
        parts += [" ", t("outbox.next_try", lang), " ", _when(row["next_attempt_at"], lang)]
    if row["attempts"]:
        parts += [html.Div(t("outbox.attempts", lang, n=row["attempts"]), className="cell-sub")]
    if row["last_error"] and row["status"] != "sent":
        parts.append(html.Div(row["last_error"], className="cell-sub outbox-error"))
    return parts + resend_cell(row, lang, may_resend)


def messages_panel(
    rows: Sequence[Mapping[Any, Any]], lang: str, show_recipient: bool, may_resend: bool = False, path: str = ""
) -> html.Section:
    """One complaint's messages to its reporter, oldest first; the address only for staff who may see the reporter."""
    head = [t("outbox.col_when", lang), t("outbox.col_what", lang), t("outbox.col_channel", lang)]
    head += [t("outbox.col_state", lang), t("outbox.col_text", lang)]
    body = []
    for row in rows:
        channel = t(f"outbox.channel.{row['channel']}", lang)
        body.append(
            html.Tr(
                [
                    html.Td(_when(row["created_at"], lang)),
                    html.Td(t(f"outbox.kind.{row['kind']}", lang)),
                    html.Td([channel, html.Div(row["recipient"], className="cell-sub")] if show_recipient else channel),
                    html.Td(_state(row, lang, may_resend)),
                    html.Td(row["body"] or t("outbox.not_written", lang), className="outbox-text"),
                ],
                **{"data-status": row["status"], "data-kind": row["kind"]},
            )
        )
    content: Any = (
        html.Div(
            html.Table(
                [html.Thead(html.Tr([html.Th(h, scope="col") for h in head])), html.Tbody(body)],
                className="queue-table",
            ),
            className="queue-table-wrap",
        )
        if rows
        else html.P(t("outbox.none", lang), className="hint")
    )
    parts: list[Any] = [html.H2(t("outbox.title", lang)), content]
    if may_resend:
        parts.append(resend_wiring(path, lang))
    return html.Section(parts, className="complaint-messages", id="cp-messages")
