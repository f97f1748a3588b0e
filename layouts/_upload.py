"""Adding completion photos from a phone or a desk: pick or take a photo, see it stored with its distance check.

``accept="image/*"`` lets a phone offer both the camera and the gallery (a
``capture`` attribute would force the camera and hide photos already taken).
The file is checked in the browser only for size, to spare sending a file that
would be refused; the server checks everything (``photos/upload.py``).
Ids: ``<prefix>-upload``, ``-pending``, ``-upload-msg``, ``-photos``, ``-photo-count``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from i18n import t
from layouts._evidence import photo_figure


def stored_photos(rows: Sequence[Mapping[Any, Any]], lang: str) -> list[Any]:
    return [photo_figure(r, lang) for r in rows]


def upload_widget(
    prefix: str, completion_rows: Sequence[Mapping[Any, Any]], max_mb: float, lang: str, title: bool = True
) -> html.Div:
    """``title=False`` when the surrounding section's heading already says what the photos are for."""
    return html.Div(
        [
            html.H3(t("upload.title", lang), id=f"{prefix}-upload-title", hidden=not title),
            html.P(t("upload.hint", lang, mb=f"{max_mb:g}"), className="hint", id=f"{prefix}-upload-hint"),
            dcc.Upload(
                id=f"{prefix}-upload",
                children=html.Div(
                    [html.Span("+", className="upload-icon", **{"aria-hidden": "true"}), t("upload.choose", lang)],
                    className="upload-label",
                ),
                accept="image/*",
                multiple=False,
                className="upload-zone",
                className_active="upload-zone upload-active",
            ),
            html.Div(id=f"{prefix}-upload-msg", role="status", className="upload-msg", **{"aria-live": "polite"}),
            html.Div(stored_photos(completion_rows, lang), id=f"{prefix}-photos", className="upload-photos"),
            dcc.Store(id=f"{prefix}-pending"),
            dcc.Store(id=f"{prefix}-photo-count", data=len(completion_rows)),
            html.Div(id=f"{prefix}-upload-a11y", hidden=True),
        ],
        className="upload-widget",
        **{"aria-labelledby": f"{prefix}-upload-title"},
    )
