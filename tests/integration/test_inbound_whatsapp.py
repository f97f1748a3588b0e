"""Inbound WhatsApp: the gateway's secret or the provider's signature, the LAPOR conversation, a shared location,
photos that never cost the report, one report per message id, and the reporter answered on WhatsApp."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.channels import Recipient, recipient
from tests.integration.gateways import Gateway
from tests.integration.intake import complaint, track_ids
from tests.integration.staff import jpeg, point_in

pytestmark = pytest.mark.usefixtures("fresh_limits")

SECRET = "whatsapp-gateway-secret"
URL = "/api/v1/inbound/whatsapp"
SENDER = "+6281377778888"


@pytest.fixture(autouse=True)
def whatsapp_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from settings import get_settings

    monkeypatch.setenv("PANTAU_WHATSAPP_SECRET", SECRET)
    monkeypatch.setenv("PANTAU_SUBMIT_RATE", "5/minute")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def send(client: Any, secret: str = SECRET, files: list[tuple[str, bytes]] | None = None, **fields: Any) -> Any:
    data: dict[str, Any] = {"sender": SENDER, **fields}
    if files:
        data["media"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(URL, data=data, headers={"X-Pantau-Secret": secret}, content_type="multipart/form-data")


def filed(engine: Engine, committed: list[int], response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.data
    body = response.get_json()
    track_ids(engine, committed, body["tracking_code"])
    with engine.connect() as conn:
        return {"answer": body, **complaint(conn, body["tracking_code"])}


def test_a_text_message_is_a_report_answered_on_whatsapp(client: Any, engine: Engine, committed: list[int]) -> None:
    row = filed(engine, committed, send(client, text="LAPOR banjir Air setinggi lutut #Babakan Setu", message_id="wa1"))
    assert (row["channel"], row["source"], row["category_code"]) == ("social", "WhatsApp", "banjir_drainase")
    assert row["description"] == "Air setinggi lutut" and row["reporter_contact"] == SENDER
    answer = row["answer"]
    assert answer["tracking_code"] in answer["reply"] and "?k=" in answer["tracking_url"] in answer["reply"]
    assert recipient(row) == Recipient("whatsapp", SENDER)  # told on the channel it came by
    again = send(client, text="LAPOR banjir Air setinggi lutut #Babakan Setu", message_id="wa1")
    assert again.status_code == 200 and again.get_json()["tracking_code"] == answer["tracking_code"]


def test_a_shared_location_places_the_report_exactly_and_photos_come_with_it(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    lon, lat = point_in(engine, "3671011001")  # Sukarasa
    row = filed(
        engine,
        committed,
        send(
            client,
            lat=str(lat),
            long=str(lon),
            message_id="wa2",
            files=[("lubang.jpg", jpeg(colour=(90, 90, 90))), ("virus.exe", b"MZ\x90\x00 not an image")],
        ),
    )
    assert row["status"] == "baru" and row["kelurahan_code"] == "3671011001"
    assert row["attributes"]["location_from"] == "whatsapp_location"
    assert row["answer"]["media_stored"] == 1 and [m["file"] for m in row["answer"]["media_refused"]] == ["virus.exe"]
    with engine.connect() as conn:
        kinds = conn.execute(text("SELECT kind FROM photo WHERE complaint_id = :i"), {"i": row["id"]}).scalars().all()
    assert kinds == ["report"]


def test_the_provider_signature_is_accepted_and_a_wrong_one_refused(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    body = json.dumps({"sender": SENDER, "text": "LAPOR sampah menumpuk", "message_id": "wa3"}).encode()
    good = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    signed = client.post(URL, data=body, content_type="application/json", headers={"X-Hub-Signature-256": good})
    assert filed(engine, committed, signed)["category_code"] == "sampah"
    forged = client.post(
        URL, data=body, content_type="application/json", headers={"X-Hub-Signature-256": good[:-2] + "00"}
    )
    assert forged.status_code == 403


def test_a_wrong_secret_is_refused_before_the_senders_quota_counts(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    for _ in range(8):  # more than PANTAU_SUBMIT_RATE (5/minute) allows one sender
        assert send(client, secret="wrong", text="LAPOR sampah palsu").status_code == 403
    filed(engine, committed, send(client, text="LAPOR sampah menumpuk di pasar", message_id="wa4"))


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"lat": "95", "long": "106.6", "text": "x"}, "lat: must be between -90 and 90"),
        ({"lat": "-6.2", "text": "x"}, "a shared location needs both"),
        ({"lat": "abc", "long": "106.6"}, "lat: must be a number"),
        ({}, "text, a location (lat and long) or media is required"),
        ({"text": "a\x00b"}, "text: contains a NUL character"),
    ],
)
def test_bad_messages_are_a_clear_400_and_store_nothing(
    client: Any, engine: Engine, fields: dict[str, str], said: str
) -> None:
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM complaint")).scalar()
    answer = send(client, **fields)
    assert answer.status_code == 400 and said in answer.get_json()["error"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint")).scalar() == before


def test_media_given_as_urls_are_fetched_only_from_the_gateways_host_and_never_cost_the_report(
    client: Any, engine: Engine, committed: list[int], gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    import photos.fetch
    from settings import get_settings

    monkeypatch.setenv("PANTAU_WHATSAPP_OUTBOUND_URL", gateway.url)
    monkeypatch.setenv("PANTAU_MAX_PHOTO_MB", "0.05")  # 52 kB
    get_settings.cache_clear()
    monkeypatch.setattr(photos.fetch, "READ_SECONDS", 0.5)  # a short wait, so the test is quick
    elsewhere = Gateway().start()  # another server on this machine, holding the same photo
    try:
        gateway.media = {"lubang.jpg": jpeg(colour=(40, 40, 40)), "lambat.jpg": jpeg(), "besar.jpg": bytes(100_000)}
        gateway.media_delay = {"lambat.jpg": 3}
        elsewhere.media = {"lubang.jpg": jpeg(colour=(40, 40, 40))}
        first = filed(
            engine,
            committed,
            send(
                client,
                text="LAPOR jalan Lubang di depan sekolah",
                message_id="wa-url-1",
                media_urls=[
                    gateway.media_url("lubang.jpg"), elsewhere.media_url("lubang.jpg"), gateway.media_url("lambat.jpg"),
                ],
            ),
        )  # fmt: skip
        assert first["answer"]["media_stored"] == 1
        assert first["answer"]["media_refused"] == [
            {"url": elsewhere.media_url("lubang.jpg"), "error": "not on the gateway's host"},
            {"url": gateway.media_url("lambat.jpg"), "error": "the gateway did not answer in time"},
        ]
        assert elsewhere.gets == []  # never even asked
        second = filed(
            engine,
            committed,
            send(
                client, text="LAPOR sampah menumpuk", message_id="wa-url-2",
                media_urls=[gateway.media_url("besar.jpg"), gateway.media_url("hilang.jpg")],
            ),
        )  # fmt: skip
        assert second["answer"]["media_stored"] == 0
        assert [m["error"] for m in second["answer"]["media_refused"]] == [
            f"larger than {int(0.05 * 1048576)} bytes",
            "the gateway answered 404",
        ]
        with engine.connect() as conn:
            photos = conn.execute(
                text("SELECT complaint_id, kind FROM photo WHERE complaint_id = ANY(:i)"),
                {"i": [first["id"], second["id"]]},
            ).all()
        assert [tuple(p) for p in photos] == [(first["id"], "report")]
    finally:
        elsewhere.stop()
    # An address that is not http(s) is a clear 400, and nothing is stored.
    bad = send(client, text="LAPOR jalan rusak", message_id="wa-url-3", media_urls=["file:///etc/passwd"])
    assert bad.status_code == 400 and "media_urls" in bad.get_json()["error"]
