"""The messages sent to a reporter and how their delivery went, from ``db.outbox`` rows (complaint page, admin page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

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


def _state(row: Mapping[Any, Any], lang: str) -> list[Any]:
    parts: list[Any] = [delivery_badge(row["status"], lang)]
    if row["status"] == "sent" and row["sent_at"] is not None:
        parts += [" ", _when(row["sent_at"], lang)]
    if row["status"] == "failed":
        parts += [" ", t("outbox.next_try", lang), " ", _when(row["next_attempt_at"], lang)]
    if row["attempts"]:
        parts += [html.Div(t("outbox.attempts", lang, n=row["attempts"]), className="cell-sub")]
    if row["last_error"] and row["status"] != "sent":
        parts.append(html.Div(row["last_error"], className="cell-sub outbox-error"))
    return parts


def messages_panel(rows: Sequence[Mapping[Any, Any]], lang: str, show_recipient: bool) -> html.Section:
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
                    html.Td(_state(row, lang)),
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
    return html.Section([html.H2(t("outbox.title", lang)), content], className="complaint-messages", id="cp-messages")
