"""The live-room wall screen (``/live``, also the home page ``/``): the complaint map, its legend and side panels.

``?kiosk=1`` hides every control, uses the dark control-room theme and lists the top three emerging issues
(``db.leaders.emerging``, the whole city's, as on /pimpinan);
``?kecamatan=`` / ``?kota=`` (official codes) focus one area; ``?level=``
picks the shaded level. Live behaviour is in ``callbacks/live.py``.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import dash
from dash import dcc, html
from dash.development.base_component import Component

from db import wall
from db.leaders import cached_emerging
from db.map_rows import Bounds, Marker
from db.scope import Scope as WholeCity
from db.status import COLOUR, OPEN_STATUSES, Colour, Status
from geo.colours import SHADING_TOP_SHARE, Theme
from geo.figures import LEVELS, blank_figure, troubled, wall_figure
from i18n import MESSAGES, current_lang, t
from layouts._chrome import page
from layouts.pimpinan import number
from settings import get_settings

dash.register_page(__name__, path="/live", title="Pantau: Live Room")

LEGEND = (Colour.RED, Colour.YELLOW, Colour.GREEN)
WIB_OFFSET_S = 7 * 3600


def _truthy(value: Any) -> bool:
    return str(value or "").lower() in ("1", "true", "yes", "ya")


def hovertemplate(lang: str) -> str:
    return (
        "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]} "
        + t("live.open_here", lang)
        + " · %{customdata[3]} "
        + t("live.overdue", lang).lower()
        + "<extra></extra>"
    )


def ago(moment: datetime | None, lang: str, now: float | None = None) -> str:
    """'5 menit lalu': how long ago, for panels and cards (assets/live.js keeps it current)."""
    if moment is None:
        return ""
    seconds = max(0, int((now or time.time()) - moment.timestamp()))
    if seconds < 60:
        return t("time.just_now", lang)
    if seconds < 3600:
        return t("time.minutes_ago", lang, n=seconds // 60)
    if seconds < 86400:
        return t("time.hours_ago", lang, n=seconds // 3600)
    return t("time.days_ago", lang, n=seconds // 86400)


def wib(moment: datetime | None) -> str:
    """A moment as 'dd-mm-yyyy HH:MM WIB'."""
    if moment is None:
        return ""
    local = datetime.fromtimestamp(moment.timestamp() + WIB_OFFSET_S).replace(tzinfo=None)
    return local.strftime("%d-%m-%Y %H:%M") + " WIB"


def _when(moment: datetime | None, lang: str) -> html.Time:
    iso = "" if moment is None else moment.isoformat()
    return html.Time(ago(moment, lang), dateTime=iso, className="ago", title=wib(moment), **{"data-at": iso})


def panel_entry(entry: wall.Entry, lang: str, finished: bool = False, new: bool = False) -> html.Li:
    """One report in a side panel: photo thumbnail, category, kelurahan, how it came in, how long ago.

    ``new``: it arrived while the screen was watching, so its row is highlighted (assets/live.js ends that).
    """
    category = entry.category.get(lang) or entry.category["id"]
    place = entry.kelurahan or t("live.card_outside", lang)
    photo = entry.completion_photo if finished else entry.report_photo
    alt_key = "live.completion_of" if finished else "live.photo_of"
    thumb: Any = (
        html.Img(src=f"/photos/{photo}/thumb", alt=t(alt_key, lang, category=category, place=place), className="thumb")
        if photo
        else html.Div(className="thumb thumb-none", **{"aria-hidden": "true"})
    )
    overdue = entry.marker.overdue and Status(entry.marker.status) in OPEN_STATUSES
    return html.Li(
        [
            thumb,
            html.Div(
                [
                    html.Span(category, className="entry-category"),
                    html.Span(place, className="entry-place"),
                    html.Span(
                        [
                            html.Span(t(f"channel.{entry.channel}", lang) + " · ", className="entry-channel")
                            if entry.channel and f"channel.{entry.channel}" in MESSAGES
                            else None,
                            _when(entry.completed_at if finished else entry.created_at, lang),
                            html.Span(t("live.overdue", lang), className="badge badge-overdue") if overdue else None,
                        ],
                        className="entry-meta",
                    ),
                ],
                className="entry-text",
            ),
        ],
        className=f"entry entry-{entry.colour.value}"
        + (" entry-overdue" if overdue else "")
        + (" entry-new" if new else ""),
        **{"data-id": str(entry.id)},
    )


def panel_list(entries: list[wall.Entry], lang: str, finished: bool = False) -> list[html.Li]:
    return [panel_entry(e, lang, finished) for e in entries]


def card_body(card: dict[str, Any] | None, lang: str) -> list[Any]:
    """A marker's card: tracking code, category, place, OPD, age, description, photos; no reporter data."""
    if card is None:
        return [html.P(t("live.card_missing", lang))]
    status = Status(card["status"])
    category = card["category_name_en"] if lang == "en" else card["category_name_id"]
    place = " / ".join(p for p in (card["kelurahan"], card["kecamatan"]) if p) or t("live.card_outside", lang)
    overdue = bool(card["overdue"])

    def row(label_key: str, value: Any) -> list[Any]:
        return [html.Dt(t(label_key, lang)), html.Dd(value)]

    def photo(photo_id: int | None, label_key: str, alt_key: str) -> html.Figure:
        image: Any = (
            html.Img(src=f"/photos/{photo_id}", alt=t(alt_key, lang, category=category, place=place))
            if photo_id
            else html.P(t("live.card_no_photo", lang), className="muted")
        )
        return html.Figure([image, html.Figcaption(t(label_key, lang))], className="card-photo")

    facts = [
        *row("live.card_code", html.Code(card["tracking_code"])),
        *row(
            "live.card_status",
            html.Span(t(f"status.{status.value}", lang), className=f"badge badge-{COLOUR[status].value}"),
        ),
        *row("live.card_category", category),
        *row("live.card_place", place),
        *row("live.card_opd", card["opd_short"] or card["opd"] or "–"),
        *row("live.card_age", html.Span(_when(card["created_at"], lang))),
    ]
    if card["due_at"] is not None and status in OPEN_STATUSES:
        due = [wib(card["due_at"])]
        if overdue:
            due.append(html.Span(t("live.overdue", lang), className="badge badge-overdue"))
        facts += row("live.card_due", html.Span(due))
    chases = card.get("chases") or []
    if chases and status in OPEN_STATUSES:
        # Overdue work chased (db/chase.py): reminded, then escalated to the leaders; stage and when, no text.
        facts += row(
            "live.card_chased",
            html.Ul(
                [
                    html.Li(
                        [
                            html.Span(
                                t("queue.escalated" if c["kind"] == "escalation" else "queue.reminded", lang),
                                className=f"chase-tag chase-{c['kind']}",
                            ),
                            " ",
                            t(f"chase.stage_{c['stage']}", lang),
                            " · ",
                            _when(datetime.fromisoformat(c["at"]), lang),
                        ]
                    )
                    for c in chases
                ],
                className="card-chases",
                id="wall-card-chases",
            ),
        )
    children: list[Any] = [
        html.H2(category, className="card-title"),
        html.Dl(facts, className="card-facts"),
    ]
    # Only complaints the wall may draw have a card (db/wall.py): never a confidential one.
    if card["description"]:
        children.append(html.P(card["description"][:280], className="card-description"))
    photos = [photo(card["report_photo"], "live.card_report_photo", "live.photo_of")]
    if status == Status.SELESAI:
        photos.append(photo(card["completion_photo"], "live.card_completion_photo", "live.completion_of"))
    children.append(html.Div(photos, className="card-photos"))
    return children


