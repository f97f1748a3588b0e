"""The leaders' dashboard callback contract: which filters go in and which parts come out.

Kept apart from the page and its callbacks so tests and benchmarks can build the
request a browser sends without creating the app.
"""

from __future__ import annotations

from dash import Input, Output

FILTERS = (
    Input("pim-kota", "value"),
    Input("pim-kecamatan", "value"),
    Input("pim-kelurahan", "value"),
    Input("pim-opd", "value"),
    Input("pim-category", "value"),
    Input("pim-status", "value"),
    Input("pim-channel", "value"),
    Input("pim-period", "value"),
    Input("pim-dates", "start_date"),
    Input("pim-dates", "end_date"),
    Input("pim-level", "value"),
)
RESULTS = (
    Output("pim-kpis", "children"),
    Output("pim-map", "figure"),
    Output("pim-per-day", "figure"),
    Output("pim-by-category", "figure"),
    Output("pim-per-day-summary", "children"),
    Output("pim-by-category-summary", "children"),
    Output("pim-rows", "data"),
    Output("pim-export-csv", "href"),
    Output("pim-export-geojson", "href"),
    Output("pim-export-xlsx", "href"),
    Output("pim-export-count", "children"),
    Output("pim-export-token", "data"),
    Output("pim-query", "data"),
    Output("pim-error", "children"),
)


def request_body(lang: str = "id", **values: object) -> dict[str, object]:
    """What the browser posts to /_dash-update-component when a filter changes (for tests and benchmarks).

    ``values`` are keyed by component id, or by ``id.property`` where one id has several.
    """
    return {
        "output": ".." + "...".join(f"{o.component_id}.{o.component_property}" for o in RESULTS) + "..",
        "outputs": [{"id": o.component_id, "property": o.component_property} for o in RESULTS],
        "inputs": [
            {
                "id": i.component_id,
                "property": i.component_property,
                "value": values.get(f"{i.component_id}.{i.component_property}", values.get(str(i.component_id))),
            }
            for i in FILTERS
        ],
        "changedPropIds": ["pim-kecamatan.value"],
        "state": [{"id": "pim-lang", "property": "data", "value": lang}],
    }
