"""/statistik: the public statistics for the chosen period and area, from the leaders' figures for the whole city."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, html

from callbacks.pimpinan import cached_areas, cached_dashboard
from db.engine import read_connection
from db.filters import FilterError, from_controls, parse_filters, resolve
from db.leaders import RANK_MIN_REPORTS, Group, map_areas
from db.map_rows import Bounds
from db.scope import Scope
from geo.charts import choropleth_figure
from i18n import t
from layouts.pimpinan import days, number, percent
from layouts.statistik import CARDS
from settings import get_settings

# Everyone sees the same figures: the whole city, no account's limits.
PUBLIC = Scope()


def _cards(k: Any, lang: str) -> list[tuple[str, str]]:
    wd = t("leaders.working_days", lang)
    total = number(k.reports, lang)
    return [
        (number(k.reports, lang), ""),
        (percent(k.followed_up_share, lang), t("leaders.of_reports", lang, n=number(k.followed_up, lang), total=total)),
        (percent(k.finished_share, lang), t("leaders.of_reports", lang, n=number(k.finished, lang), total=total)),
        (days(k.response_p50, lang), wd),
        (days(k.completion_p50, lang), wd),
    ]


def _table(groups: list[Group], lang: str, id_: str) -> html.Table | html.P:
    if not groups:
        return html.P(t("leaders.no_reports", lang), className="muted")
    head = ["stats.col_name", "stats.col_reports", "stats.col_followed", "stats.col_finished", "stats.col_response"]
    head.append("stats.col_completion")
    rows = []
    for g in groups:
        k = g.kpis
        enough = k.reports >= RANK_MIN_REPORTS
        shown = [
            percent(k.followed_up_share, lang),
            percent(k.finished_share, lang),
            days(k.response_p50, lang),
            days(k.completion_p50, lang),
        ]
        mark = " ▲" if g.fastest else " ▼" if g.slowest else ""
        rows.append(
            html.Tr(
                [
                    html.Th(g.name + mark, scope="row"),
                    html.Td(number(k.reports, lang)),
                    *(html.Td(v if enough else "—") for v in shown),
                ],
                className="row-fastest" if g.fastest else "row-slowest" if g.slowest else None,
            )
        )
    return html.Table(
        [html.Thead(html.Tr([html.Th(t(h, lang), scope="col") for h in head])), html.Tbody(rows)],
        className="pim-table",
        id=id_,
    )


def _extremes(groups: list[Group], lang: str) -> str:
    fastest = next((g for g in groups if g.fastest), None)
    slowest = next((g for g in groups if g.slowest), None)
    if fastest is None or slowest is None:
        return t("stats.no_ranking", lang, n=RANK_MIN_REPORTS)
    return t(
        "stats.extremes",
        lang,
        fastest=fastest.name,
        fast=days(fastest.kpis.completion_p50, lang),
        slowest=slowest.name,
        slow=days(slowest.kpis.completion_p50, lang),
    )


@callback(
    *(Output(f"st-kpi-{key}", "children") for key in CARDS),
    *(Output(f"st-kpi-{key}-note", "children") for key in CARDS),
    Output("st-extremes", "children"),
    Output("st-map", "figure"),
    Output("st-opd", "children"),
    Output("st-kecamatan", "children"),
    Output("st-error", "children"),
    Input("st-period", "value"),
    Input("st-kota", "value"),
    Input("st-kecamatan", "value"),
    State("st-lang", "data"),
)
def update(period: str | None, kota: str | None, kecamatan: str | None, lang: str | None) -> tuple[Any, ...]:
    lang = lang or "id"
    query = from_controls(kota, kecamatan, None, None, None, None, None, period, None, None)
    try:
        filters = parse_filters(query)
        with read_connection() as conn:
            resolved = resolve(conn, filters, PUBLIC)
            d = cached_dashboard(conn, resolved, "kecamatan", lang)
            shown = map_areas(cached_areas(conn, "kecamatan"), "kecamatan", resolved)
    except FilterError as exc:
        blank = ["—"] * len(CARDS)
        return (*blank, *[""] * len(CARDS), "", {}, "", "", t("leaders.bad_filter", lang, detail=str(exc)))
    boxes = [a.bounds for a in shown if a.bounds]
    bounds = (
        Bounds(min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        if boxes
        else None
    )
    figure = choropleth_figure(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": a.code, "properties": {"name": a.name}, "geometry": a.geometry} for a in shown
            ],
        },
        d.map_counts,
        {a.code: a.population for a in shown},
        bounds,
        unit_count=t("leaders.unit_reports", lang),
        unit_per_thousand=t("leaders.unit_per_thousand", lang),
        tile_url=get_settings().tile_url,
    )
    cards = _cards(d.kpis, lang)
    return (
        *(value for value, _ in cards),
        *(note for _, note in cards),
        _extremes(d.by_opd, lang),
        figure,
        _table(d.by_opd, lang, "st-opd-table"),
        _table(d.by_kecamatan, lang, "st-kecamatan-table"),
        "",
    )