KIOSK_EMERGING = 3


def emerging_items(lang: str) -> list[html.Li]:
    """The top emerging issues for the kiosk wall: what, where, and the week's count against the usual."""
    found = cached_emerging(WholeCity(), lang)[:KIOSK_EMERGING]  # on the replica when there is one
    return [
        html.Li(
            [
                html.Strong(
                    f"{e.category or t('leaders.emerging_all_categories', lang)} · "
                    f"{e.kecamatan or t('leaders.emerging_whole_city', lang)}"
                ),
                html.Br(),
                html.Span(
                    t("leaders.emerging_numbers", lang, recent=number(e.recent, lang), usual=number(e.usual, lang, 1))
                ),
            ],
            className="entry",
        )
        for e in found
    ]


def legend(counts: dict[str, int], lang: str) -> html.Div:
    """Counts per colour with each marker's shape, the overdue ring, and what the areas' shading means."""
    items = [
        html.Li(
            [
                html.Span(className=f"swatch swatch-{colour.value}", **{"aria-hidden": "true"}),
                html.Span(t(f"colour.{colour.value}", lang), className="legend-label"),
                html.Strong(str(counts.get(colour.value, 0)), id=f"count-{colour.value}", className="count"),
            ],
            className=f"legend-item legend-{colour.value}",
        )
        for colour in LEGEND
    ]
    items.append(
        html.Li(
            [
                html.Span(className="swatch swatch-overdue", **{"aria-hidden": "true"}),
                html.Span(t("live.overdue", lang), className="legend-label"),
                html.Strong(str(counts.get("overdue", 0)), id="count-overdue", className="count"),
            ],
            className="legend-item legend-overdue",
        )
    )
    top = f"{round(SHADING_TOP_SHARE * 100)} %"
    top = top if SHADING_TOP_SHARE >= 1 else "≥ " + top
    shading = html.Div(
        [
            html.Span(t("live.shading", lang), className="legend-shading-title"),
            html.Span(className="shading-bar", **{"aria-hidden": "true"}),
            html.Span(
                [html.Span("0 %"), html.Span(top)],
                className="shading-ends",
            ),
        ],
        className="legend-shading",
    )
    return html.Div(
        [
            html.Ul(items, className="legend-list"),
            shading,
            html.P(t("live.confidential_counted", lang), className="legend-note"),
        ],
        className="wall-legend",
        role="group",
        **{"aria-label": t("live.legend", lang), "aria-live": "polite"},
    )


