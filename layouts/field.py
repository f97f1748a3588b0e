"""The field supervisor's page, built for a phone: my jobs, then one job to start and finish with photos."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash
from dash import dcc, html

from api.auth import current_staff
from db.accounts import StaffUser
from db.complaints import NotFound
from db.engine import get_engine
from db.status import Status
from db.workflow import cached_kecamatan_outline, detail, evidence, next_job
from geo.job_map import job_map
from i18n import current_lang, t
from layouts._chrome import guard, page
from layouts._evidence import photo_figure
from layouts._jobs import directions_url, distance_label
from layouts._timeline import status_badge
from layouts._upload import upload_widget
from layouts._when import iso, wib
from services.actions import available_actions
from services.permissions import may_see, scope_of, sees_reporter
from settings import get_settings

dash.register_page(__name__, path="/field", title="Lapangan · Pantau")

# A job in these is finished for the field: the page shows it read-only, and the next job.
FINISHED = (Status.SELESAI.value, Status.PERLU_KONFIRMASI.value)


def done_panel(completion: Sequence[Mapping[Any, Any]], upcoming: Mapping[Any, Any] | None, lang: str) -> list[Any]:
    """A finished job, read-only: its completion photos, then the nearest open job (``db.workflow.next_job``)."""
    photos: list[Any] = [photo_figure(p, lang) for p in completion]
    if not photos:
        photos = [html.P(t("evidence.none_after", lang), className="evidence-empty")]
    if upcoming is None:
        following: Any = html.P(t("field.no_next", lang), className="hint", id="fj-no-next")
    else:
        category = upcoming["category_name_en" if lang == "en" else "category_name_id"]
        place = ", ".join(p for p in (upcoming["kelurahan"], upcoming["kecamatan"]) if p)
        distance = distance_label(upcoming["distance_m"], lang)
        following = html.A(
            [
                html.Span(t("field.next", lang), className="job-next-label"),
                html.Span(f"{category} · {upcoming['tracking_code']}", className="job-next-what"),
                html.Span(" · ".join(x for x in (place, distance) if x), className="job-next-where"),
            ],
            href=f"/field?job={upcoming['tracking_code']}&lang={lang}",
            className="button job-next",
            id="fj-next",
        )
    return [
        html.H2(t("field.done_title", lang)),
        html.Div(photos, className="upload-photos", id="fj-done-photos"),
        following,
    ]


def _list_view(lang: str, order: str) -> list[Any]:
    return [
        html.H1(t("field.title", lang)),
        html.Div(
            [
                html.Fieldset(
                    [
                        html.Legend(t("field.order", lang)),
                        dcc.RadioItems(
                            id="fj-order",
                            options=[
                                {"label": t("field.order_nearest", lang), "value": "nearest"},
                                {"label": t("field.order_oldest", lang), "value": "oldest"},
                            ],
                            value=order,
                            inline=True,
                        ),
                    ],
                    className="job-order",
                ),
                html.P(id="fj-summary", role="status", className="job-summary", **{"aria-live": "polite"}),
            ],
            className="job-controls",
        ),
        html.Div(
            dcc.Graph(id="fj-map", config={"displayModeBar": False}, style={"height": "220px"}),
            className="job-map",
            role="img",
            **{"aria-label": t("field.map_label", lang)},
        ),
        html.Div(id="fj-list"),
        dcc.Geolocation(id="fj-geo", maximum_age=60000, timeout=15000),
        dcc.Store(id="fj-ctx", data={"lang": lang}),
    ]


def _job_view(user: StaffUser, code: str, lang: str) -> list[Any]:
    back = html.A(t("field.back", lang), href=f"/field?lang={lang}", className="back-link")
    with get_engine().connect() as conn:
        try:
            row = detail(conn, code)
        except NotFound:
            return [back, html.P(t("complaint.not_found", lang, code=code), className="notice", id="fj-missing")]
        if not may_see(user, row):
            return [back, html.P(t("field.not_yours", lang), className="notice", id="fj-not-yours")]
        photos = evidence(conn, row["id"])
        finished = row["status"] in FINISHED
        upcoming = next_job(conn, scope_of(user), row["id"]) if finished else None
    mine = [p for p in photos if p["kind"] == "completion" and not p["from_survivor"]]
    actions = available_actions(user, row)
    can_start, can_finish = "start" in actions, "complete" in actions
    category = row["category_name_en" if lang == "en" else "category_name_id"]
    place = ", ".join(p for p in (row["kelurahan"], row["kecamatan"]) if p)
    located = row["lat"] is not None and row["lon"] is not None
    reporter = None
    if sees_reporter(user, row) and not row["anonymous"] and (row["reporter_name"] or row["reporter_contact"]):
        reporter = html.P(
            [
                t("complaint.reporter", lang),
                ": ",
                " · ".join(x for x in (row["reporter_name"], row["reporter_contact"]) if x),
            ]
        )
    work = html.Div(
        [
            html.Section(
                [
                    html.H2(t("field.step_start", lang)),
                    html.P(t("field.start_hint", lang), className="hint"),
                    html.Button(t("field.start", lang), id="fj-start", n_clicks=0, className="button-start"),
                ],
                id="fj-start-section",
                hidden=not can_start,
                className="job-step",
            ),
            html.Section(
                [
                    html.H2(t("field.step_finish", lang)),
                    upload_widget("fj", mine, get_settings().max_photo_mb, lang, title=False),
                    html.Label(t("field.note", lang), htmlFor="fj-note"),
                    dcc.Textarea(id="fj-note", maxLength=1000, rows=3, className="job-note"),
                    html.Button(
                        t("field.finish", lang),
                        id="fj-finish",
                        n_clicks=0,
                        disabled=not (can_finish and mine),
                        className="button-finish",
                    ),
                    html.P(t("field.finish_hint", lang), className="hint", id="fj-finish-hint"),
                ],
                id="fj-finish-section",
                hidden=not can_finish,
                className="job-step",
            ),
            html.Section(
                done_panel(mine, upcoming, lang) if finished else [],
                id="fj-done",
                hidden=not finished,
                className="job-step job-done",
            ),
        ],
        id="fj-work",
    )
    figure = (
        job_map(
            [row],
            height=200,
            outline=cached_kecamatan_outline(),
            width=330,
            tile_url=get_settings().tile_url,
        )
        if located
        else None
    )
    return [
        back,
        html.Div(
            [html.H1(category), status_badge(row["status"], lang, id="fj-badge")],
            className="job-head",
        ),
        html.P([html.Span(row["tracking_code"], className="job-code"), " · ", place or t("queue.no_place", lang)]),
        html.P(row["address"], className="job-address") if row["address"] else None,
        html.P(
            [t("complaint.due", lang), ": ", html.Time(wib(row["due_at"], lang), dateTime=iso(row["due_at"]))]
            + ([" ", html.Span(t("queue.overdue", lang), className="overdue-tag")] if row["overdue"] else [])
        )
        if row["due_at"]
        else None,
        html.Blockquote(row["description"], className="job-description"),
        reporter,
        html.A(
            t("field.directions", lang),
            href=directions_url(row["lat"], row["lon"]),
            target="_blank",
            rel="noopener",
            className="button button-secondary",
        )
        if located
        else None,
        # Always there (hidden without a place), so that finishing can redraw the dot in its new colour.
        html.Div(
            dcc.Graph(
                id="fj-job-map",
                figure=figure or {},
                config={"displayModeBar": False, "staticPlot": False},
                style={"height": "200px"},
            ),
            className="job-map",
            role="img",
            hidden=figure is None,
            **{"aria-label": t("field.map_one", lang)},
        ),
        html.Section(
            [html.H2(t("evidence.before", lang))]
            + (
                [photo_figure(p, lang) for p in photos if p["kind"] == "report"]
                or [html.P(t("evidence.none_before", lang), className="evidence-empty")]  # type: ignore[list-item]
            ),
            className="evidence",
            id="fj-evidence",
        ),
        html.P(id="fj-msg", role="status", className="job-msg", **{"aria-live": "polite"}),
        work,
        dcc.Store(
            id="fj-ctx",
            data={"lang": lang, "code": row["tracking_code"], "max_bytes": int(get_settings().max_photo_mb * 1048576)},
        ),
        dcc.Store(id="fj-actions", data=actions),
    ]


def layout(lang: str | None = None, job: str | None = None, order: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in ("id", "en") else current_lang()
    if job:
        query = {**query, "job": job}
    denied = guard("field", lang, "/field", query)
    if denied is not None:
        return denied
    user = current_staff()
    assert user is not None
    body = (
        _job_view(user, job.strip().upper(), lang)
        if job
        else _list_view(lang, order if order == "oldest" else "nearest")
    )
    return page(html.Div(body, className="field-page"), lang, "/field", query)
