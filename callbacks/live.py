"""The wall screen's behaviour: the live tick, the shaded level, grey markers, the marker card, the clock.

A tick with nothing new reads the cached data version and answers 204 with
no body (PreventUpdate). When something changed it sends only the changes, as
Patch() objects: each changed complaint's marker appended to its colour's
trace, the counts that moved, the touched areas' shading, new panel entries.
The browser then drops each complaint's older markers (``pantau_wall.prune``
in assets/live.js). Every ten minutes, or after a burst of changes, every
marker, count and panel is sent anew (boundaries and marker styles stay),
which also re-applies the marker budget and marks complaints that became
overdue with the passing of time.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from dash import ClientsideFunction, Input, Output, Patch, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from db import wall
from db.engine import read_connection
from db.status import OPEN_STATUSES, Colour, Status
from geo.figures import LEVELS, MARKER_TRACES, TRACE, area_trace, boundary_layer, marker_columns, overdue_share
from layouts.live import area_labels, card_body, emerging_items, hovertemplate, panel_entry, panel_list, wall_state
from settings import get_settings

REFRESH_S = 600
COUNTED = ("red", "yellow", "green", "overdue")


def _scope(state: dict[str, Any]) -> wall.WallArea:
    return wall.WallArea(**state["scope"])


def _new_entries(
    entries: list[wall.Entry], shown: list[int], finished: bool, after: datetime | None = None
) -> list[wall.Entry]:
    """Changed complaints that belong at the top of a panel, newest first."""
    if finished:
        fresh = [e for e in entries if e.colour == Colour.GREEN and e.completed_at is not None]
        key = "completed_at"
    else:
        fresh = [
            e for e in entries if Status(e.marker.status) in OPEN_STATUSES and (after is None or e.created_at > after)
        ]
        key = "created_at"
    fresh = [e for e in fresh if e.marker.shown and e.id not in shown]
    return sorted(fresh, key=lambda e: getattr(e, key), reverse=True)[: wall.PANEL_SIZE]


def _panel_patch(fresh: list[wall.Entry], shown: list[int], lang: str, finished: bool) -> tuple[Any, list[int]]:
    """Prepend ``fresh`` to a panel and drop what falls off its end."""
    if not fresh:
        return no_update, shown
    patch = Patch()
    for entry in reversed(fresh):
        patch.prepend(panel_entry(entry, lang, finished, new=True))
    ids = [e.id for e in fresh] + shown
    for _ in range(len(ids) - wall.PANEL_SIZE):
        del patch[wall.PANEL_SIZE]
    return patch, ids[: wall.PANEL_SIZE]


def _redraw(state: dict[str, Any], version: int, level: str) -> tuple[Any, ...]:
    """Every marker, count and panel anew; boundaries and marker styles (sized to the screen) stay."""
    scope = _scope(state)
    columns = marker_columns(wall.cached_markers(scope, version))
    figure = Patch()
    for name in MARKER_TRACES:
        column = columns.get(name, {"lat": [], "lon": [], "customdata": []})
        for key in ("lat", "lon", "customdata"):
            figure["data"][TRACE[name]][key] = column[key]
    areas = area_trace(
        wall.cached_boundaries(level, scope).geojson,
        level,
        wall.cached_area_stats(level, scope, version),
        state["theme"],
        "",
    )
    figure["data"][TRACE["areas"]]["z"] = areas["z"]
    figure["data"][TRACE["areas"]]["customdata"] = areas["customdata"]
    counts = wall.cached_colour_counts(scope, version)
    panels = wall.cached_panels(scope, version)
    lang = state["lang"]
    new_state = wall_state(version, scope, lang, state["theme"], counts, panels)
    return (
        figure,
        new_state,
        version,
        *(str(counts[k]) for k in COUNTED),
        panel_list(panels[0], lang),
        panel_list(panels[1], lang, finished=True),
        area_labels(level, scope, version, lang),
        no_update,
    )


@callback(
    Output("wall-map", "figure", allow_duplicate=True),
    Output("wall-state", "data"),
    Output("wall-changes", "data"),
    *(Output(f"count-{k}", "children") for k in COUNTED),
    Output("wall-newest", "children"),
    Output("wall-finished", "children"),
    Output("wall-labels", "data"),
    Output("wall-announce", "data"),
    Input("wall-tick", "n_intervals"),
    State("wall-state", "data"),
    State("wall-level", "value"),
    State("wall-labels", "data"),
    prevent_initial_call=True,
)
def tick(_n: int, state: dict[str, Any], level: str, labels: list[dict[str, Any]] | None) -> tuple[Any, ...]:
    """Send what changed since the version this screen shows, or nothing at all."""
    version = wall.cached_version()
    due = time.time() - state["drawn_at"] > REFRESH_S
    if version == state["version"] and not due:
        raise PreventUpdate
    if due or version < state["version"]:
        return _redraw(state, version, level)
    scope = _scope(state)
    changed = wall.cached_changes(state["version"], version, scope)
    if changed.count > wall.CHANGE_LIMIT or not changed.complete:
        return _redraw(state, version, level)
    entries = changed.entries

    figure = Patch()
    for name, column in marker_columns(e.marker for e in entries).items():
        for key in ("lat", "lon", "customdata"):
            figure["data"][TRACE[name]][key].extend(column[key])

    # The shading of the areas the changes touched, and the names of the most troubled ones.
    area_ids = [a for kec, kel in changed.areas if (a := kec if level == "kecamatan" else kel) is not None]
    new_labels: Any = no_update
    if area_ids:
        stats_here = wall.cached_area_stats_of(level, scope, version, area_ids)
        features = wall.cached_boundaries(level, scope).geojson["features"]
        index = {f["id"]: i for i, f in enumerate(features)}
        for code, stat in stats_here.items():
            if code in index:
                i = index[code]
                figure["data"][TRACE["areas"]]["z"][i] = overdue_share(stat)
                name, parent = features[i]["properties"]["name"], features[i]["properties"].get("parent") or ""
                figure["data"][TRACE["areas"]]["customdata"][i] = [name, parent, *stat]
        fresh_labels = area_labels(level, scope, version, state["lang"])
        if fresh_labels != labels:
            new_labels = fresh_labels

    counts = wall.cached_colour_counts(scope, version)
    shown_counts = state.get("counts", {})
    count_outputs = [str(counts[k]) if counts[k] != shown_counts.get(k) else no_update for k in COUNTED]

    lang = state["lang"]
    top = datetime.fromisoformat(state["newest_top"]) if state.get("newest_top") else None
    newest, newest_ids = _panel_patch(_new_entries(entries, state["newest"], False, top), state["newest"], lang, False)
    finished, finished_ids = _panel_patch(_new_entries(entries, state["finished"], True), state["finished"], lang, True)
    new_state = {
        **state,
        "version": version,
        "counts": counts,
        "newest": newest_ids,
        "finished": finished_ids,
    }
    if newest is not no_update:
        new_state["newest_top"] = max(
            [e.created_at for e in entries if e.id in newest_ids] + ([top] if top else [])
        ).isoformat()
    # A report new to the panel is announced: its dot pulses for a while (assets/live.js).
    announce: Any = no_update
    if newest is not no_update:
        fresh_ids = set(newest_ids) - set(state["newest"])
        announce = [
            {"id": e.id, "lat": e.marker.lat, "lon": e.marker.lon}
            for e in entries
            if e.id in fresh_ids and e.marker.lat is not None
        ]
    return (figure, new_state, version, *count_outputs, newest, finished, new_labels, announce)


@callback(
    Output("wall-map", "figure", allow_duplicate=True),
    Output("wall-labels", "data", allow_duplicate=True),
    Input("wall-level", "value"),
    State("wall-state", "data"),
    prevent_initial_call=True,
)
def switch_level(level: str, state: dict[str, Any]) -> tuple[Patch, list[dict[str, Any]]]:
    """Shade the other level; its boundaries come with the shading, the other's as lines."""
    if level not in LEVELS:
        raise PreventUpdate
    scope = _scope(state)
    other = LEVELS[1 - LEVELS.index(level)]
    theme = state["theme"]
    patch = Patch()
    patch["data"][TRACE["areas"]] = area_trace(
        wall.cached_boundaries(level, scope).geojson,
        level,
        wall.cached_area_stats(level, scope, state["version"]),
        theme,
        hovertemplate(state["lang"]),
        tiles=bool(get_settings().tile_url),
    )
    patch["layout"]["map"]["layers"] = [boundary_layer(wall.cached_boundaries(other, scope).geojson, other, theme)]
    return patch, area_labels(level, scope, state["version"], state["lang"])


