"""Inbound social media: a mention of the city's account becomes a report, placed by its coordinates or a
kelurahan name, or left for the operators when it cannot be; never dropped, never twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.channels import recipient
from tests.integration.intake import complaint, track_ids
from tests.integration.staff import point_in

SECRET = "social-gateway-secret"
URL = "/api/v1/inbound/social"


@pytest.fixture(autouse=True)
def social_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from settings import get_settings

    monkeypatch.setenv("PANTAU_SOCIAL_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def post(client: Any, secret: str = SECRET, **fields: Any) -> Any:
    body = {"platform": "x", "author": "@warga_tangerang", "url": "https://x.com/warga_tangerang/status/1", **fields}
    return client.post(URL, json=body, headers={"X-Pantau-Secret": secret})


def filed(engine: Engine, committed: list[int], response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.data
    code = response.get_json()["tracking_code"]
    track_ids(engine, committed, code)
    with engine.connect() as conn:
        return complaint(conn, code)


def test_posts_are_placed_by_coordinates_by_name_or_left_for_the_operators(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    lon, lat = point_in(engine, "3671011001")
    by_point = filed(
        engine,
        committed,
        post(client, post_id="p1", text="@PemkotTangerang jalan berlubang besar", lat=lat, long=lon),
    )
    assert by_point["status"] == "baru" and by_point["kelurahan_code"] == "3671011001"
    assert (by_point["channel"], by_point["source"], by_point["reporter_contact"]) == (
        "social",
        "X",
        "@warga_tangerang",
    )
    assert by_point["attributes"]["post_url"] == "https://x.com/warga_tangerang/status/1"
    by_name = filed(
        engine, committed, post(client, post_id="p2", text="sampah menumpuk di pasar", place="Babakan Setu")
    )
    assert by_name["kelurahan_code"] == "3674071005" and by_name["attributes"]["location_from"] == "kelurahan_name"
    nowhere = filed(engine, committed, post(client, post_id="p3", text="lampu jalan mati sudah seminggu"))
    assert nowhere["status"] == "luar_wilayah" and nowhere["description"] == "lampu jalan mati sudah seminggu"
    assert recipient(nowhere) is None  # a handle is no address: nothing is sent anywhere
    again = post(client, post_id="p3", text="lampu jalan mati sudah seminggu")
    assert again.status_code == 200 and again.get_json()["duplicate"] is True


@pytest.mark.parametrize(
    ("secret", "fields", "status", "said"),
    [
        ("wrong", {"post_id": "q1", "text": "x"}, 403, "X-Pantau-Secret"),
        (SECRET, {"text": "tanpa id"}, 400, "post_id is required"),
        (SECRET, {"post_id": "q2", "text": "x", "lat": 95, "long": 106}, 400, "lat: must be between"),
        (SECRET, {"post_id": "q3", "text": "x", "media_urls": ["file:///etc/passwd"]}, 400, "media_urls"),
        (SECRET, {"post_id": "q4", "text": "nul\x00"}, 400, "NUL"),
    ],
)
def test_bad_posts_are_refused_clearly_and_store_nothing(
    client: Any, engine: Engine, secret: str, fields: dict[str, Any], status: int, said: str
) -> None:
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM complaint")).scalar()
    answer = post(client, secret=secret, **fields)
    assert answer.status_code == status and said in answer.get_json()["error"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint")).scalar() == before
