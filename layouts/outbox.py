"""For admins: messages to reporters that could not be delivered, given up first, and how many are waiting."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from db.engine import get_engine
from db.outbox import problems, status_counts
from i18n import current_lang, t
from layouts._chrome import guard, page
from layouts._messages import delivery_badge, resend_cell, resend_wiring
from layouts._when import iso, wib

dash.register_page(__name__, path="/kotak-keluar", title="Kotak keluar · Pantau")

COUNTED = ("queued", "sending", "failed", "dead")


def layout(lang: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    path = "/kotak-keluar"
    denied = guard("outbox", lang, path, query)
    if denied is not None:
        return denied
    with get_engine().connect() as conn:
        counts = status_counts(conn)
        rows = problems(conn)
    summary = html.Dl(
        [
            part
            for status in COUNTED
            for part in (
                html.Dt(t(f"outbox.status.{status}", lang)),
                html.Dd(str(counts.get(status, 0)), id=f"outbox-count-{status}"),
            )
        ],
        className="facts",
    )
    head = [
        t("outbox.col_report", lang),
        t("outbox.col_what", lang),
        t("outbox.col_channel", lang),
        t("outbox.col_state", lang),
        t("outbox.col_error", lang),
        t("outbox.col_when", lang),
    ]
    table: Any = (
        html.Div(
            html.Table(
                [
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(
                                        html.A(
                                            r["tracking_code"],
                                            href=f"/pengaduan/{r['tracking_code']}?lang={lang}",
                                            className="code-link",
                                        )
                                    ),
                                    html.Td(t(f"outbox.kind.{r['kind']}", lang)),
                                    html.Td(t(f"outbox.channel.{r['channel']}", lang)),
                                    html.Td(
                                        [
                                            delivery_badge(r["status"], lang),
                                            html.Div(t("outbox.attempts", lang, n=r["attempts"]), className="cell-sub"),
                                            *resend_cell(r, lang, may_resend=True),
                                        ]
                                    ),
                                    html.Td(r["last_error"] or "—"),
                                    html.Td(html.Time(wib(r["created_at"], lang), dateTime=iso(r["created_at"]))),
                                ],
                                **{"data-status": r["status"]},
                            )
                            for r in rows
                        ]
                    ),
                ],
                className="queue-table",
            ),
            className="queue-table-wrap",
        )
        if rows
        else html.P(t("outbox.no_problems", lang), className="hint", id="outbox-empty")
    )
    return page(
        html.Div(
            [
                html.H1(t("outbox.admin_title", lang)),
                html.P(t("outbox.admin_hint", lang), className="hint"),
                summary,
                html.H2(t("outbox.problems", lang)),
                resend_wiring(path, lang),
                table,
            ],
            id="outbox-page",
        ),
        lang,
        path,
        query,
        wide=True,
    )
