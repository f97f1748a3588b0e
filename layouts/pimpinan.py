"""The leaders' dashboard (``/pimpinan``): filters, KPI cards, agency comparison, charts, exports.

Every filter is a URL parameter (``db/filters.py``) plus ``level`` (the map's
level) and ``lang``, so a view can be bookmarked and shared; reloading the page
restores it. Behaviour is in ``callbacks/pimpinan.py``.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from api.auth import current_staff
from db.engine import read_connection
from db.filters import FilterError, Filters, parse_filters
from db.leaders import MAP_LEVELS, RANK_MIN_REPORTS, agency_choices, areas, visible_areas
from db.models import CHANNELS
from db.scope import Scope
from db.status import Colour
from i18n import LANGS, current_lang, t
from layouts._actions import dropdown_labels
from layouts._chrome import guard, page
from services.permissions import scope_of

dash.register_page(__name__, path="/pimpinan", title="Pimpinan · Pantau")

PATH = "/pimpinan"
PERIOD_CHOICES = ("all", "today", "7d", "30d", "month", "year", "custom")
KPI_CARDS = ("reports", "followed", "finished", "response", "completion", "ontime", "open", "overdue")
# The comparison tables' columns: (key, label key); the first is the row's name.
TABLE_COLUMNS = (
    ("name", "leaders.col_name"),
    ("reports", "leaders.col_reports"),
    ("followed", "leaders.col_followed"),
    ("finished", "leaders.col_finished"),
    ("response_p50", "leaders.col_response_p50"),
    ("response_p90", "leaders.col_response_p90"),
    ("completion_p50", "leaders.col_completion_p50"),
    ("completion_p90", "leaders.col_completion_p90"),
    ("ontime", "leaders.col_ontime"),
    ("satisfied", "leaders.col_satisfied"),
    ("open", "leaders.col_open"),
    ("overdue", "leaders.col_overdue"),
)


def number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """1.234,5 in Bahasa Indonesia, 1,234.5 in English; an em dash for no value."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "id" else text


def percent(share: float | None, lang: str) -> str:
    return "—" if share is None else number(100 * share, lang, 2) + "%"


def days(value: float | None, lang: str) -> str:
    return "—" if value is None else number(value, lang, 1)


def _period(filters: Filters) -> str:
    if filters.date_from or filters.date_to:
        return "custom"
    return filters.period or "all"


def _options(items: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in items]


def _select(
    id_: str, label: str, options: list[dict[str, str]], value: str | None, placeholder: str, lang: str
) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=id_, id=f"{id_}-label"),
            dcc.Dropdown(
                id=id_,
                options=options,
                value=value,
                placeholder=placeholder,
                clearable=True,
                searchable=True,
                labels=dropdown_labels(lang),
                className="pim-dropdown",
            ),
        ],
        className="pim-field",
        # Dash's dropdown names its button after the chosen value; the group carries the field's name.
        role="group",
        **{"aria-labelledby": f"{id_}-label"},
    )


def _status_options(filters: Filters, lang: str) -> list[dict[str, Any]]:
    """The four colours, plus any single status a shared URL asked for (so it survives the round trip)."""
    colours = [c.value for c in Colour]
    extra = [s for s in filters.status if s not in colours]
    return [
        {"label": html.Span([html.Span(className=f"dot dot-{c}"), t(f"colour.{c}", lang)]), "value": c} for c in colours
    ] + [{"label": t(f"status.{s}", lang), "value": s} for s in extra]


