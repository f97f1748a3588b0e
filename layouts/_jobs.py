"""A field supervisor's jobs as cards for a phone: what, where, how old, how far, and the way there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from i18n import t
from layouts._timeline import status_badge
from layouts._when import ago


def directions_url(lat: float, lon: float) -> str:
    """A directions link the phone's maps app opens (Android and iOS alike)."""
    return f"https://www.google.com/maps/dir/?api=1&destination={lat:.6f},{lon:.6f}"


def distance_label(metres: float | None, lang: str) -> str | None:
    if metres is None:
        return None
    shown = f"{round(metres)} m" if metres < 1000 else f"{metres / 1000:.1f} km"
    return t("field.away", lang, distance=shown.replace(".", ",") if lang == "id" else shown)


def job_card(row: Mapping[Any, Any], lang: str) -> html.Li:
    code = row["tracking_code"]
    category = row["category_name_en" if lang == "en" else "category_name_id"]
    place = ", ".join(p for p in (row["kelurahan"], row["kecamatan"]) if p)
    distance = distance_label(row["distance_m"], lang)
    facts: list[Any] = [html.Span(t("field.received", lang, ago=ago(row["created_at"], lang)))]
    if row["overdue"]:
        facts.append(html.Span(t("queue.overdue", lang), className="overdue-tag"))
    if distance:
        facts.append(html.Span(distance, className="job-distance"))
    links: list[Any] = [
        html.A(t("field.open_job", lang), href=f"/field?job={code}&lang={lang}", className="button job-open")
    ]
    if row["lat"] is not None and row["lon"] is not None:
        links.append(
            html.A(
                t("field.directions", lang),
                href=directions_url(row["lat"], row["lon"]),
                target="_blank",
                rel="noopener",
                className="button button-secondary",
            )
        )
    return html.Li(
        [
            html.Div(
                [html.H2(category, className="job-title"), status_badge(row["status"], lang)], className="job-top"
            ),
            html.P([html.Span(code, className="job-code"), " · ", place or t("queue.no_place", lang)]),
            html.P(row["address"], className="job-address") if row["address"] else None,
            html.P(facts, className="job-facts"),
            html.Div(links, className="job-links"),
        ],
        className="job-card",
        **{"data-code": code},
    )


def job_list(rows: Sequence[Mapping[Any, Any]], lang: str) -> html.Ol | html.P:
    if not rows:
        return html.P(t("field.no_jobs", lang), className="notice")
    return html.Ol([job_card(r, lang) for r in rows], className="job-list")