def _controls(level: str, lang: str, kiosk: bool) -> html.Div:
    return html.Div(
        [
            html.Fieldset(
                [
                    html.Legend(t("live.level", lang)),
                    dcc.RadioItems(
                        id="wall-level",
                        options=[{"label": t(f"live.level_{lv}", lang), "value": lv} for lv in LEVELS],
                        value=level,
                        inline=True,
                        className="radio",
                    ),
                ],
                className="wall-level",
            ),
            dcc.Checklist(
                id="wall-grey",
                options=[{"label": t("live.show_grey", lang), "value": "grey"}],
                value=[],
                className="check",
            ),
        ],
        className="wall-controls",
        role="group",
        hidden=kiosk,
        **{"aria-label": t("live.controls", lang)},
    )


def wall_state(
    version: int,
    scope: wall.WallArea,
    lang: str,
    theme: Theme,
    counts: dict[str, int],
    panels: tuple[list[wall.Entry], list[wall.Entry]],
) -> dict[str, Any]:
    """What a wall screen tells each tick about itself: the version it shows and what its panels list."""
    newest, finished = panels
    return {
        "version": version,
        "scope": {"kota": scope.kota, "kecamatan": scope.kecamatan},
        "lang": lang,
        "theme": theme,
        "drawn_at": int(time.time()),
        "newest": [e.id for e in newest],
        "newest_top": newest[0].created_at.isoformat() if newest else None,
        "finished": [e.id for e in finished],
        "counts": counts,
    }


def area_labels(level: str, scope: wall.WallArea, version: int, lang: str) -> list[dict[str, Any]]:
    """The most troubled areas of the shaded level, whose names assets/live.js writes on the map."""
    found = troubled(wall.cached_boundaries(level, scope).names, wall.cached_area_stats(level, scope, version))
    return [{**area, "text": t("live.label_overdue", lang, n=area["overdue"], open=area["open"])} for area in found]


def build_figure(
    level: str, scope: wall.WallArea, version: int, theme: Theme, lang: str, show_grey: bool = False
) -> tuple[dict[str, Any], list[Marker], Bounds | None]:
    """The whole map at ``version``, with the markers it draws and the bounds of its areas."""
    other = LEVELS[1 - LEVELS.index(level)]
    shaded, outline = wall.cached_boundaries(level, scope), wall.cached_boundaries(other, scope)
    markers = wall.cached_markers(scope, version)
    figure = wall_figure(
        level=level,
        shaded=shaded.geojson,
        other=outline.geojson,
        stats=wall.cached_area_stats(level, scope, version),
        markers=markers,
        theme=theme,
        hovertemplate=hovertemplate(lang),
        bounds=shaded.bounds,
        tile_url=get_settings().tile_url,
        show_grey=show_grey,
    )
    return figure, markers, shaded.bounds