def _filters(lang: str, filters: Filters, scope: Scope) -> html.Section:
    with read_connection() as conn:
        shown = visible_areas(areas(conn, map_level="none"), scope)
        opds, categories = agency_choices(conn, scope, lang)
    by_id = {a.id: a for a in shown}
    area_store = [
        {
            "code": a.code,
            "name": a.name,
            "level": a.level,
            "parent": by_id[a.parent_id].code if a.parent_id in by_id else None,
        }
        for a in shown
    ]
    any_ = t("leaders.any", lang)
    kota = [(a.code, a.name) for a in shown if a.level == "kota"]
    kecamatan = [(a.code, a.name) for a in shown if a.level == "kecamatan"]
    kelurahan = [(a.code, a.name) for a in shown if a.level == "kelurahan"]
    return html.Section(
        [
            html.H2(t("leaders.filters", lang), className="visually-hidden"),
            html.Div(
                [
                    _select("pim-kota", t("leaders.kota", lang), _options(kota), filters.kota, any_, lang),
                    _select(
                        "pim-kecamatan",
                        t("leaders.kecamatan", lang),
                        _options(kecamatan),
                        filters.kecamatan,
                        any_,
                        lang,
                    ),
                    _select(
                        "pim-kelurahan",
                        t("leaders.kelurahan", lang),
                        _options(kelurahan),
                        filters.kelurahan,
                        any_,
                        lang,
                    ),
                    _select(
                        "pim-opd",
                        t("leaders.opd", lang),
                        _options(opds),
                        filters.opd,
                        any_,
                        lang,
                    ),
                    _select(
                        "pim-category", t("leaders.category", lang), _options(categories), filters.category, any_, lang
                    ),
                    _select(
                        "pim-channel",
                        t("leaders.channel", lang),
                        _options([(c, t(f"channel.{c}", lang)) for c in CHANNELS]),
                        filters.channel,
                        any_,
                        lang,
                    ),
                ],
                className="pim-grid",
            ),
            html.Div(
                [
                    html.Fieldset(
                        [
                            html.Legend(t("leaders.status", lang)),
                            dcc.Checklist(
                                id="pim-status",
                                options=_status_options(filters, lang),
                                value=list(filters.status),
                                inline=True,
                                className="pim-checks",
                            ),
                        ],
                        className="pim-fieldset",
                    ),
                    html.Fieldset(
                        [
                            html.Legend(t("leaders.period", lang)),
                            dcc.RadioItems(
                                id="pim-period",
                                options=[{"label": t(f"leaders.period_{p}", lang), "value": p} for p in PERIOD_CHOICES],
                                value=_period(filters),
                                inline=True,
                                className="pim-checks",
                            ),
                            html.Div(
                                [
                                    html.Label(
                                        t("leaders.dates", lang), htmlFor="pim-dates", className="visually-hidden"
                                    ),
                                    dcc.DatePickerRange(
                                        id="pim-dates",
                                        start_date=filters.date_range()[0],
                                        end_date=filters.date_range()[1],
                                        display_format="DD-MM-YYYY",
                                        first_day_of_week=1,
                                        clearable=True,
                                        start_date_placeholder_text=t("leaders.from", lang),
                                        end_date_placeholder_text=t("leaders.to", lang),
                                    ),
                                ],
                                className="pim-dates",
                            ),
                        ],
                        className="pim-fieldset",
                    ),
                    html.A(t("leaders.reset", lang), href=f"{PATH}?lang={lang}", className="pim-reset", id="pim-reset"),
                ],
                className="pim-row",
            ),
            dcc.Store(id="pim-areas", data=area_store),
        ],
        className="pim-filters",
        **{"aria-label": t("leaders.filters", lang)},
    )


def _kpi_cards(lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Div(t(f"leaders.kpi_{key}", lang), className="kpi-label", id=f"pim-kpi-{key}-label"),
                    html.Div("…", className="kpi-value", id=f"pim-kpi-{key}"),
                    html.Div("", className="kpi-note", id=f"pim-kpi-{key}-note"),
                ],
                className="kpi-card",
                role="group",
                **{"aria-labelledby": f"pim-kpi-{key}-label"},
            )
            for key in KPI_CARDS
        ],
        className="kpi-grid",
        id="pim-kpis",
        **{"aria-live": "polite"},
    )


def _table(kind: str, lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(t(f"leaders.table_{kind}", lang), id=f"pim-{kind}-title"),
            html.P(t("leaders.rank_note", lang, n=RANK_MIN_REPORTS), className="pim-note"),
            html.Div(
                html.Table(id=f"pim-{kind}-table", className="pim-table", **{"aria-labelledby": f"pim-{kind}-title"}),
                className="pim-table-wrap",
                tabIndex="0",
                role="region",
                **{"aria-labelledby": f"pim-{kind}-title"},
            ),
        ],
        className="pim-panel",
    )


