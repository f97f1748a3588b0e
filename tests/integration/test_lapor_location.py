"""/lapor's place: the kelurahan the pin is in is named by routing in PostGIS, and a pin the kelurahan list put
in the middle of a kelurahan needs an address or landmark before the report is stored (issue 18 item 11)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.integration.intake import OUTSIDE, TANGERANG_BABAKAN, complaint, track_ids

pytestmark = pytest.mark.usefixtures("fresh_limits")


def _submit(pin_source: Any, **fields: Any) -> tuple[Any, Any, Any]:
    """The form's submit callback as the browser runs it, with the pin's origin (the lapor-pin-source store)."""
    from app import server
    from callbacks.lapor import submit

    values: dict[str, Any] = {
        "category": "jalan_rusak", "lat": None, "lon": None, "address": None, "description": "Lubang besar",
        "photos": None, "name": None, "contact": None, "anonymous": [], "confidential": [],
    }  # fmt: skip
    values.update(fields)
    with server.test_request_context(
        "/_dash-update-component", method="POST", environ_base={"REMOTE_ADDR": "10.9.9.9"}
    ):
        general, at_fields, receipt, hidden = submit(1, *values.values(), "id", None, pin_source)
    return (
        " ".join(x for x in (general, *at_fields.values()) if x) if general or at_fields else general,
        receipt,
        hidden,
    )


def _text(node: Any) -> str:
    if node is None or isinstance(node, str):
        return node or ""
    if isinstance(node, list | tuple):
        return " ".join(_text(c) for c in node)
    return _text(getattr(node, "children", None))


def test_the_pin_is_named_as_routing_places_it(engine: Engine) -> None:
    from callbacks.lapor import name_the_place, place_in_kelurahan

    lat, lon, source = place_in_kelurahan(TANGERANG_BABAKAN)
    assert source == {"kelurahan": TANGERANG_BABAKAN, "lat": lat, "lon": lon}
    with engine.connect() as conn:
        names = conn.execute(
            text(
                "SELECT kel.name, kec.name, kota.name FROM area kel JOIN area kec ON kec.id = kel.parent_id"
                "  JOIN area kota ON kota.id = kec.parent_id WHERE kel.code = :c"
            ),
            {"c": TANGERANG_BABAKAN},
        ).one()
    assert name_the_place(lat, lon, "id") == f"Pin berada di Kelurahan {names[0]}, Kecamatan {names[1]}, {names[2]}."
    assert name_the_place(lat.replace(".", ","), lon, "en").startswith(f"The pin is in Kelurahan {names[0]},")
    assert name_the_place(str(OUTSIDE[0]), str(OUTSIDE[1]), "id") == (
        "Pin berada di luar wilayah layanan; operator akan meneruskan laporan Anda."
    )
    assert name_the_place("utara", lon, "id") == "" and name_the_place("95", lon, "id") == ""


def test_a_pin_from_the_kelurahan_list_needs_an_address(engine: Engine, committed: list[int]) -> None:
    from callbacks.lapor import place_in_kelurahan

    lat, lon, source = place_in_kelurahan(TANGERANG_BABAKAN)
    errors, receipt, hidden = _submit(source, lat=lat, lon=lon, address="   ")
    assert "Tuliskan alamat atau patokan" in _text(errors) and hidden is not True
    # With a landmark it is stored, landmark and all.
    errors, receipt, hidden = _submit(source, lat=lat, lon=lon, address="Depan Masjid Al-Ikhlas")
    assert errors == "" and hidden is True
    code = next(str(c.children) for c in receipt.children if getattr(c, "id", None) == "lapor-code")
    track_ids(engine, committed, code)
    with engine.connect() as conn:
        assert complaint(conn, code)["address"] == "Depan Masjid Al-Ikhlas"
    # A pin moved from there (a tap, the device, typed) marks a place of its own: the address is optional again.
    moved = f"{float(lat) + 0.0004:.6f}"
    errors, receipt, hidden = _submit(source, lat=moved, lon=lon, description="Lubang lain")
    assert errors == "" and hidden is True
    track_ids(
        engine, committed, next(str(c.children) for c in receipt.children if getattr(c, "id", None) == "lapor-code")
    )
