"""Photo upload widgets: completion photos from a phone or a desk, and the photos of a citizen's report.

``accept="image/*"`` lets a phone offer both the camera and the gallery (a
``capture`` attribute would force the camera and hide photos already taken).
One photo is chosen, and sent, at a time. The file is checked in the browser
only for size, to spare sending a file that would be refused; the server
checks everything (``photos/upload.py``). Ids: ``<prefix>-upload``,
``-pending``, ``-upload-msg``, ``-upload-hint``, ``-upload-a11y``, and
``-photos`` / ``-photo-count`` (completion) or ``-photo-list`` /
``-photo-tokens`` / ``-photo-thumbs`` (a report's photos).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from i18n import t
from layouts._evidence import photo_figure
from photos.document import MAX_DOCUMENT_MB, MAX_DOCUMENTS, MAX_PAGES


def stored_photos(rows: Sequence[Mapping[Any, Any]], lang: str) -> list[Any]:
    return [photo_figure(r, lang) for r in rows]


def upload_zone(prefix: str, choose: str, hint: str, accept: str = "image/*") -> list[Any]:
    """The hint, the drop zone and the message line every upload widget has."""
    return [
        html.P(hint, className="hint", id=f"{prefix}-upload-hint"),
        dcc.Upload(
            id=f"{prefix}-upload",
            children=html.Div(
                [html.Span("+", className="upload-icon", **{"aria-hidden": "true"}), choose],
                className="upload-label",
            ),
            accept=accept,
            multiple=False,
            className="upload-zone",
            className_active="upload-zone upload-active",
        ),
        html.Div(id=f"{prefix}-upload-msg", role="status", className="upload-msg", **{"aria-live": "polite"}),
        dcc.Store(id=f"{prefix}-pending"),
        html.Div(id=f"{prefix}-upload-a11y", hidden=True),
    ]


def upload_widget(
    prefix: str, completion_rows: Sequence[Mapping[Any, Any]], max_mb: float, lang: str, title: bool = True
) -> html.Div:
    """``title=False`` when the surrounding section's heading already says what the photos are for."""
    return html.Div(
        [
            html.H3(t("upload.title", lang), id=f"{prefix}-upload-title", hidden=not title),
            *upload_zone(prefix, t("upload.choose", lang), t("upload.hint", lang, mb=f"{max_mb:g}")),
            html.Div(stored_photos(completion_rows, lang), id=f"{prefix}-photos", className="upload-photos"),
            dcc.Store(id=f"{prefix}-photo-count", data=len(completion_rows)),
        ],
        className="upload-widget",
        **{"aria-labelledby": f"{prefix}-upload-title"},
    )


def staged_list(
    prefix: str, staged: Sequence[Mapping[str, str]], lang: str, thumbs: Mapping[str, str] | None = None
) -> list[Any]:
    """The photos and documents chosen for a report so far, each photo as the server keeps it (``thumbs``: token
    to a small JPEG as a data URL), each with a button that takes it out again."""
    thumbs = thumbs or {}
    return [
        html.Li(
            [
                html.Img(
                    src=thumbs[p["token"]],
                    alt=t("upload.thumb_alt", lang, name=p["name"] or f"#{i}"),
                    className="photo-thumb",
                )
                if p["token"] in thumbs
                else None,
                html.Span(p["name"] or f"#{i}", className="photo-name"),
                html.Button(
                    t("upload.remove", lang),
                    id={"type": f"{prefix}-photo-remove", "index": p["token"]},
                    type="button",
                    className="button-secondary photo-remove",
                    **{
                        "aria-label": t(
                            "upload.remove_document" if p.get("kind") == "document" else "upload.remove_named",
                            lang,
                            name=p["name"] or f"#{i}",
                        )
                    },
                ),
            ]
        )
        for i, p in enumerate(staged, start=1)
    ]


def report_photos(prefix: str, max_photos: int, max_mb: float, lang: str) -> html.Div:
    """Up to ``max_photos`` photos and ``MAX_DOCUMENTS`` PDFs for a report that is not sent yet; each is sent
    as soon as it is chosen."""
    hint = t(
        "lapor.photos_hint", lang, n=max_photos, mb=f"{max_mb:g}", docs=MAX_DOCUMENTS, doc_mb=MAX_DOCUMENT_MB,
        pages=MAX_PAGES,
    )  # fmt: skip
    return html.Div(
        [
            html.Span(t("lapor.photos", lang), className="label", id=f"{prefix}-photos-label"),
            *upload_zone(prefix, t("lapor.photos_pick", lang), hint, accept="image/*,application/pdf"),
            html.Ul(id=f"{prefix}-photo-list", className="photo-list"),
            dcc.Store(id=f"{prefix}-photo-tokens", data=[]),
            # Kept apart from the tokens, which the form sends: the thumbnails stay in the browser.
            dcc.Store(id=f"{prefix}-photo-thumbs", data={}),
        ],
        className="field upload-widget",
        role="group",
        **{"aria-labelledby": f"{prefix}-photos-label"},
    )
