"""Inbound SMS: the gateway's secret, the LAPOR format, placing by kelurahan name, and never losing a message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.integration.intake import TANGSEL_BABAKAN, complaint, track_ids

pytestmark = pytest.mark.usefixtures("fresh_limits")

SECRET = "gateway-secret-for-tests"
URL = "/api/v1/inbound/sms"


@pytest.fixture(autouse=True)
def sms_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from settings import get_settings

    monkeypatch.setenv("PANTAU_SMS_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("PANTAU_SMS_SECRET")
    get_settings.cache_clear()


def send(client: Any, text: str, sender: str = "+6281234567890", secret: str = SECRET, **extra: Any) -> Any:
    return client.post(URL, data={"sender": sender, "text": text, **extra}, headers={"X-Pantau-Secret": secret})


def stored(
    client: Any, engine: Engine, committed: list[int], text: str, **kwargs: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    response = send(client, text, **kwargs)
    assert response.status_code == 201, response.data
    body = response.get_json()
    track_ids(engine, committed, body["tracking_code"])
    with engine.connect() as conn:
        return body, complaint(conn, body["tracking_code"])


def test_a_lapor_sms_naming_a_kelurahan_is_routed_there(client: Any, engine: Engine, committed: list[int]) -> None:
    body, row = stored(client, engine, committed, "LAPOR sampah Sampah menumpuk 3 hari di depan pasar #Babakan Setu")
    assert row["category_code"] == "sampah" and row["channel"] == "sms"
    assert row["kelurahan_code"] == TANGSEL_BABAKAN and row["opd_code"] == "3674.DLH" and row["status"] == "baru"
    assert row["description"] == "Sampah menumpuk 3 hari di depan pasar"
    assert row["reporter_contact"] == "+6281234567890" and row["address"] == "Babakan Setu"
    assert row["attributes"]["location_from"] == "kelurahan_name"
    assert body["placed"] is True and body["status"] == "baru"
    # The reply names the code and a link the sender can open (with the reporter's token for disputes).
    assert body["tracking_code"] in body["reply"] and body["tracking_url"] in body["reply"]
    assert "?k=" in body["tracking_url"]
    assert client.get(body["tracking_url"].replace("http://localhost", "")).status_code == 200


def test_category_words_and_case_are_forgiving(client: Any, engine: Engine, committed: list[int]) -> None:
    _, lamp = stored(client, engine, committed, "lapor: LAMPU mati sejak kemarin #kel. cipete")
    _, road = stored(client, engine, committed, "Lapor jalan-rusak berlubang #CIPETE", sender="+6281111")
    assert lamp["category_code"] == "penerangan_jalan" and lamp["description"] == "mati sejak kemarin"
    assert road["category_code"] == "jalan_rusak" and road["kelurahan_code"] == lamp["kelurahan_code"]
    assert lamp["status"] == "baru"


def test_what_cannot_be_placed_or_understood_still_reaches_the_operators(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    _, landmark = stored(client, engine, committed, "LAPOR banjir Air setinggi lutut #Masjid Raya Al-Azhom")
    assert landmark["status"] == "luar_wilayah" and landmark["category_code"] == "banjir_drainase"
    assert landmark["address"] == "Masjid Raya Al-Azhom" and landmark["attributes"]["place_unmatched"] == "unknown"

    _, ambiguous = stored(client, engine, committed, "LAPOR sampah menumpuk #Babakan", sender="+6282222")
    assert ambiguous["status"] == "luar_wilayah" and ambiguous["attributes"]["place_unmatched"] == "ambiguous"

    body, unknown_word = stored(
        client, engine, committed, "LAPOR parkiran liar menutup jalan #Cipete", sender="+6283333"
    )
    assert unknown_word["category_code"] == "lainnya" and unknown_word["status"] == "baru"
    assert unknown_word["description"] == "parkiran liar menutup jalan"  # the word is kept

    body, free = stored(client, engine, committed, "tolong pak jalan depan rumah saya rusak", sender="+6284444")
    assert free["category_code"] == "lainnya" and free["status"] == "luar_wilayah"
    assert free["description"] == "tolong pak jalan depan rumah saya rusak"
    assert free["attributes"]["sms_format"] == "free"
    assert "operator akan meneruskan" in body["reply"]


def test_a_retried_delivery_is_stored_once(client: Any, engine: Engine, committed: list[int]) -> None:
    first, _ = stored(client, engine, committed, "LAPOR pohon tumbang menutup_jalan=ya #Cipete", message_id="gw-77")
    again = send(client, "LAPOR pohon tumbang menutup_jalan=ya #Cipete", message_id="gw-77")
    assert again.status_code == 200
    assert again.get_json()["tracking_code"] == first["tracking_code"] and again.get_json()["duplicate"] is True


def test_the_gateway_must_prove_itself_and_send_both_fields(client: Any) -> None:
    assert send(client, "LAPOR sampah #Cipete", secret="wrong").status_code == 403
    assert client.post(URL, data={"sender": "1", "text": "LAPOR sampah"}).status_code == 403
    assert send(client, "").status_code == 400
    assert send(client, "LAPOR sampah", sender="").status_code == 400
    assert send(client, "x" * 1601).status_code == 400
    # JSON works as well as a form.
    response = client.post(URL, json={"sender": "+62"}, headers={"X-Pantau-Secret": SECRET})
    assert response.status_code == 400 and "required" in response.get_json()["error"]


def test_without_a_configured_secret_inbound_sms_is_off(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from settings import get_settings

    monkeypatch.setenv("PANTAU_SMS_SECRET", "")
    get_settings.cache_clear()
    response = send(client, "LAPOR sampah #Cipete", secret="")
    assert response.status_code == 503 and "PANTAU_SMS_SECRET" in response.get_json()["error"]


def test_one_sender_flooding_is_refused_without_blocking_others(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    # The gateway is one IP for everybody, so the limit (10/minute) counts per sender, and only once the
    # gateway has proved itself: forged requests must not silence a phone number.
    for _ in range(12):
        assert send(client, "LAPOR sampah #Cipete", sender="+6289999", secret="wrong").status_code == 403
    first, _ = stored(client, engine, committed, "LAPOR sampah #Cipete", sender="+6289999", message_id="gw-flood")
    for _ in range(9):  # the same delivery retried: stored once, but every one counts
        again = send(client, "LAPOR sampah #Cipete", sender="+6289999", message_id="gw-flood")
        assert again.status_code == 200 and again.get_json()["tracking_code"] == first["tracking_code"]
    refused = send(client, "LAPOR sampah #Cipete", sender="+6289999")
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "too many reports from this sender; try again later"
    stored(client, engine, committed, "LAPOR sampah #Cipete", sender="+6281010")
