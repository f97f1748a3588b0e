"""The complaint page's note box: an internal note (the default) or a reply to the reporter.

Ids: ``cp-note-text``, ``cp-note-public`` (the choice), ``cp-note-submit`` and ``cp-note-msg``.
"""

from __future__ import annotations

from dash import dcc, html

from i18n import t

MAX_NOTE = 2000  # services.actions.MAX_TEXT


def note_box(lang: str, may_reply: bool) -> html.Section:
    """A text box and the choice of who reads it, each option saying so; without ``may_reply`` internal only."""
    choices = [{"label": t("note.internal", lang), "value": "internal"}]
    if may_reply:
        choices.append({"label": t("note.reply", lang), "value": "reply"})
    return html.Section(
        [
            html.H2(t("note.title", lang)),
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
