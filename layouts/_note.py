"""The complaint page's note box: an internal note (the default) or a reply to the reporter.

Ids: ``cp-note-text``, ``cp-note-public`` (the choice), ``cp-note-submit`` and ``cp-note-msg``; with reply
templates for the report's category, ``cp-note-template`` picks one (callbacks/templates.py fills it in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from i18n import t

MAX_NOTE = 2000  # services.actions.MAX_TEXT


def _template_picker(templates: Sequence[Mapping[str, Any]], lang: str) -> list[Any]:
    if not templates:
        return []
    return [
        html.Label(t("template.pick", lang), htmlFor="cp-note-template"),
        dcc.Dropdown(
            id="cp-note-template",
            options=[{"label": r["title"], "value": str(r["id"])} for r in templates],
            placeholder=t("template.pick_placeholder", lang),
            clearable=True,
        ),
        html.Div(id="cp-note-template-msg", role="status", className="action-msg", **{"aria-live": "polite"}),
    ]


def note_box(
    lang: str, may_reply: bool, templates: Sequence[Mapping[str, Any]] = (), manage: bool = False
) -> html.Section:
    """A text box and the choice of who reads it, each option saying so; without ``may_reply`` internal only.
    ``templates``: the reply templates staff may start from (only offered with ``may_reply``); ``manage``: a link
    to the page that keeps them (admins)."""
    choices = [{"label": t("note.internal", lang), "value": "internal"}]
    if may_reply:
        choices.append({"label": t("note.reply", lang), "value": "reply"})
    return html.Section(
        [
            html.H2(t("note.title", lang)),
            *(_template_picker(templates, lang) if may_reply else []),
            html.A(t("nav.templates", lang), href=f"/templat?lang={lang}", id="cp-note-templates", className="hint")
            if manage
            else None,
            html.Label(t("note.text", lang), htmlFor="cp-note-text"),
            dcc.Textarea(id="cp-note-text", maxLength=MAX_NOTE, rows=3, className="note-text"),
            dcc.RadioItems(id="cp-note-public", options=choices, value="internal", className="note-choice"),
            html.P(t("note.who_internal", lang), id="cp-note-who", className="hint"),
            html.Button(t("note.save", lang), id="cp-note-submit", n_clicks=0, className="action-submit"),
            html.Div(id="cp-note-msg", role="status", className="action-msg", **{"aria-live": "polite"}),
        ],
        className="complaint-note",
        id="cp-note",
    )
