"""Merging duplicates on the staff complaint page: the nearby candidates, the question before a merge, its answer.

The survivor of a merge keeps its stage and field supervisor and the duplicate's
are dropped (``db.workflow.merge_refusal``), so each candidate shows who carries
the work, only the merges that lose nothing are offered (the survivor further
along, or on a tie the older report, first), and every merge asks once more,
naming both reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from db.status import Status
from db.workflow import MERGE_STAGE, merge_refusal
from i18n import t
from layouts._timeline import status_badge
from layouts._when import iso, wib

Row = Mapping[Any, Any]


def handling(row: Row, lang: str) -> str:
    """Who carries the work: the field supervisor's name, or that there is none yet."""
    who = row["assignee"]
    return t("dup.assignee", lang, name=who) if who else t("dup.no_assignee", lang)


def directions(here: Row, other: Row) -> list[tuple[Row, Row]]:
    """The (duplicate, survivor) merges that lose nothing, the one to suggest first."""
    allowed = [(d, s) for d, s in ((here, other), (other, here)) if merge_refusal(d, s) is None]
    return sorted(
        allowed,
        key=lambda p: (-MERGE_STAGE[Status(p[1]["status"])], p[1]["assignee_id"] is None, p[1]["created_at"]),
    )


def _candidate(here: Row, other: Row, lang: str, can_merge: bool) -> html.Li:
    code = other["tracking_code"]
    buttons: list[Any] = []
    notes: list[Any] = []
    if can_merge:
        offered = directions(here, other)
        for n, (dup, into) in enumerate(offered):
            buttons.append(
                html.Button(
                    t("dup.merge_into", lang, a=dup["tracking_code"], b=into["tracking_code"]),
                    id={"type": "cp-merge", "dup": dup["tracking_code"], "into": into["tracking_code"]},
                    n_clicks=0,
                    className="button-small" + (" button-secondary" if n else ""),
                )
            )
        for dup, into in ((here, other), (other, here)):
            if all(d is not dup for d, _ in offered):
                notes.append(
                    html.P(
                        t("dup.cannot", lang, a=dup["tracking_code"], b=into["tracking_code"]),
                        className="hint dup-cannot",
                    )
                )
    return html.Li(
        [
            html.Div(
                [
                    html.A(code, href=f"/pengaduan/{code}?lang={lang}", className="code-link"),
                    " ",
                    status_badge(other["status"], lang),
                    " ",
                    html.Span(handling(other, lang), className="dup-handling"),
                    " · ",
                    html.Span(t("dup.distance", lang, m=round(float(other["distance_m"]))), className="dup-distance"),
                    " · ",
                    html.Time(wib(other["created_at"], lang), dateTime=iso(other["created_at"])),
                ]
            ),
            html.P(other["description"], className="cell-sub"),
            html.Div(buttons, className="dup-buttons"),
            *notes,
        ],
        className="dup-item",
        **{"data-code": code},
    )


def duplicates_section(
    here: Row, nearby: Sequence[Row], merged: Sequence[Row], lang: str, can_merge: bool
) -> html.Section:
    """ "Kemungkinan duplikat": this report's handling, each candidate's, and the merges on offer."""
    children: list[Any] = [html.H2(t("dup.title", lang)), html.P(t("dup.hint", lang), className="hint")]
    if nearby:
        children.append(
            html.P(
                [
                    t("dup.this", lang, code=here["tracking_code"]),
                    " ",
                    status_badge(here["status"], lang),
                    " ",
                    html.Span(handling(here, lang), className="dup-handling"),
                ],
                className="dup-this",
            )
        )
    if can_merge and nearby:
        children += [
            html.Label(t("dup.reason", lang), htmlFor="cp-dup-reason"),
            dcc.Input(id="cp-dup-reason", type="text", value=t("dup.default_reason", lang), maxLength=1000),
        ]
    children.append(
        html.Ul([_candidate(here, d, lang, can_merge) for d in nearby], className="dup-list")
        if nearby
        else html.P(t("dup.none", lang), className="hint")
    )
    children.append(html.Div(id="cp-dup-msg", role="status", **{"aria-live": "polite"}))
    if merged:
        children += [
            html.H3(t("dup.merged_title", lang)),
            html.Ul(
                [
                    html.Li(html.A(m["tracking_code"], href=f"/pengaduan/{m['tracking_code']}?lang={lang}"))
                    for m in merged
                ],
                className="merged-list",
            ),
        ]
    return html.Section(children, className="duplicates", id="cp-duplicates")


def merge_dialog(lang: str) -> html.Div:
    """The question asked before any merge; filled and shown by ``callbacks/complaint.py``."""
    return html.Div(
        html.Div(
            [
                html.H2(id="cp-merge-q", className="merge-ask-q"),
                html.Div(id="cp-merge-detail"),
                html.Div(id="cp-merge-msg", role="alert"),
                html.Div(
                    [
                        html.Button(t("dup.ask_yes", lang), id="cp-merge-yes", n_clicks=0),
                        html.Button(t("dup.ask_no", lang), id="cp-merge-no", n_clicks=0, className="button-secondary"),
                    ],
                    className="merge-ask-buttons",
                ),
                dcc.Store(id="cp-merge-pending"),
            ],
            className="merge-ask-box",
        ),
        id="cp-merge-ask",
        className="merge-ask",
        hidden=True,
        role="dialog",
        **{"aria-modal": "true", "aria-labelledby": "cp-merge-q"},
    )


def merge_question(duplicate: Row, survivor: Row, lang: str) -> tuple[str, list[Any], str]:
    """The dialog's title, what happens to each report, and the confirm button's label."""
    a, b = duplicate["tracking_code"], survivor["tracking_code"]

    def line(key: str, row: Row) -> html.P:
        return html.P(
            [
                html.Strong(row["tracking_code"]),
                " ",
                status_badge(row["status"], lang),
                " ",
                html.Span(handling(row, lang), className="dup-handling"),
                html.Br(),
                t(key, lang, a=a, b=b),
            ],
            className=f"merge-ask-{key.rsplit('.', 1)[1]}",
        )

    return (
        t("dup.ask_title", lang, a=a, b=b),
        [line("dup.ask_duplicate", duplicate), line("dup.ask_survivor", survivor)],
        t("dup.ask_confirm", lang, a=a, b=b),
    )


def merge_notice(row: Row, merged: Sequence[Row], code: str | None, lang: str) -> html.P | None:
    """ "<A> digabungkan ke <B>" after a merge, when the page's ``merged`` parameter names a real merge."""
    code = (code or "").strip().upper()
    if not code:
        return None
    if code == row["tracking_code"] and row["merged_into"]:
        pair = (code, row["merged_into"])
    elif code in {m["tracking_code"] for m in merged}:
        pair = (code, row["tracking_code"])
    else:
        return None
    return html.P(t("dup.done", lang, a=pair[0], b=pair[1]), className="notice", role="status", id="cp-merged")
