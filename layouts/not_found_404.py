"""The page for an address Pantau does not have, in the visitor's language (Dash's own says "404 - Page not found")."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from i18n import LANGS, current_lang, t
from layouts._chrome import page

dash.register_page(__name__, path="/404", title="Pantau")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = lang if lang in LANGS else current_lang()
    return page(
        html.Div(html.H1(t("error.not_found", lang), id="not-found"), className="notice"),
        lang,
        "/404",
    )
