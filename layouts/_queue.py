"""The operators' queue table: one row per complaint with a selection checkbox, most urgent first."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from dash import dcc, html

from i18n import t
from layouts._timeline import status_badge
from layouts._when import ago, iso, wib, wib_date


def _row(row: Mapping[Any, Any], selected: bool, lang: str) -> html.Tr:
    code = row["tracking_code"]
    place = ", ".join(p for p in (row["kelurahan"], row["kecamatan"]) if p) or t("queue.no_place", lang)
    due: list[Any] = (
        [html.Time(wib_date(row["due_at"], lang), dateTime=iso(row["due_at"]), title=wib(row["due_at"], lang))]
        if row["due_at"]
        else []
    )
    if row["overdue"]:
        due += [html.Br(), html.Span(t("queue.overdue", lang), className="overdue-tag")]
    if row.get("handover_due"):
        # Forwarded out of the city: the day its handover is followed up, and whether that day has passed.
        when = html.Time(
            wib_date(row["handover_due"], lang), dateTime=iso(row["handover_due"]), title=wib(row["handover_due"], lang)
        )
        due += [html.Div([t("queue.follow_up", lang), " ", when], className="cell-sub handover-due")]
        if row.get("handover_overdue"):
            due += [html.Span(t("queue.overdue", lang), className="overdue-tag")]
    return html.Tr(
        [
            html.Td(
                dcc.Checklist(
                    id={"type": "op-row", "code": code},
                    options=[
                        {
                            "label": html.Span(t("queue.select_row", lang, code=code), className="visually-hidden"),
                            "value": code,
                        }
                    ],
                    value=[code] if selected else [],
                    className="row-check",
                ),
                className="col-check",
            ),
            html.Td(html.A(code, href=f"/pengaduan/{code}?lang={lang}", className="code-link"), className="col-code"),
            html.Td(
                [
                    status_badge(row["status"], lang),
                    # Overdue work chased: reminded, or escalated to the leaders (db/chase.py).
                    html.Span(
                        t("queue.escalated" if row["chased"] == "escalation" else "queue.reminded", lang),
                        className=f"chase-tag chase-{row['chased']}",
                    )
                    if row.get("chased")
                    else None,
                    # Its destination's door failed: why, for the operator who resends or redirects it.
                    html.Div(row["handover_error"], className="cell-sub handover-error")
                    if row.get("handover_error")
                    else None,
                ]
            ),
            html.Td(
                [
                    html.Div(row["category_name_en" if lang == "en" else "category_name_id"], className="cell-main"),
                    html.Div(row["description"], className="cell-sub"),
                ]
            ),
            html.Td(place),
            html.Td(row["opd_short"] or "—"),
            html.Td(
                html.Time(
                    ago(row["created_at"], lang), dateTime=iso(row["created_at"]), title=wib(row["created_at"], lang)
                ),
                className="col-created",
            ),
            html.Td(due, className="col-due"),
        ],
        className="queue-row" + (" is-selected" if selected else "") + (" is-overdue" if row["overdue"] else ""),
        **{"data-code": code},
    )


def queue_table(rows: Sequence[Mapping[Any, Any]], selected: Collection[str], lang: str) -> html.Table | html.P:
    if not rows:
        return html.P(t("queue.empty", lang), className="queue-empty")
    head = [
        t("queue.col_select", lang),
        t("queue.col_code", lang),
        t("queue.col_status", lang),
        t("queue.col_category", lang),
        t("queue.col_place", lang),
        t("queue.col_opd", lang),
        t("queue.col_created", lang),
        t("queue.col_due", lang),
    ]
    return html.Table(
        [
            html.Caption(t("queue.caption", lang), className="visually-hidden"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody([_row(r, r["tracking_code"] in selected, lang) for r in rows]),
        ],
        className="queue-table",
        id="op-table-el",
    )


def count_text(rows: Sequence[Mapping[Any, Any]], lang: str) -> str:
    total = int(rows[0]["total"]) if rows else 0
    if total > len(rows):
        return t("queue.count_limited", lang, shown=len(rows), total=total)
    return t("queue.count", lang, n=total)
