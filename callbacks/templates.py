"""The reply templates page (admins keep them) and the complaint page's template picker (staff use them)."""

from __future__ import annotations

import secrets
from typing import Any

from dash import Input, Output, State, callback, html, no_update

from api.auth import current_staff
from db.engine import get_engine
from db.templates import template
from i18n import t
from layouts.templates import NEW
from services.permissions import may_manage_templates
from services.templates import TemplateRefused, fill, save


def _refusal(exc: TemplateRefused, lang: str) -> html.Span:
    if exc.kind == "invalid":
        return html.Span(t("template.refused_invalid", lang, why=str(exc)), className="error")
    return html.Span(t(f"template.refused_{exc.kind}", lang), className="error")


@callback(
    Output("tpl-category", "value"),
    Output("tpl-title", "value"),
    Output("tpl-body", "value"),
    Output("tpl-active", "value"),
    Input("tpl-pick", "value"),
    prevent_initial_call=True,
)
def pick_template(chosen: str | None) -> tuple[Any, Any, Any, Any]:
    """Load the chosen template into the form (empty for a new one)."""
    if not chosen or chosen == NEW or not chosen.isdigit() or not may_manage_templates(current_staff()):
        return "", "", "", ["active"]
    with get_engine().connect() as conn:
        row = template(conn, int(chosen))
    if row is None:
        return no_update, no_update, no_update, no_update
    return row["category_code"] or "", row["title"], row["body"], ["active"] if row["active"] else []


@callback(
    Output("tpl-msg", "children"),
    Output("tpl-reload", "href"),
    Input("tpl-save", "n_clicks"),
    State("tpl-pick", "value"),
    State("tpl-category", "value"),
    State("tpl-title", "value"),
    State("tpl-body", "value"),
    State("tpl-active", "value"),
    State("tpl-ctx", "data"),
    prevent_initial_call=True,
)
def save_template(
    clicks: int,
    chosen: str | None,
    category: str | None,
    title: str | None,
    body: str | None,
    active: list[str] | None,
    page: dict[str, Any],
) -> tuple[Any, Any]:
    """Create or change the template; the page reloads to list it."""
    lang = page.get("lang", "id")
    if not clicks:
        return no_update, no_update
    template_id = int(chosen) if chosen and chosen != NEW and chosen.isdigit() else None
    try:
        save(current_staff(), template_id, category or None, title, body, "active" in (active or []))
    except TemplateRefused as exc:
        return _refusal(exc, lang), no_update
    return t("template.saved", lang), f"/templat?lang={lang}&saved={secrets.token_hex(4)}"


@callback(
    Output("cp-note-text", "value"),
    Output("cp-note-public", "value"),
    Output("cp-note-template-msg", "children"),
    Input("cp-note-template", "value"),
    State("cp-ctx", "data"),
    prevent_initial_call=True,
)
def use_template(chosen: str | None, page: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The picked template, filled in for this report, in the note box as a reply (still editable)."""
    lang = page.get("lang", "id")
    if not chosen or not str(chosen).isdigit():
        return no_update, no_update, no_update
    try:
        text = fill(current_staff(), int(chosen), page["code"], lang)
    except TemplateRefused as exc:
        return no_update, no_update, _refusal(exc, lang)
    return text, "reply", html.Span(t("template.picked", lang), className="hint")
