"""The photo evidence panel: the report photo beside the completion photo (before / after).

Takes the rows of ``db.workflow.evidence(conn, complaint_id, public=…)`` so the
complaint page, the wall screen card and the citizen's tracking page show the
same thing. Each photo says when it was taken in, who uploaded it (a role, never
a person's name) and how far from the reported place it was taken, so a photo
taken elsewhere can be questioned. With ``public=True`` photos of confidential
complaints are left out even if the caller passed them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from i18n import MESSAGES, t
from layouts._when import iso, wib
from settings import get_settings


def role_label(role: str | None, lang: str) -> str:
    key = f"role.{role}"
    return t(key, lang) if key in MESSAGES else t("role.other", lang)


def distance_text(distance_m: float | None, lang: str) -> str:
    """``foto diambil 40 m dari lokasi laporan``, or that the photo carries no position."""
    if distance_m is None:
        return t("evidence.no_gps", lang)
    metres = round(float(distance_m))
    shown = f"{metres} m" if metres < 1000 else f"{metres / 1000:.1f} km".replace(".", "," if lang == "id" else ".")
    return t("evidence.distance", lang, distance=shown)


def photo_figure(row: Mapping[Any, Any], lang: str, token: str | None = None) -> html.Figure:
    """One photo; ``token`` (a reporter's link key) is added to a confidential photo's address, which needs it."""
    # Flagged beyond the distance at which finishing waits for an operator's confirmation.
    far = row["distance_m"] is not None and row["distance_m"] > get_settings().photo_max_distance_m
    key = f"?k={token}" if token and row.get("confidential") else ""
    alt_key = "evidence.alt_report" if row["kind"] == "report" else "evidence.alt_completion"
    check = distance_text(row["distance_m"], lang)
    return html.Figure(
        [
            html.A(
                html.Img(
                    src=f"/photos/{row['id']}/thumb{key}",
                    alt=t(alt_key, lang, when=wib(row["created_at"], lang)),
                    className="evidence-img",
                ),
                href=f"/photos/{row['id']}{key}",
                target="_blank",
                rel="noopener",
                title=t("evidence.open_full", lang),
            ),
            html.Figcaption(
                [
                    html.Time(wib(row["created_at"], lang), dateTime=iso(row["created_at"])),
                    html.Span(" · "),
                    html.Span(t("evidence.by", lang, role=role_label(row["uploader_role"], lang))),
                    html.Br(),
                    html.Span(
                        [html.Span("⚠ ", **{"aria-hidden": "true"}) if far else None, check]
                        + ([html.Span(" " + t("evidence.far", lang))] if far else []),
                        className="evidence-distance" + (" evidence-far" if far else ""),
                    ),
                ]
            ),
        ],
        className="evidence-photo",
        **{"data-photo-id": str(row["id"])},
    )


def _column(
    title: str, rows: Sequence[Mapping[Any, Any]], empty: str, lang: str, cls: str, token: str | None
) -> html.Div:
    return html.Div(
        [html.H3(title, className="evidence-title")]
        + ([photo_figure(r, lang, token) for r in rows] if rows else [html.P(empty, className="evidence-empty")]),
        className=f"evidence-column {cls}",
    )


def evidence_panel(
    rows: Sequence[Mapping[Any, Any]],
    lang: str,
    public: bool = False,
    heading: bool = True,
    id: str | None = None,
    token: str | None = None,
) -> html.Section:
    """Before / after photos with time, uploader role and distance check; ``token`` as for ``photo_figure``."""
    shown = [r for r in rows if not (public and r.get("confidential"))]
    before = [r for r in shown if r["kind"] == "report"]
    after = [r for r in shown if r["kind"] == "completion"]
    children: list[Any] = [html.H2(t("evidence.title", lang), className="evidence-heading")] if heading else []
    children.append(
        html.Div(
            [
                _column(
                    t("evidence.before", lang), before, t("evidence.none_before", lang), lang, "evidence-before", token
                ),
                _column(
                    t("evidence.after", lang), after, t("evidence.none_after", lang), lang, "evidence-after", token
                ),
            ],
            className="evidence-pair",
        )
    )
    return html.Section(children, className="evidence", id=id or "evidence")


def _size(byte_size: int, lang: str) -> str:
    kb = byte_size / 1024
    shown = f"{kb:.0f} kB" if kb < 1024 else f"{kb / 1024:.1f} MB"
    return shown.replace(".", ",") if lang == "id" else shown


def documents_list(
    rows: Sequence[Mapping[Any, Any]], lang: str, id: str, public: bool = False, token: str | None = None
) -> html.Section | None:
    """The PDF documents beside the photos (``db.documents.listed``): each a download link with its page count,
    size, when and from whom (a role); None when there are none. ``token`` as for ``photo_figure``."""
    shown = [r for r in rows if not (public and r.get("confidential"))]
    if not shown:
        return None
    items = []
    for n, row in enumerate(shown, start=1):
        key = f"?k={token}" if token and row.get("confidential") else ""
        items.append(
            html.Li(
                [
                    html.A(
                        t("documents.item", lang, n=n),
                        href=f"/documents/{row['id']}{key}",
                        className="document-link",
                        **{"data-document-id": str(row["id"])},
                    ),
                    html.Span(
                        " · "
                        + t("documents.pages", lang, pages=row["page_count"], size=_size(row["byte_size"], lang))
                        + " · "
                    ),
                    html.Time(wib(row["created_at"], lang), dateTime=iso(row["created_at"])),
                    html.Span(" · " + t("documents.by", lang, role=role_label(row["uploader_role"], lang))),
                ]
            )
        )
    return html.Section(
        [html.H2(t("documents.title", lang)), html.Ul(items, className="document-list")], className="documents", id=id
    )
