"""The action form shared by the operators' bulk bar and the complaint page.

Ids are ``<prefix>-action``, ``-opd``, ``-kota`` (with ``-office``, ``-office-person`` and
``-office-contact`` for a handover by hand), ``-assignee``, ``-category``, ``-of``, ``-reason``
and ``-submit``; the groups of fields an action does not take
(``db/status.py``: ``Action.needs``) are hidden by ``callbacks/_actions.py``. Only
the actions the caller passes are offered (``services.actions.available_actions``
for one complaint, ``services/permissions.py`` for the operators' bulk bar).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from db.status import ACTIONS, STEPS
from i18n import t

# The groups of fields (``<prefix>-grp-<group>``) and the arguments each holds; the reason field is always shown.
GROUPS: dict[str, tuple[str, ...]] = {
    "forward": ("opd", "kota"),
    "assign": ("assignee",),
    "category": ("category",),
    "duplicate": ("of",),
}


def groups_of(action: str) -> list[str]:
    """The field groups ``action`` shows: those holding an argument it (or any action of a step) takes."""
    names = STEPS.get(action, (action,))
    takes: set[str] = set().union(*(ACTIONS[name].takes for name in names if name in ACTIONS))
    return [group for group, args in GROUPS.items() if takes & set(args)]


def group_table(actions: Sequence[str]) -> dict[str, Any]:
    """The field groups in their order, and those each of ``actions`` shows (``pantau_actions.toggle``)."""
    return {"groups": list(GROUPS), "shown": {action: groups_of(action) for action in actions}}


def needs_reason(action: str | None) -> bool:
    return action in ACTIONS and ACTIONS[action].needs_reason


def dropdown_labels(lang: str) -> dict[str, str]:
    return {
        "search": t("form.search", lang),
        "clear_search": t("form.clear", lang),
        "clear_selection": t("form.clear", lang),
        "no_options_found": t("form.no_options", lang),
        "select_all": t("form.select_all", lang),
        "deselect_all": t("form.deselect_all", lang),
        "selected_count": t("form.selected_count", lang),
    }


def _select(prefix: str, name: str, label: str, options: list[dict[str, str]], lang: str) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=f"{prefix}-{name}", id=f"{prefix}-{name}-label"),
            dcc.Dropdown(
                id=f"{prefix}-{name}",
                options=options,
                placeholder=t("form.choose", lang),
                labels=dropdown_labels(lang),
                className="action-select",
            ),
        ],
        className="action-field",
    )


def _text_field(prefix: str, name: str, label: str) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=f"{prefix}-{name}"),
            dcc.Input(id=f"{prefix}-{name}", type="text", autoComplete="off", maxLength=200),
        ],
        className="action-field",
    )


def destination_label(place: Mapping[str, Any], lang: str) -> str:
    """A forward's destination as the dropdown lists it: a served city by name, any other jurisdiction with its
    code and province, marked as reached through its system's door or handed over by hand."""
    if place["served"]:
        return str(place["name"])
    door = bool(place.get("door"))
    if place["level"] == "provinsi":
        key = "action.to_province_door" if door else "action.to_province"
        return t(key, lang, name=place["name"], code=place["code"])
    key = "action.to_elsewhere_door" if door else "action.to_elsewhere"
    return t(key, lang, name=place["name"], code=place["code"], province=place["province"])


def action_form(
    prefix: str,
    actions: Sequence[str],
    options: Mapping[str, Sequence[Mapping[str, Any]]],
    field_users: Sequence[Mapping[str, Any]],
    lang: str,
    submit_label: str,
    reply: bool = False,
) -> html.Div:
    """Radio buttons for ``actions`` and the fields each needs, with a submit button and a live message.
    ``reply``: a tick (``<prefix>-public``) makes the note a reply to the reporter; otherwise it is internal."""
    cat_name = "name_en" if lang == "en" else "name_id"
    opd_options = [{"label": f"{o['short_name']} · {o['kota'] or '—'}", "value": o["code"]} for o in options["opd"]]
    kota_options = [{"label": destination_label(k, lang), "value": k["code"]} for k in options["kota"]]
    category_options = [{"label": c[cat_name], "value": c["code"]} for c in options["category"]]
    user_options = [
        {"label": f"{u['username']}" + (f" · {u['opd_short']}" if u["opd_short"] else ""), "value": u["username"]}
        for u in field_users
    ]
    return html.Div(
        [
            html.Fieldset(
                [
                    html.Legend(t("action.legend", lang)),
                    dcc.RadioItems(
                        id=f"{prefix}-action",
                        options=[{"label": t(f"action.{a}", lang), "value": a} for a in actions],
                        value=None,
                        className="action-radios",
                        inline=True,
                    ),
                ],
                className="action-choice",
            ),
            html.Div(
                [
                    _select(prefix, "opd", t("action.to_opd", lang), opd_options, lang),
                    _select(prefix, "kota", t("action.to_kota", lang), kota_options, lang),
                    html.P(t("action.forward_hint", lang), className="hint"),
                    # The codes handed over by hand: the fields below show only for one of them (assets/action_form.js).
                    dcc.Store(
                        id=f"{prefix}-by-hand",
                        data=[k["code"] for k in options["kota"] if k["by_hand"]],
                    ),
                    html.Fieldset(
                        [
                            html.Legend(t("action.handed_to", lang)),
                            _text_field(prefix, "office", t("action.office", lang)),
                            _text_field(prefix, "office-person", t("action.office_person", lang)),
                            _text_field(prefix, "office-contact", t("action.office_contact", lang)),
                        ],
                        className="action-handover",
                        id=f"{prefix}-handover",
                        hidden=True,
                    ),
                ],
                id=f"{prefix}-grp-forward",
                className="action-group",
                hidden=True,
            ),
            html.Div(
                _select(prefix, "assignee", t("action.assignee", lang), user_options, lang),
                id=f"{prefix}-grp-assign",
                className="action-group",
                hidden=True,
            ),
            html.Div(
                _select(prefix, "category", t("action.category", lang), category_options, lang),
                id=f"{prefix}-grp-category",
                className="action-group",
                hidden=True,
            ),
            html.Div(
                [
                    html.Label(t("action.of", lang), htmlFor=f"{prefix}-of"),
                    dcc.Input(id=f"{prefix}-of", type="text", placeholder="XXXX-XXXX-XXXX", autoComplete="off"),
                ],
                id=f"{prefix}-grp-duplicate",
                className="action-group",
                hidden=True,
            ),
            html.Div(
                [
                    html.Label(t("action.reason", lang), htmlFor=f"{prefix}-reason", id=f"{prefix}-reason-label"),
                    dcc.Input(id=f"{prefix}-reason", type="text", autoComplete="off", maxLength=1000),
                    html.Div(
                        dcc.Checklist(
                            id=f"{prefix}-public",
                            options=[{"label": t("action.public", lang), "value": "public"}],
                            value=[],
                            className="action-public",
                        ),
                        hidden=not reply,
                    ),
                ],
                className="action-field",
            ),
            html.Button(submit_label, id=f"{prefix}-submit", n_clicks=0, className="action-submit", disabled=True),
            # What assets/action_form.js needs to show each action's fields (callbacks/_actions.py).
            dcc.Store(id=f"{prefix}-action-groups", data=group_table(actions)),
            html.Div(id=f"{prefix}-msg", role="status", className="action-msg", **{"aria-live": "polite"}),
        ],
        className="action-form",
        id=f"{prefix}-form",
    )
