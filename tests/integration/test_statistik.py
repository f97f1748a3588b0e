"""/statistik: the agencies' statistics for anyone, without a log-in, with the leaders' numbers and nothing that
identifies a report or a reporter."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Engine

from layouts._pimpinan_wiring import request_body
from tests.integration.staff import (
    Accounts,
    bearer,
    dash_call,
    ids_in,
    new_complaint,
    render_page,
    text_of,
)

# The public cards (layouts/statistik.py, which registers a page and so is imported by the app only), each the
# leaders' card of the same name.
CARDS = ("reports", "followed", "finished", "response", "completion")


def statistics(client: Any, period: str = "all", kota: str | None = None) -> dict[str, Any]:
    outputs = [
        *(f"st-kpi-{key}.children" for key in CARDS),
        *(f"st-kpi-{key}-note.children" for key in CARDS),
        "st-extremes.children",
        "st-map.figure",
        "st-opd.children",
        "st-kecamatan.children",
        "st-error.children",
    ]
    response = dash_call(
        client,
        {
            "output": ".." + "...".join(outputs) + "..",
            "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
            "inputs": [
                {"id": "st-period", "property": "value", "value": period},
                {"id": "st-kota", "property": "value", "value": kota},
                {"id": "st-kecamatan", "property": "value", "value": None},
            ],
            "state": [{"id": "st-lang", "property": "data", "value": "en"}],
            "changedPropIds": ["st-period.value"],
        },
    )
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]  # type: ignore[no-any-return]


def test_anyone_reads_the_statistics_and_they_are_the_leaders_numbers(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    secret = f"rahasia{secrets.token_hex(5)}"
    confidential = new_complaint(
        engine,
        committed,
        description=f"{secret} tetangga membuang limbah",
        reporter_name="Siti Pelapor Rahasia",
        reporter_contact="+6281311112222",
        confidential=True,
    )
    anonymous = new_complaint(engine, committed, description=f"{secret} anonim", anonymous=True)
    page = render_page(client, "/statistik", "?lang=en")  # no log-in
    assert "Complaint handling statistics" in text_of(page) and "st-map" in ids_in(page)

    public = statistics(client, kota="3671")
    leaders = client.post(
        "/_dash-update-component",
        json=request_body("en", **{"pim-kota": "3671", "pim-period": "all"}),
        headers=bearer(client, accounts("leader")),
    ).get_json()["response"]
    shown = {
        part["props"]["id"]: part["props"]["children"]
        for card in leaders["pim-kpis"]["children"]
        for part in card["props"]["children"]
    }
    for card in CARDS:
        assert public[f"st-kpi-{card}"]["children"] == shown[f"pim-kpi-{card}"], card
    assert int(public["st-kpi-reports"]["children"].replace(",", "")) >= 2
    agencies = {row["name"]: row["reports"] for row in leaders["pim-rows"]["data"]["opd"]}
    listed = text_of(public["st-opd"]["children"])
    assert agencies and all(name in listed for name in agencies)

    everything = str(public)
    for private in (secret, "Siti Pelapor Rahasia", "+6281311112222", confidential, anonymous):
        assert private not in everything, private


def test_the_statistics_embed_without_the_site_header(client: Any) -> None:
    embedded = render_page(client, "/statistik", "?embed=1&lang=id")
    assert "Statistik layanan pengaduan" in text_of(embedded)
    full = ids_in(render_page(client, "/statistik", "?lang=id"))
    assert "nav-user" not in full and not (ids_in(embedded) & {i for i in full if i.startswith("nav")})
