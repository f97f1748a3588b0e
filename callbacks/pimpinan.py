"""The leaders' dashboard: filters in, KPIs, tables, charts and export links out.

One server callback computes every figure from one query (cached by the
filters, the viewer's scope and the data version); the filter lists, the date
presets, the map click and the URL are pure UI, in the browser.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from dash import (
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    html,
    no_update,
)
from sqlalchemy import Connection

from api.auth import current_staff
from api.export import progress_key
from db.cache import app_cache, cached, kept
from db.engine import data_version, read_connection
from db.filters import FilterError, Resolved, ScopeError, from_controls, parse_filters, resolve
from db.leaders import (
    MAP_LEVELS,
    Dashboard,
    Group,
    area_points,
    areas,
    areas_stamp,
    cached_emerging,
    dashboard,
    map_areas,
)
from db.map_rows import Bounds
from geo.charts import category_figure, choropleth_figure, emerging_trace, per_day_figure
from i18n import t
from layouts._pimpinan_wiring import FILTERS, RESULTS
from layouts.pimpinan import KPI_CARDS, PATH, TABLE_COLUMNS, days, number, percent
from services.permissions import may_open, scope_of
from settings import get_settings

DASHBOARD_TTL_S = 120  # overdue counts move with the clock even when no data changes
AREAS_TTL_S = 3600


def cached_dashboard(conn: Connection, resolved: Resolved, level: str, lang: str) -> Dashboard:
    """The dashboard for these filters, recomputed only when the data version moves (or after a while)."""
    version = data_version(conn)
    key = f"pim:dash:{version}:{level}:{lang}:{resolved.key()}"
    return cached(key, DASHBOARD_TTL_S, lambda: dashboard(conn, resolved, level, lang))


def cached_areas(conn: Connection, level: str) -> list[Any]:
    """The map's areas of one level, kept by each worker under the boundaries' stamp."""
    return kept(f"pim:areas:{level}:{areas_stamp(conn)}", AREAS_TTL_S, lambda: areas(conn, level))


def kpi_cards(d: Dashboard, lang: str) -> list[Any]:
    k = d.kpis
    wd = t("leaders.working_days", lang)
    total = number(k.reports, lang)
    values = {
        "reports": (number(k.reports, lang), ""),
        "followed": (
            percent(k.followed_up_share, lang),
            t("leaders.of_reports", lang, n=number(k.followed_up, lang), total=total),
        ),
        "finished": (
            percent(k.finished_share, lang),
            t("leaders.of_reports", lang, n=number(k.finished, lang), total=total),
        ),
        "response": (days(k.response_p50, lang), f"p90 {days(k.response_p90, lang)} · {wd}"),
        "completion": (days(k.completion_p50, lang), f"p90 {days(k.completion_p90, lang)} · {wd}"),
        "ontime": (
            percent(k.on_time_share, lang),
            t("leaders.of_finished", lang, n=number(k.on_time, lang), total=number(k.finished, lang)),
        ),
        "open": (number(k.open, lang), ""),
        "overdue": (number(k.overdue, lang), ""),
    }
    return [
        html.Div(
            [
                html.Div(t(f"leaders.kpi_{key}", lang), className="kpi-label", id=f"pim-kpi-{key}-label"),
                html.Div(values[key][0], className="kpi-value", id=f"pim-kpi-{key}"),
                html.Div(values[key][1], className="kpi-note", id=f"pim-kpi-{key}-note"),
            ],
            className="kpi-card" + (" kpi-alert" if key == "overdue" and k.overdue else ""),
            role="group",
            **{"aria-labelledby": f"pim-kpi-{key}-label"},
        )
        for key in KPI_CARDS
    ]


def row_of(g: Group) -> dict[str, Any]:
    k = g.kpis
    return {
        "code": g.code,
        "name": g.name,
        "reports": k.reports,
        "followed": k.followed_up_share,
        "finished": k.finished_share,
        "response_p50": k.response_p50,
        "response_p90": k.response_p90,
        "completion_p50": k.completion_p50,
        "completion_p90": k.completion_p90,
        "ontime": k.on_time_share,
        "satisfied": k.satisfied_share,
        "ratings": k.ratings,
        "open": k.open,
        "overdue": k.overdue,
        "ranked": g.ranked,
        "fastest": g.fastest,
        "slowest": g.slowest,
    }


def _bounds(shown: list[Any]) -> Bounds | None:
    boxes = [a.bounds for a in shown if a.bounds]
    if not boxes:
        return None
    return Bounds(
        min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)
    )


def _empty(lang: str, message: str) -> tuple[Any, ...]:
    blank = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}
    return ([], blank, blank, blank, "", "", None, "#", "#", "#", "", None, no_update, message)


@callback(
    *RESULTS,
    *FILTERS,
    State("pim-lang", "data"),
)
def update(
    kota: str | None,
    kecamatan: str | None,
    kelurahan: str | None,
    opd: str | None,
    category: str | None,
    status: list[str] | None,
    channel: str | None,
    period: str | None,
    start: str | None,
    end: str | None,
    level: str | None,
    lang: str | None,
) -> tuple[Any, ...]:
    lang = lang or "id"
    user = current_staff()
    if user is None or not may_open(user, "leaders"):
        return _empty(lang, t("guard.forbidden", lang))
    level = level if level in MAP_LEVELS else "kecamatan"
    query = from_controls(kota, kecamatan, kelurahan, opd, category, status, channel, period, start, end)
    try:
        filters = parse_filters(query)
        with read_connection() as conn:
            resolved = resolve(conn, filters, scope_of(user))
            d = cached_dashboard(conn, resolved, level, lang)
            shown = map_areas(cached_areas(conn, level), level, resolved)
    except FilterError as exc:
        return _empty(lang, t("leaders.bad_filter", lang, detail=str(exc)))
    except ScopeError:
        return _empty(lang, t("leaders.out_of_scope", lang))
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": a.code, "properties": {"name": a.name}, "geometry": a.geometry} for a in shown
        ],
    }
    map_figure = choropleth_figure(
        geojson,
        d.map_counts,
        {a.code: a.population for a in shown},
        _bounds(shown),
        unit_count=t("leaders.unit_reports", lang),
        unit_per_thousand=t("leaders.unit_per_thousand", lang),
        tile_url=get_settings().tile_url,
    )
    colour_names = {c: t(f"colour.{c}", lang) for c in ("red", "yellow", "green", "grey")}
    axis = t("leaders.unit_reports", lang)
    categories = [(g.name, g.kpis.reports) for g in d.by_category]
    busiest_day = max(
        ({day: 0 for day, _, _ in d.per_day} | _sum_by_day(d)).items(), key=lambda kv: kv[1], default=None
    )
    day_summary = (
        t("leaders.per_day_summary", lang, day=busiest_day[0].strftime("%d-%m-%Y"), n=number(busiest_day[1], lang))
        if busiest_day
        else t("leaders.no_reports", lang)
    )
    category_summary = (
        t("leaders.by_category_summary", lang, name=categories[0][0], n=number(categories[0][1], lang))
        if categories
        else t("leaders.no_reports", lang)
    )
    token = secrets.token_urlsafe(12)
    export_query = urlencode({**filters.to_query(), "progress": token, "lang": lang}, safe=",")
    rows = {
        "opd": [shown_row(row_of(g), lang) for g in d.by_opd],
        "kecamatan": [shown_row(row_of(g), lang) for g in d.by_kecamatan],
        "lang": lang,
        **table_words(lang),
    }
    page_query = {**filters.to_query(), **({"level": level} if level != "kecamatan" else {}), "lang": lang}
    return (
        kpi_cards(d, lang),
        map_figure,
        per_day_figure(d.per_day, colour_names, axis),
        category_figure(categories, axis),
        day_summary,
        category_summary,
        rows,
        f"/api/v1/export.csv?{export_query}",
        f"/api/v1/export.geojson?{export_query}",
        f"/api/v1/export.xlsx?{export_query}",
        t("leaders.export_count", lang, n=number(d.kpis.reports, lang)),
        token,
        f"{PATH}?{urlencode(page_query, safe=',')}",
        "",
    )


def _sum_by_day(d: Dashboard) -> dict[Any, int]:
    totals: dict[Any, int] = {}
    for day, _, n in d.per_day:
        totals[day] = totals.get(day, 0) + n
    return totals


def _text(key: str, row: dict[str, Any], lang: str) -> str:
    value = row[key]
    if key == "name":
        return str(value) if row["code"] else t("leaders.unrouted", lang)
    if key in ("followed", "finished", "ontime"):
        return percent(value, lang)
    if key == "satisfied":
        # The share needs RANK_MIN_REPORTS ratings; with fewer, how many there are.
        return percent(value, lang) if value is not None else t("leaders.few_ratings", lang, n=row["ratings"])
    if key.startswith(("response", "completion")):
        # Two decimals here: the ranking compares medians closer than a tenth of a day.
        return number(value, lang, 2) if value is not None else "—"
    return number(value, lang)


def shown_row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """A comparison row with what the table shows: each column's text in the user's language, the rating count
    as the satisfied cell's title and the rank badges (assets/leaders_tables.js draws and sorts it)."""
    badges = [
        [f"rank-badge rank-{kind}", t(f"leaders.{kind}", lang)]
        for kind, on in (("fastest", row["fastest"]), ("slowest", row["slowest"]), ("unranked", not row["ranked"]))
        if on
    ]
    return {
        **row,
        "cells": [_text(key, row, lang) for key, _ in TABLE_COLUMNS],
        "title": t("leaders.ratings_count", lang, n=row["ratings"]),
        "badges": badges,
    }