def wall_view(query: dict[str, Any]) -> Component:
    """The wall for one request's query parameters."""
    settings = get_settings()
    lang = query.get("lang") if query.get("lang") in ("id", "en") else current_lang()
    kiosk = _truthy(query.get("kiosk"))
    theme: Theme = "dark" if kiosk else "light"
    level = query.get("level") if query.get("level") in LEVELS else "kecamatan"
    scope = wall.WallArea(kota=query.get("kota") or None, kecamatan=query.get("kecamatan") or None)
    notice = None
    try:
        wall.cached_resolve(scope)
    except wall.UnknownArea:
        notice = t("live.unknown_area", lang, code=scope.kecamatan or scope.kota)
        scope = wall.WallArea()

    version = wall.cached_version()
    figure, markers, bounds = build_figure(level, scope, version, theme, lang)
    counts = wall.cached_colour_counts(scope, version)
    panels = wall.cached_panels(scope, version)
    open_total = counts["red"] + counts["yellow"]
    open_drawn = sum(1 for m in markers if Status(m.status) in OPEN_STATUSES)
    # Confidential complaints are counted but never drawn, so only a full budget means some were left out.
    if open_drawn >= wall.OPEN_BUDGET and open_drawn < open_total and notice is None:
        notice = t("live.budget", lang, shown=open_drawn, total=open_total)
    config = {
        "lang": lang,
        "kiosk": kiosk,
        "bounds": None if bounds is None else [bounds.west, bounds.south, bounds.east, bounds.north],
        "ago": {k: t(f"time.{k}", lang, n="{n}") for k in ("just_now", "minutes_ago", "hours_ago", "days_ago")},
    }
    body = html.Div(
        [
            html.H1(t("live.title", lang), className="visually-hidden"),
            html.Div(
                [
                    html.Div(
                        # The map itself comes in wall-figure: assets/live.js fits it to this screen before
                        # it is drawn, so MapLibre draws it once, as this screen shows it.
                        dcc.Graph(
                            id="wall-map",
                            figure=blank_figure(theme),
                            responsive=True,
                            style={"height": "100%"},
                            config={"displayModeBar": False, "scrollZoom": True, "displaylogo": False},
                        ),
                        className="wall-map",
                        role="region",
                        **{"aria-label": t("live.map_label", lang)},
                    ),
                    # Names of the most troubled areas and the pulse of a new report, placed over the map
                    # by assets/live.js (MapLibre text would fetch glyphs from the internet).
                    html.Div(id="wall-overlay", className="wall-overlay"),
                    legend(counts, lang),
                    _controls(level, lang, kiosk),
                    html.P(notice, className="wall-notice") if notice else None,
                    html.Aside(
                        [
                            html.Button(
                                "×",
                                id="wall-card-close",
                                className="card-close",
                                title=t("live.card_close", lang),
                                **{"aria-label": t("live.card_close", lang)},
                            ),
                            html.Div(id="wall-card-body"),
                        ],
                        id="wall-card",
                        className="wall-card",
                        hidden=True,
                        **{"aria-label": t("live.card", lang), "aria-live": "polite"},
                    ),
                ],
                className="wall-map-area",
            ),
            html.Aside(
                [
                    html.Div(
                        [html.Span(id="wall-clock-time"), html.Span(id="wall-clock-date")],
                        id="wall-clock",
                        className="wall-clock",
                        role="timer",
                        **{"aria-label": t("live.clock", lang)},
                    ),
                    html.Section(
                        [
                            html.H2(t("live.newest", lang)),
                            html.Ul(
                                panel_list(panels[0], lang),
                                id="wall-newest",
                                className="entries",
                                **{"data-empty": t("live.none_yet", lang)},
                            ),
                        ],
                        className="wall-panel",
                    ),
                    html.Section(
                        [
                            html.H2(t("live.finished", lang)),
                            html.Ul(
                                panel_list(panels[1], lang, finished=True),
                                id="wall-finished",
                                className="entries",
                                **{"data-empty": t("live.none_yet", lang)},
                            ),
                        ],
                        className="wall-panel",
                    ),
                    # Only the kiosk shows it (the room's big screen); elsewhere it is never computed. Filled
                    # by callbacks/live.py once the page is there: at a million reports it takes most of a
                    # second, which the map does not wait for.
                    html.Section(
                        [
                            html.H2(t("leaders.emerging", lang)),
                            html.Ol(
                                [html.Li("…", className="entry", **{"aria-busy": "true"})] if kiosk else [],
                                id="wall-emerging",
                                className="entries",
                                **{"data-empty": t("leaders.emerging_none", lang)},
                            ),
                        ],
                        className="wall-panel wall-emerging",
                        hidden=not kiosk,
                        style=None if kiosk else {"display": "none"},  # .wall-panel's own display beats [hidden]
                    ),
                ],
                className="wall-side",
            ),
            dcc.Interval(id="wall-tick", interval=settings.poll_ms),
            dcc.Interval(id="wall-second", interval=1000),
            dcc.Store(id="wall-state", data=wall_state(version, scope, lang, theme, counts, panels)),
            dcc.Store(id="wall-changes", data=version),
            dcc.Store(id="wall-config", data=config),
            dcc.Store(id="wall-figure", data=figure),
            dcc.Store(id="wall-labels", data=area_labels(level, scope, version, lang)),
            dcc.Store(id="wall-announce"),
            dcc.Store(id="wall-overlay-drawn"),
        ],
        className="wall" + (" wall-kiosk" if kiosk else ""),
        lang=lang,
    )
    if kiosk:
        return html.Main(body, id="main", className="wall-main", lang=lang)
    return page(body, lang, "/live", query, wide=True)


def layout(**query: Any) -> Component:
    return wall_view(query)


# The wall is also the app's home page, so a screen pointed at the server's root shows it.
dash.register_page("layouts.home", path="/", title="Pantau: Live Room", layout=layout)