@callback(
    Output("wall-map", "figure", allow_duplicate=True),
    Input("wall-grey", "value"),
    prevent_initial_call=True,
)
def show_grey(value: list[str]) -> Patch:
    patch = Patch()
    patch["data"][TRACE["grey"]]["visible"] = "grey" in (value or [])
    return patch


@callback(
    Output("wall-card-body", "children"),
    Output("wall-card", "hidden"),
    Input("wall-map", "clickData"),
    State("wall-state", "data"),
    State("wall-grey", "value"),
    prevent_initial_call=True,
)
def show_card(click: dict[str, Any] | None, state: dict[str, Any], grey: list[str] | None) -> tuple[Any, bool]:
    """A click on a marker opens its card; a click on an area does nothing.

    The id comes from the browser: ``wall.card`` answers only for a complaint this
    screen's scope and grey switch would draw, and "not found" for any other.
    """
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    data = point.get("customdata")
    if "location" in point or not isinstance(data, list) or len(data) != 2:
        raise PreventUpdate
    state = state if isinstance(state, dict) else {}
    lang = "en" if state.get("lang") == "en" else "id"
    asked = state.get("scope")
    codes = asked if isinstance(asked, dict) else {}
    scope = wall.WallArea(**{k: str(codes[k]) if codes.get(k) else None for k in ("kota", "kecamatan")})
    try:
        complaint_id = int(data[0])
        where = wall.cached_resolve(scope)
    except (TypeError, ValueError, wall.UnknownArea):
        return card_body(None, lang), False
    if not 0 < complaint_id < 2**31:
        return card_body(None, lang), False
    with read_connection() as conn:
        card = wall.card(conn, complaint_id, where, grey=isinstance(grey, list) and "grey" in grey)
    return card_body(card, lang), False


