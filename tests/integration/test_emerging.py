"""Emerging issues on the leaders' dashboard: a category rising well above its usual weekly level in a kecamatan
is listed with its numbers; a steady one is not; an account of another city does not see it."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from db.leaders import emerging, poisson_tail
from db.scope import Scope
from tests.integration.staff import Accounts, bearer, point_in

KERONCONG = "3671021001"  # kecamatan Jatiuwung


def reports(engine: Engine, committed: list[int], category: str, ages_days: list[float]) -> None:
    from db.complaints import NewComplaint, create_complaint

    now = datetime.now(UTC)
    with engine.begin() as conn:
        for n, age in enumerate(ages_days):
            lon, lat = point_in(engine, KERONCONG, east_m=15.0 * n)
            made = create_complaint(
                conn,
                NewComplaint(
                    category=category,
                    description=f"uji isu naik {secrets.token_hex(4)}",
                    lon=lon,
                    lat=lat,
                    created_at=now - timedelta(days=age),
                ),
            )
            committed.append(made.id)


def emerging_panel(client: Any, headers: dict[str, str]) -> str:
    response = client.post(
        "/_dash-update-component",
        json={
            "output": "pim-emerging.children",
            "outputs": {"id": "pim-emerging", "property": "children"},
            "inputs": [{"id": "pim-rows", "property": "data", "value": {}}],
            "state": [{"id": "pim-lang", "property": "data", "value": "id"}],
            "changedPropIds": ["pim-rows.data"],
        },
        headers=headers,
    )
    assert response.status_code == 200, response.data[:300]
    return str(response.get_json()["response"]["pim-emerging"]["children"])


def test_a_sudden_rise_is_listed_and_a_steady_category_is_not(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    # Fallen trees: 8 in three days where one fell in the 8 weeks before. Traffic: 3 a week, every week.
    reports(engine, committed, "pohon_tumbang", [0.2, 0.5, 0.9, 1.1, 1.5, 2.0, 2.4, 2.9, 30.0])
    reports(engine, committed, "lalu_lintas", [1.0 + 7 * w + d for w in range(9) for d in (0.5, 2.5, 4.5)])
    with engine.connect() as conn:
        found = {(e.category, e.kecamatan): e for e in emerging(conn, Scope())}
    trees = found[("Pohon tumbang", "Jatiuwung")]
    assert (trees.recent, trees.usual) == (8, 0.125) and trees.p_value < 0.001
    assert not any(category == "Kemacetan / lalu lintas" for category, _ in found)

    city = emerging_panel(client, bearer(client, accounts("leader", kota=["3671"])))
    assert "Pohon tumbang · Jatiuwung" in city and "8 laporan dalam 7 hari terakhir; biasanya 0,1 per minggu" in city
    elsewhere = emerging_panel(client, bearer(client, accounts("leader", kota=["3674"])))
    assert "Jatiuwung" not in elsewhere


def test_the_poisson_tail() -> None:
    assert poisson_tail(0, 3.0) == 1.0
    assert abs(poisson_tail(1, 2.0) - (1 - 2.718281828459045**-2)) < 1e-12
    assert poisson_tail(8, 0.5) < 1e-6 < poisson_tail(3, 0.5)


def _map_callback(client: Any) -> dict[str, Any]:
    """The callback that marks emerging issues on the map, as the browser knows it (its output id is hashed)."""
    client.get("/healthz")
    for dependency in client.get("/_dash-dependencies").get_json():
        if dependency["output"].startswith("pim-map.figure@") and [i["id"] for i in dependency["inputs"]] == [
            "pim-rows"
        ]:
            return dependency  # type: ignore[no-any-return]
    raise AssertionError("no callback draws emerging issues on the leaders' map")


def test_an_emerging_issue_is_marked_on_the_map_and_the_kiosk_wall_lists_the_top_three(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from tests.integration.staff import dash_call, render_page, text_of

    reports(engine, committed, "pohon_tumbang", [0.2, 0.5, 0.9, 1.1, 1.5, 2.0, 2.4, 2.9, 30.0])
    dependency = _map_callback(client)
    response = client.post(
        "/_dash-update-component",
        json={
            "output": dependency["output"],
            "outputs": {"id": "pim-map", "property": dependency["output"].split(".", 1)[1]},
            "inputs": [{"id": "pim-rows", "property": "data", "value": {}}],
            "state": [{"id": "pim-lang", "property": "data", "value": "id"}],
            "changedPropIds": ["pim-rows.data"],
        },
        headers=bearer(client, accounts("leader", kota=["3671"])),
    )
    assert response.status_code == 200, response.data[:300]
    patch = response.get_json()["response"]["pim-map"]["figure"]
    added = [op["params"]["value"] for op in patch["operations"] if op["operation"] == "Append"]
    assert len(added) == 1 and added[0]["meta"] == "emerging"
    assert "⚠ Pohon tumbang: 8" in added[0]["text"]
    # The mark stands inside Jatiuwung, the kecamatan the rise is in.
    with engine.connect() as conn:
        from sqlalchemy import text

        inside = conn.execute(
            text(
                "SELECT ST_Contains(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) FROM area "
                "WHERE level = 'kecamatan' AND name = 'Jatiuwung'"
            ),
            {"lon": added[0]["lon"][added[0]["text"].index("⚠ Pohon tumbang: 8")], "lat": added[0]["lat"][0]},
        ).scalar_one()
    assert inside

    kiosk = render_page(client, "/live", "?kiosk=1")
    assert "Isu yang sedang naik" in text_of(kiosk)
    # The list is filled once the page is there (the map does not wait for it), as the browser asks for it.
    filled = dash_call(
        client,
        {
            "output": "wall-emerging.children",
            "outputs": {"id": "wall-emerging", "property": "children"},
            "inputs": [{"id": "wall-changes", "property": "data", "value": 1}],
            "state": [{"id": "wall-config", "property": "data", "value": {"kiosk": True, "lang": "id"}}],
        },
    )
    assert filled.status_code == 200, filled.data[:300]
    shown = text_of(filled.get_json()["response"]["wall-emerging"]["children"])
    assert "Pohon tumbang · Jatiuwung" in shown
    assert "8 laporan dalam 7 hari terakhir" in shown
    assert shown.count("laporan dalam 7 hari terakhir") <= 3  # the top three at most
    assert "Pohon tumbang · Jatiuwung" not in text_of(render_page(client, "/live"))  # only the kiosk lists them