def _chart(id_: str, title_key: str, lang: str, height: int) -> html.Section:
    return html.Section(
        [
            html.H2(t(title_key, lang), id=f"{id_}-title"),
            html.Div(
                dcc.Graph(
                    id=id_,
                    config={"displayModeBar": False, "responsive": True},
                    style={"height": f"{height}px"},
                ),
                role="img",
                **{"aria-labelledby": f"{id_}-title", "aria-describedby": f"{id_}-summary"},
            ),
            html.P("", id=f"{id_}-summary", className="pim-note"),
        ],
        className="pim-panel",
    )


def _exports(lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(t("leaders.exports", lang)),
            html.P(t("leaders.export_note", lang), className="pim-note"),
            html.Div(
                [
                    html.A(fmt.upper(), id=f"pim-export-{fmt}", href="#", className="button pim-export", download="")
                    for fmt in ("csv", "geojson", "xlsx")
                ],
                className="pim-export-links",
            ),
            html.Div(id="pim-export-count", className="pim-note"),
            html.Div(
                [
                    html.Label(t("leaders.export_progress", lang), htmlFor="pim-export-progress"),
                    html.Progress(id="pim-export-progress", max="1", value="0"),
                    html.Span("", id="pim-export-progress-text", **{"aria-live": "polite"}),
                ],
                id="pim-export-progress-box",
                className="pim-progress",
                hidden=True,
            ),
            dcc.Store(id="pim-export-token"),
            dcc.Interval(id="pim-export-poll", interval=1000, disabled=True),
        ],
        className="pim-panel pim-exports",
    )


def layout(lang: str | None = None, level: str | None = None, **query: Any) -> html.Div:
    lang = lang if lang in LANGS else current_lang()
    denied = guard("leaders", lang, PATH, query)
    if denied is not None:
        return denied
    user = current_staff()
    assert user is not None
    scope = scope_of(user)
    try:
        filters, problem = parse_filters(query), ""
    except FilterError as exc:
        filters, problem = Filters(), t("leaders.bad_filter", lang, detail=str(exc))
    level = level if level in MAP_LEVELS else "kecamatan"
    return page(
        [
            html.H1(t("leaders.title", lang)),
            html.P(t("leaders.intro", lang), className="pim-intro"),
            _filters(lang, filters, scope),
            html.Div(problem, id="pim-error", role="alert", className="error"),
            _kpi_cards(lang),
            html.Section(
                [
                    html.H2(t("leaders.emerging", lang)),
                    html.Div(id="pim-emerging", **{"aria-live": "polite"}),
                    html.P(t("leaders.emerging_rule", lang), className="pim-note"),
                ],
                className="pim-panel pim-emerging",
            ),
            html.Div(
                [
                    html.Section(
                        [
                            html.H2(t("leaders.map", lang), id="pim-map-title"),
                            html.Fieldset(
                                [
                                    html.Legend(t("leaders.map_level", lang), className="visually-hidden"),
                                    dcc.RadioItems(
                                        id="pim-level",
                                        options=[{"label": t(f"leaders.{lv}", lang), "value": lv} for lv in MAP_LEVELS],
                                        value=level,
                                        inline=True,
                                        className="pim-checks",
                                    ),
                                ],
                                className="pim-fieldset pim-level",
                            ),
                            html.Div(
                                dcc.Graph(
                                    id="pim-map",
                                    config={"displayModeBar": False, "scrollZoom": True, "responsive": True},
                                    style={"height": "420px", "width": "100%"},
                                ),
                                role="img",
                                **{"aria-labelledby": "pim-map-title", "aria-describedby": "pim-map-summary"},
                            ),
                            html.P(t("leaders.map_hint", lang), id="pim-map-summary", className="pim-note"),
                        ],
                        className="pim-panel",
                    ),
                    _chart("pim-per-day", "leaders.per_day", lang, 300),
                ],
                className="pim-two",
            ),
            html.Div(
                [_chart("pim-by-category", "leaders.by_category", lang, 340), _exports(lang)],
                className="pim-two",
            ),
            _table("opd", lang),
            _table("kecamatan", lang),
            dcc.Store(id="pim-lang", data=lang),
            html.Div(id="pim-sink", hidden=True),
            dcc.Store(id="pim-query"),
            dcc.Store(id="pim-rows"),
            dcc.Store(id="pim-sort", data={"opd": ["reports", "desc"], "kecamatan": ["reports", "desc"]}),
        ],
        lang,
        PATH,
        {**query, "level": level},
        wide=True,
    )