def table_words(lang: str) -> dict[str, Any]:
    """The tables' column names (key and label) and the line for no rows, for assets/leaders_tables.js."""
    return {
        "columns": [[key, t(label, lang)] for key, label in TABLE_COLUMNS],
        "empty": t("leaders.no_reports", lang),
    }


# The comparison tables, drawn and sorted in the browser from pim-rows (assets/leaders_tables.js): as Dash
# components their rows took the renderer about two seconds to draw, the map waiting behind them.
clientside_callback(
    ClientsideFunction("pantau_leaders", "tables"),
    Output("pim-sort", "data"),
    Input("pim-rows", "data"),
    State("pim-sort", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("pim-export-progress", "value"),
    Output("pim-export-progress", "max"),
    Output("pim-export-progress-text", "children"),
    Output("pim-export-poll", "disabled"),
    Input("pim-export-poll", "n_intervals"),
    State("pim-export-token", "data"),
    State("pim-lang", "data"),
    prevent_initial_call=True,
)
def export_progress(_n: int, token: str | None, lang: str | None) -> tuple[Any, Any, Any, bool]:
    user = current_staff()
    backend = app_cache()
    if user is None or not token or backend is None:
        return no_update, no_update, "", True
    state = backend.get(progress_key(user.id, token))
    if state is None:
        return "0", "1", t("leaders.export_waiting", lang or "id"), False
    total = max(1, int(state["total"]))
    text_ = t(
        "leaders.export_rows",
        lang or "id",
        rows=number(state["rows"], lang or "id"),
        total=number(state["total"], lang or "id"),
    )
    return str(state["rows"]), str(total), text_, bool(state["done"])


# The kota, kecamatan and kelurahan lists narrow each other; picking a kelurahan fills in its kecamatan and kota.
clientside_callback(
    ClientsideFunction("pantau_pimpinan", "narrowAreas"),
    Output("pim-kota", "value"),
    Output("pim-kecamatan", "options"),
    Output("pim-kecamatan", "value"),
    Output("pim-kelurahan", "options"),
    Output("pim-kelurahan", "value"),
    Input("pim-kota", "value"),
    Input("pim-kecamatan", "value"),
    Input("pim-kelurahan", "value"),
    State("pim-areas", "data"),
)

# A click on the map picks that area as the filter and shows the next level down.
clientside_callback(
    ClientsideFunction("pantau_pimpinan", "pickOnMap"),
    Output("pim-kota", "value", allow_duplicate=True),
    Output("pim-kecamatan", "value", allow_duplicate=True),
    Output("pim-kelurahan", "value", allow_duplicate=True),
    Output("pim-level", "value"),
    Input("pim-map", "clickData"),
    State("pim-level", "value"),
    prevent_initial_call=True,
)

# Period presets fill in the dates; picking dates by hand makes the period "custom". Days are WIB days.
clientside_callback(
    ClientsideFunction("pantau_pimpinan", "period"),
    Output("pim-period", "value"),
    Output("pim-dates", "start_date"),
    Output("pim-dates", "end_date"),
    Input("pim-period", "value"),
    Input("pim-dates", "start_date"),
    Input("pim-dates", "end_date"),
    prevent_initial_call=True,
)

# Every filter state is in the URL: a new history entry per change (Back restores the previous view).
clientside_callback(
    ClientsideFunction("pantau_pimpinan", "pushUrl"),
    Output("pim-sink", "children"),
    Input("pim-query", "data"),
)

# Starting an export shows its progress bar and polls for the rows sent so far.
clientside_callback(
    ClientsideFunction("pantau_pimpinan", "showExport"),
    Output("pim-export-progress-box", "hidden"),
    Output("pim-export-poll", "disabled", allow_duplicate=True),
    Input("pim-export-csv", "n_clicks"),
    Input("pim-export-geojson", "n_clicks"),
    Input("pim-export-xlsx", "n_clicks"),
    prevent_initial_call=True,
)


def _emerging(lang: str) -> list[Any] | None:
    """The emerging issues in the viewer's scope (db/leaders.py cached_emerging), or None for no leader."""
    user = current_staff()
    if user is None or not may_open(user, "leaders"):
        return None
    return cached_emerging(scope_of(user), lang)


@callback(
    Output("pim-map", "figure", allow_duplicate=True),
    Input("pim-rows", "data"),
    State("pim-lang", "data"),
    prevent_initial_call=True,
)
def emerging_on_map(_rows: Any, lang: str | None) -> Any:
    """The emerging issues of a kecamatan marked on the map the figures just drew (a city-wide one has no place)."""
    lang = lang or "id"
    found = [e for e in _emerging(lang) or [] if e.kecamatan_code][:10]
    if not found:
        return no_update
    with read_connection() as conn:
        points = area_points(conn, sorted({e.kecamatan_code for e in found if e.kecamatan_code}))
    marks = [
        (*points[e.kecamatan_code], f"⚠ {e.category or t('leaders.emerging_all_categories', lang)}: {e.recent}")
        for e in found
        if e.kecamatan_code in points
    ]
    figure = Patch()
    figure["data"].append(emerging_trace(marks, t("leaders.emerging", lang)))
    return figure


@callback(Output("pim-emerging", "children"), Input("pim-rows", "data"), State("pim-lang", "data"))
def emerging_issues(_rows: Any, lang: str | None) -> Any:
    """The categories and kecamatan whose last 7 days are well above their usual level, in the viewer's scope
    (refreshed with the figures; recomputed when the data version moves)."""
    lang = lang or "id"
    found = _emerging(lang)
    if found is None:
        return []
    if not found:
        return html.P(t("leaders.emerging_none", lang), className="muted", id="pim-emerging-none")
    items = []
    for e in found[:10]:
        what = e.category or t("leaders.emerging_all_categories", lang)
        where = e.kecamatan or t("leaders.emerging_whole_city", lang)
        items.append(
            html.Li(
                [
                    html.Strong(f"{what} · {where}"),
                    " ",
                    t(
                        "leaders.emerging_numbers",
                        lang,
                        recent=number(e.recent, lang),
                        usual=number(e.usual, lang, 1),
                    ),
                ],
                **({"data-kecamatan": e.kecamatan_code} if e.kecamatan_code else {}),
            )
        )
    return html.Ol(items, className="emerging-list", id="pim-emerging-list")