clientside_callback(
    ClientsideFunction("pantau_wall", "closeCard"),
    Output("wall-card", "hidden", allow_duplicate=True),
    Input("wall-card-close", "n_clicks"),
    prevent_initial_call=True,
)

_EMERGING_EVERY_S = 60.0
_emerging_shown: dict[str, tuple[float, list[Any]]] = {}


@callback(
    Output("wall-emerging", "children"),
    Input("wall-changes", "data"),
    State("wall-config", "data"),
)
def kiosk_emerging(_version: int, config: dict[str, Any]) -> Any:
    """The kiosk's top emerging issues: once the page is there (as of now), then again as reports arrive (at most
    once a minute per language)."""
    if not (config or {}).get("kiosk"):
        raise PreventUpdate
    lang = config.get("lang") or "id"
    at, items = _emerging_shown.get(lang, (0.0, []))
    if ctx.triggered_id is None or time.monotonic() - at > _EMERGING_EVERY_S:
        items = emerging_items(lang)
        _emerging_shown[lang] = (time.monotonic(), items)
    return items


clientside_callback(
    ClientsideFunction("pantau_wall", "prune"),
    Output("wall-map", "figure", allow_duplicate=True),
    Input("wall-changes", "data"),
    State("wall-map", "figure"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("pantau_wall", "fit"),
    Output("wall-map", "figure", allow_duplicate=True),
    Input("wall-config", "data"),
    State("wall-map", "figure"),
    State("wall-figure", "data"),
    prevent_initial_call="initial_duplicate",
)

clientside_callback(
    ClientsideFunction("pantau_wall", "labels"),
    Output("wall-overlay-drawn", "data"),
    Input("wall-labels", "data"),
)

clientside_callback(
    ClientsideFunction("pantau_wall", "announce"),
    Output("wall-overlay-drawn", "data", allow_duplicate=True),
    Input("wall-announce", "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction("pantau_wall", "clock"),
    Output("wall-clock-time", "children"),
    Output("wall-clock-date", "children"),
    Input("wall-second", "n_intervals"),
    State("wall-config", "data"),
)
