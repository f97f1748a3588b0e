"""/statistik: the agencies' public statistics, for anyone, without a log-in (and embeddable with ?embed=1).

The figures are the leaders' dashboard's (``db/leaders.py`` ``dashboard``) for the whole city, over a period and
an area: only counts, shares and medians, never a report, a description or a reporter. Groups with fewer
reports than the minimum count are listed without shares or medians, and never ranked.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from db.engine import read_connection
from db.leaders import RANK_MIN_REPORTS, areas
from i18n import LANGS, current_lang, t
from layouts._actions import dropdown_labels
from layouts._chrome import page

dash.register_page(__name__, path="/statistik", title="Statistik · Pantau")

PATH = "/statistik"
PERIODS = ("30d", "7d", "month", "year", "all")
CARDS = ("reports", "followed", "finished", "response", "completion")


def _select(id_: str, label: str, options: list[dict[str, str]], value: str | None, lang: str) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=id_),
            dcc.Dropdown(
                id=id_,
                options=options,
                value=value,
                placeholder=t("leaders.any", lang),
                clearable=True,
                searchable=True,
                className="pim-dropdown",
                labels=dropdown_labels(lang),
            ),
        ],
        className="pim-field",
    )


def layout(lang: str | None = None, embed: str | None = None, **query: Any) -> html.Div | html.Main:
    lang = lang if lang in LANGS else current_lang()
    with read_connection() as conn:
        known = areas(conn, map_level="none")
    kota = [{"label": a.name, "value": a.code} for a in known if a.level == "kota"]
    kecamatan = [{"label": a.name, "value": a.code} for a in known if a.level == "kecamatan"]
    period = query.get("period") if query.get("period") in PERIODS else PERIODS[0]
    body = html.Div(
        [
            html.H1(t("stats.title", lang)),
            html.P(t("stats.intro", lang), className="pim-intro"),
            html.Section(
                html.Div(
                    [
                        html.Div(
                            [
                                html.Label(t("leaders.period", lang), htmlFor="st-period"),
                                dcc.Dropdown(
                                    id="st-period",
                                    options=[{"label": t(f"leaders.period_{p}", lang), "value": p} for p in PERIODS],
                                    value=period,
                                    clearable=False,
                                    className="pim-dropdown",
                                    labels=dropdown_labels(lang),
                                ),
                            ],
                            className="pim-field",
                        ),
                        _select("st-kota", t("leaders.kota", lang), kota, query.get("kota"), lang),
                        _select("st-kecamatan", t("leaders.kecamatan", lang), kecamatan, query.get("kecamatan"), lang),
                    ],
                    className="pim-grid",
                ),
                className="pim-filters st-filters",
                **{"aria-label": t("leaders.filters", lang)},
            ),
            html.Div(id="st-error", role="alert", className="error"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(t(f"stats.kpi_{key}", lang), className="kpi-label", id=f"st-kpi-{key}-label"),
                            html.Div("…", className="kpi-value", id=f"st-kpi-{key}"),
                            html.Div("", className="kpi-note", id=f"st-kpi-{key}-note"),
                        ],
                        className="kpi-card",
                        role="group",
                        **{"aria-labelledby": f"st-kpi-{key}-label"},
                    )
                    for key in CARDS
                ],
                className="kpi-grid",
                **{"aria-live": "polite"},
            ),
            html.P(id="st-extremes", className="pim-note"),
            html.Div(
                [
                    html.Section(
                        [
                            html.H2(t("stats.map", lang), id="st-map-title"),
                            html.Div(
                                dcc.Graph(
                                    id="st-map",
                                    config={"displayModeBar": False, "scrollZoom": True, "responsive": True},
                                    style={"height": "420px", "width": "100%"},
                                ),
                                role="img",
                                **{"aria-labelledby": "st-map-title"},
                            ),
                        ],
                        className="pim-panel",
                    ),
                    html.Section(
                        [html.H2(t("stats.by_opd", lang)), html.Div(id="st-opd", className="pim-table-wrap")],
                        className="pim-panel",
                    ),
                ],
                className="pim-two",
            ),
            html.Section(
                [html.H2(t("stats.by_kecamatan", lang)), html.Div(id="st-kecamatan", className="pim-table-wrap")],
                className="pim-panel",
            ),
            html.P(t("stats.rule", lang, n=RANK_MIN_REPORTS), className="pim-note", id="st-rule"),
            dcc.Store(id="st-lang", data=lang),
        ],
        className="statistik" + (" embedded" if embed == "1" else ""),
    )
    if embed == "1":
        return html.Main(body, className="embed")
    return page(body, lang, PATH, query, wide=True)
