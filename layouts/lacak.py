"""Track a report (citizens): ``/lacak`` asks for the code, ``/lacak/<code>`` shows where the report stands.

Shows the status with what it means, the public timeline, the office handling
it, the report's photos and, once it is finished, the completion photos. A
confidential report shows its description, photos and staff notes only to the
reporter's own link (with ``k``), which may also dispute a finished report
within 14 days. See ``db/tracking.py`` for what is public.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
from dash import dcc, html
from flask import current_app

from db.engine import get_engine
from db.ratings import rating_of
from db.status import Status
from db.tracking import MAX_REASON, PublicView, Step, documents, is_reporter, photos, public_view
from i18n import current_lang, t
from layouts._chrome import page
from layouts._evidence import documents_list, evidence_panel
from layouts._when import iso, wib
from services.ratings import rating_said
from services.templates import public_text

dash.register_page(__name__, path="/lacak", title="Lacak laporan · Pantau")


def _code_form(lang: str, code: str = "") -> html.Form:
    return html.Form(
        [
            html.Label(t("lacak.code_label", lang), htmlFor="lacak-code"),
            html.Div(
                [
                    dcc.Input(
                        id="lacak-code",
                        name="code",
                        type="text",
                        value=code,
                        autoComplete="off",
                        placeholder="XXXX-XXXX-XXXX",
                        maxLength=20,
                    ),
                    dcc.Input(type="hidden", name="lang", value=lang),
                    html.Button(t("lacak.find", lang), type="submit", id="lacak-find"),
                ],
                className="lacak-search",
            ),
        ],
        method="GET",
        action="/lacak",
        className="lacak-form",
    )


def _step_text(step: Step, lang: str) -> str:
    if step.kind == "status_changed" and step.by_reporter:
        return t("lacak.step.reopened_by_reporter", lang)
    if step.kind == "status_changed" and step.to_status:
        return t("lacak.step.status", lang, status=t(f"status.{step.to_status}", lang))
    if step.kind == "forwarded":
        return t("lacak.step.forwarded", lang, office=step.office or t("lacak.step.other_office", lang))
    if step.kind == "routed":
        return t("lacak.step.routed", lang, office=step.office or t("lacak.step.local_office", lang))
    return t(f"lacak.step.{step.kind}", lang)


def _timeline(view: PublicView, lang: str) -> html.Section:
    items = [
        html.Li(
            [
                html.Time(wib(step.at, lang), dateTime=iso(step.at), className="timeline-when"),
                html.Span(_step_text(step, lang), className="timeline-what"),
                html.Blockquote(public_text(step.note, lang), className="timeline-note") if step.note else None,
            ],
            className=f"timeline-item timeline-{step.kind}",
        )
        for step in view.steps
    ]
    return html.Section([html.H2(t("lacak.timeline", lang)), html.Ol(items, className="timeline")], id="lacak-timeline")


def _facts(view: PublicView, lang: str) -> html.Dl:
    place = ", ".join(p for p in (view.kelurahan, view.kecamatan, view.kota) if p)
    rows = [
        ("lacak.category", view.category_name_en if lang == "en" else view.category_name_id),
        ("lacak.reported", wib(view.created_at, lang)),
        ("lacak.office", view.opd_name or t("lacak.office_pending", lang)),
        ("lacak.place", place or view.address or t("lacak.place_unknown", lang)),  # no address when private
        ("lacak.due", wib(view.due_at, lang) if view.due_at else "-"),
    ]
    if view.completed_at:
        rows.append(("lacak.completed", wib(view.completed_at, lang)))
    children: list[Any] = []
    for key, value in rows:
        children += [html.Dt(t(key, lang)), html.Dd(value, id=f"lacak-{key.split('.')[1]}")]
    return html.Dl(children, className="lacak-facts")


def _dispute(view: PublicView, lang: str, reporter: bool, token: str | None) -> html.Section | None:
    until = view.dispute_until
    if until is None:
        return None
    if not view.can_dispute(datetime.now(UTC)):
        body: list[Any] = [html.P(t("lacak.dispute_closed", lang))]
    elif not reporter:
        body = [html.P(t("lacak.dispute_need_link", lang, until=wib(until, lang)))]
    else:
        body = [
            html.P(t("lacak.dispute_intro", lang, until=wib(until, lang))),
            html.Label(t("lacak.dispute_reason", lang), htmlFor="lacak-reason"),
            dcc.Textarea(id="lacak-reason", maxLength=MAX_REASON, rows=4, className="lapor-textarea"),
            html.Div(id="lacak-dispute-message", role="alert", className="error", **{"aria-live": "assertive"}),
            html.Button(t("lacak.dispute_submit", lang), id="lacak-dispute-submit", n_clicks=0),
            dcc.Store(id="lacak-dispute-ref", data={"code": view.tracking_code, "token": token, "lang": lang}),
            dcc.Location(id="lacak-reload", refresh=True),
        ]
    return html.Section([html.H2(t("lacak.dispute_title", lang)), *body], className="lacak-dispute", id="lacak-dispute")


def _rating(view: PublicView, lang: str, token: str | None) -> html.Section | None:
    """PUAS / TIDAK PUAS and a score from 1 to 5, for the reporter (their link) while the report may be disputed."""
    if not view.reporter or not view.can_dispute(datetime.now(UTC)):
        return None
    with get_engine().connect() as conn:
        given = rating_of(conn, view.id)
    current = t("lacak.rate_current", lang, said=rating_said(given["satisfied"], given["score"], lang)) if given else ""
    return html.Section(
        [
            html.H2(t("lacak.rate_title", lang)),
            html.P(t("lacak.rate_intro", lang)),
            html.Fieldset(
                [
                    html.Legend(t("lacak.rate_score", lang)),
                    dcc.RadioItems(
                        id="lacak-score",
                        options=[{"label": str(n), "value": n} for n in range(1, 6)],
                        value=given["score"] if given else None,
                        inline=True,
                        className="action-radios",
                    ),
                ],
                className="lacak-score",
            ),
            html.Div(
                [
                    html.Button(t("lacak.rate_yes", lang), id="lacak-rate-yes", n_clicks=0, className="button primary"),
                    html.Button(t("lacak.rate_no", lang), id="lacak-rate-no", n_clicks=0, className="button"),
                ],
                className="lacak-rate-buttons",
            ),
            html.P(current, id="lacak-rate-message", role="status", **{"aria-live": "polite"}),
            dcc.Store(id="lacak-rate-ref", data={"code": view.tracking_code, "token": token, "lang": lang}),
        ],
        className="lacak-rating",
        id="lacak-rating",
    )


def _report(view: PublicView, lang: str, token: str | None, disputed: bool) -> list[Any]:
    reporter = view.reporter
    parts: list[Any] = [
        html.Div(
            [
                html.Span(
                    t(f"status.{view.status.value}", lang),
                    className=f"badge badge-{view.colour} lacak-badge",
                    id="lacak-status",
                ),
                # What the status means for the citizen (the colour's name would only repeat or contradict it).
                html.Span(t(f"lacak.meaning.{view.status.value}", lang), className="lacak-colour", id="lacak-meaning"),
            ],
            className=f"lacak-status lacak-status-{view.colour}",
        ),
        html.P([t("lacak.code", lang), " ", html.Strong(view.tracking_code, id="lacak-shown-code")]),
    ]
    if disputed:
        parts.append(html.P(t("lacak.dispute_done", lang), className="notice", id="lacak-disputed"))
    if view.merged:
        parts.append(html.P(t("lacak.merged", lang), className="notice"))
    if view.opd_name is None:
        parts.append(html.P(t("lacak.outside", lang), className="notice"))
    if view.confidential:
        key = "lacak.confidential_private" if view.private else "lacak.confidential_reporter"
        parts.append(html.P(t(key, lang), className="notice", id="lacak-confidential"))
    parts += [_facts(view, lang), html.H2(t("lacak.your_report", lang))]
    if view.description is None:
        parts.append(html.P(t("lacak.description_private", lang), className="muted", id="lacak-description-private"))
    else:
        parts.append(html.P(view.description, className="lacak-description", id="lacak-description"))
    with get_engine().connect() as conn:
        shown = photos(conn, view)
        files = documents(conn, view)
    if shown or view.status == Status.SELESAI:
        parts.append(evidence_panel(shown, lang, id="lacak-evidence", token=token if reporter else None))
    parts.append(documents_list(files, lang, id="lacak-documents", token=token if reporter else None))
    parts += [_timeline(view, lang), _rating(view, lang, token), _dispute(view, lang, reporter, token)]
    return parts


def tracked(
    code: str | None = None, lang: str | None = None, k: str | None = None, disputed: str | None = None, **query: Any
) -> html.Div:
    """The report with tracking ``code`` (or only the form when there is none)."""
    lang = lang if lang in ("id", "en") else current_lang()
    code = (code or "").strip()
    body: list[Any] = [html.H1(t("lacak.title", lang))]
    if not code:
        body += [html.P(t("lacak.intro", lang)), _code_form(lang)]
    else:
        reporter = is_reporter(current_app.config["SECRET_KEY"], code, k)
        with get_engine().connect() as conn:
            view = public_view(conn, code, reporter=reporter)
        if view is None:
            body += [
                html.P(t("lacak.not_found", lang), className="error", role="alert", id="lacak-not-found"),
                _code_form(lang, code),
            ]
        else:
            body += _report(view, lang, k, bool(disputed))
            body.append(
                html.Details([html.Summary(t("lacak.other_code", lang)), _code_form(lang)], className="lacak-other")
            )
    # The language switch keeps the code (and the reporter's token) as /lacak?code=…
    return page(html.Div(body, className="lacak"), lang, "/lacak", {"code": code, "k": k})


def layout(code: str | None = None, **query: Any) -> html.Div:
    return tracked(code, **query)


dash.register_page("layouts.lacak_code", path_template="/lacak/<code>", title="Lacak laporan · Pantau", layout=tracked)
