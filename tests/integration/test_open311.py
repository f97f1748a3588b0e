"""Open311 GeoReport v2: every endpoint in XML and JSON, the errors, routing, paging and privacy."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.accounts import create_api_key
from db.complaints import WIB, Actor, NewComplaint, create_complaint, transition
from tests.conftest import inside
from tests.integration.intake import OUTSIDE, TANGERANG_BABAKAN, TANGSEL_BABAKAN, complaint, finish, track_ids
from tests.integration.open311_answers import errors_of, parse

pytestmark = pytest.mark.usefixtures("fresh_limits")

FORMATS = ("xml", "json")
RECORD_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip
W3C_WIB = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def file_request(client: Any, fmt: str, key: str, **fields: Any) -> Any:
    return client.post(f"/open311/v2/requests.{fmt}", data={"api_key": key, **fields})


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_specification_and_both_formats(client: Any, fmt: str) -> None:
    response = client.get(f"/open311/v2/discovery.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt, "discovery")
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://localhost/open311/v2/"
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert W3C_WIB.match(body["changeset"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_categories_grouped_by_opd(client: Any, fmt: str) -> None:
    response = client.get(f"/open311/v2/services.{fmt}")
    assert response.status_code == 200
    services = {s["service_code"]: s for s in parse(response, fmt, "services")}
    assert len(services) == 11 and "jalan_rusak" in services and "lainnya" in services
    road = services["jalan_rusak"]
    assert road["service_name"] == "Jalan rusak"
    assert road["group"] == "DBMSDA / DSDABMBK"  # one agency per city
    assert str(road["metadata"]).lower() == "true" and str(services["sampah"]["metadata"]).lower() == "false"
    assert road["type"] == "realtime"
    # One city only: its own agency.
    one_city = parse(client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=3674"), fmt, "services")
    assert {s["service_code"]: s["group"] for s in one_city}["jalan_rusak"] == "DSDABMBK"
    errors_of(client.get(f"/open311/v2/services.{fmt}?jurisdiction_id=9999"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_the_extra_questions(client: Any, fmt: str) -> None:
    response = client.get(f"/open311/v2/services/pohon_tumbang.{fmt}")
    assert response.status_code == 200
    definition = parse(response, fmt, "service_definition")
    assert definition["service_code"] == "pohon_tumbang"
    (question,) = definition["attributes"]
    assert question["code"] == "menutup_jalan" and question["datatype"] == "singlevaluelist"
    assert str(question["required"]).lower() == "true" and str(question["variable"]).lower() == "true"
    assert [v["key"] for v in question["values"]] == ["ya", "tidak"]
    errors_of(client.get(f"/open311/v2/services/no_such_service.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_request_is_routed_to_its_kelurahan_and_opd(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str], fmt: str
) -> None:
    name, key = api_key
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGSEL_BABAKAN)
    response = file_request(
        client, fmt, key,
        service_code="jalan_rusak", lat=lat, long=lon, description=f"Lubang besar ({fmt})",
        media_url="https://example.org/lubang.jpg", email="warga@example.org", first_name="Siti", last_name="Rahma",
        phone="08123456789", device_id="dev-1", account_id="acc-9", **{"attribute[ukuran_kerusakan]": "besar"},
    )  # fmt: skip
    assert response.status_code == 200, response.data
    (created,) = parse(response, fmt, "service_requests")
    code = created["service_request_id"]
    track_ids(engine, committed, code)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "Dinas Sumber Daya Air, Bina Marga dan Bina Konstruksi Kota Tangerang Selatan" in created["service_notice"]
    assert created["account_id"] == "acc-9"
    with engine.connect() as conn:
        stored = complaint(conn, code)
    assert stored["kelurahan_code"] == TANGSEL_BABAKAN and stored["opd_code"] == "3674.DSDABMBK"
    assert stored["channel"] == "api" and stored["source"] == name and stored["status"] == "baru"
    assert stored["reporter_name"] == "Siti Rahma" and stored["reporter_contact"] == "warga@example.org, 08123456789"
    assert stored["attributes"]["media_url"] == "https://example.org/lubang.jpg"
    assert stored["attributes"]["open311_attributes"] == {"ukuran_kerusakan": "besar"}
    assert stored["attributes"]["device_id"] == "dev-1"

    # Read back: every spec field, the OPD as agency, WIB datetimes, the media URL as given.
    (record,) = parse(client.get(f"/open311/v2/requests/{code}.{fmt}?extensions=true"), fmt, "service_requests")
    assert list(record)[: len(RECORD_FIELDS)] == RECORD_FIELDS
    assert record["status"] == "open" and record["status_notes"] == "Baru"
    assert record["agency_responsible"].endswith("Kota Tangerang Selatan")
    assert record["service_code"] == "jalan_rusak" and record["description"] == f"Lubang besar ({fmt})"
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_WIB.match(record[field]), record[field]
    assert record["expected_datetime"] > record["requested_datetime"]
    assert abs(float(record["lat"]) - lat) < 1e-9 and abs(float(record["long"]) - lon) < 1e-9
    assert record["media_url"] == "https://example.org/lubang.jpg"
    extended = record["extended_attributes"]
    assert extended["kode_kelurahan"] == TANGSEL_BABAKAN and extended["kode_kota"] == "3674"
    assert extended["detailed_status"] == "baru" and extended["status_color"] == "red"
    # The reporter's identity is never part of a record.
    assert b"Siti" not in client.get(f"/open311/v2/requests/{code}.{fmt}?extensions=true").data
    assert b"warga@example.org" not in client.get(f"/open311/v2/requests.{fmt}").data


def test_an_address_that_names_a_kelurahan_is_placed_and_an_unknown_one_waits_for_the_operators(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str]
) -> None:
    _, key = api_key
    named = parse(file_request(client, "json", key, service_code="sampah", address_string="Kelurahan Cipete"), "json")
    unknown = parse(
        file_request(client, "json", key, service_code="sampah", address_string="Jl. Tak Dikenal 1, RT 3"), "json"
    )
    outside = parse(file_request(client, "json", key, service_code="sampah", lat=OUTSIDE[0], long=OUTSIDE[1]), "json")
    codes = [named[0]["service_request_id"], unknown[0]["service_request_id"], outside[0]["service_request_id"]]
    track_ids(engine, committed, *codes)
    with engine.connect() as conn:
        rows = [complaint(conn, c) for c in codes]
    assert rows[0]["status"] == "baru" and rows[0]["attributes"]["location_from"] == "kelurahan_name"
    assert rows[1]["status"] == "luar_wilayah" and rows[1]["address"] == "Jl. Tak Dikenal 1, RT 3"
    assert rows[2]["status"] == "luar_wilayah"
    assert "operator akan meneruskan" in outside[0]["service_notice"]
    (record,) = parse(client.get(f"/open311/v2/requests/{codes[2]}.json"), "json")
    assert record["agency_responsible"] is None and record["status"] == "open"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.usefixtures("many_submissions")
def test_posting_errors_follow_the_spec(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str], fmt: str
) -> None:
    _, key = api_key
    url = f"/open311/v2/requests.{fmt}"
    good = {"service_code": "sampah", "lat": "-6.17", "long": "106.63"}
    before = _api_complaints(engine)
    errors_of(client.post(url, data=good), fmt, 403)
    errors_of(client.post(url, data={**good, "api_key": "pk_wrong"}), fmt, 403)
    cases = [
        ({"lat": "-6.17", "long": "106.63"}, "service_code is required"),
        ({**good, "service_code": "unicorns"}, "not found"),
        ({**good, "lat": "91"}, "outside -90..90"),
        ({**good, "lat": "-91.5"}, "outside -90..90"),
        ({**good, "long": "east"}, "not a number"),
        ({**good, "lat": "nan"}, "not a number"),
        ({"service_code": "sampah"}, "location is required"),
        ({"service_code": "sampah", "lat": "-6.17"}, "both lat and long"),
        ({**good, "service_code": "pohon_tumbang"}, "attribute[menutup_jalan] is required"),
        ({**good, "service_code": "pohon_tumbang", "attribute[menutup_jalan]": "mungkin"}, "must be one of"),
        ({**good, "service_code": "banjir_drainase", "attribute[tinggi_air_cm]": "dalam"}, "not a number"),
        ({**good, "attribute[warna]": "merah"}, "not a question"),
        ({**good, "media_url": "ftp://x/y.jpg"}, "media_url"),
        ({**good, "description": "x" * 4001}, "4000"),
        ({**good, "jurisdiction_id": "0000"}, "jurisdiction_id"),
    ]
    for fields, expected in cases:
        (error,) = errors_of(client.post(url, data={**fields, "api_key": key}), fmt, 400)
        assert expected in error["description"], (fields, error)
    assert _api_complaints(engine) == before  # nothing was stored


def _api_complaints(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM complaint WHERE channel = 'api'")).scalar_one())


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_id_is_404(client: Any, fmt: str) -> None:
    errors_of(client.get(f"/open311/v2/requests/ZZZZ-ZZZZ-ZZZZ.{fmt}"), fmt, 404)
    errors_of(client.get(f"/open311/v2/requests/ZZZZ-ZZZZ-ZZZZ.{fmt}?api_key=pk_wrong"), fmt, 403)


def _seed(engine: Engine, committed: list[int], day: datetime, specs: list[tuple[str, str, bool]]) -> list[str]:
    """Complaints on ``day`` (one minute apart): (kelurahan code, category, confidential) each."""
    codes = []
    with engine.begin() as conn:
        for i, (kelurahan, category, confidential) in enumerate(specs):
            lat, lon = inside(conn, kelurahan)
            created = create_complaint(
                conn,
                NewComplaint(
                    category=category, description=f"laporan uji {i}", channel="app", lat=lat, lon=lon,
                    reporter_name="Rahasia Sekali", confidential=confidential, created_at=day + timedelta(minutes=i),
                ),
            )  # fmt: skip
            codes.append(created.tracking_code)
            committed.append(created.id)
    return codes


def _window(day: datetime) -> str:
    start, end = day.isoformat(), (day + timedelta(hours=12)).isoformat()
    return f"start_date={start.replace('+', '%2B')}&end_date={end.replace('+', '%2B')}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_listing_pages_newest_first_and_filters(client: Any, engine: Engine, committed: list[int], fmt: str) -> None:
    day = datetime(2026, 3, 2, 8, 0, tzinfo=WIB)
    specs = [(TANGERANG_BABAKAN, "sampah", False)] * 3 + [(TANGSEL_BABAKAN, "jalan_rusak", False)] * 2
    codes = _seed(engine, committed, day, specs)
    base = f"/open311/v2/requests.{fmt}?{_window(day)}"
    pages = [parse(client.get(f"{base}&page_size=2&page={n}"), fmt, "service_requests") or [] for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    listed = [r["service_request_id"] for p in pages for r in p]
    assert listed == list(reversed(codes))  # newest first, no overlap, nothing lost

    by_code = parse(client.get(f"{base}&service_code=jalan_rusak"), fmt, "service_requests")
    assert {r["service_request_id"] for r in by_code} == set(codes[3:])
    # bbox (an extension): only the Tangerang Selatan ones.
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGSEL_BABAKAN)
    bbox = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    in_box = parse(client.get(f"{base}&bbox={bbox}"), fmt, "service_requests")
    assert {r["service_request_id"] for r in in_box} == set(codes[3:])
    # A list of ids overrides every other filter.
    picked = parse(
        client.get(f"/open311/v2/requests.{fmt}?service_request_id={codes[0]},{codes[4]}&service_code=bencana"),
        fmt,
        "service_requests",
    )
    assert {r["service_request_id"] for r in picked} == {codes[0], codes[4]}
    for bad in ("page_size=0", "page_size=1001", "page=x", "bbox=1,2,3", "bbox=107,-6,106,-5", "status=pending",
                "start_date=yesterday", "service_code=unicorns"):  # fmt: skip
        errors_of(client.get(f"/open311/v2/requests.{fmt}?{bad}"), fmt, 400)
    backwards = "start_date=2026-03-05T00:00:00%2B07:00&end_date=2026-03-01T00:00:00%2B07:00"
    errors_of(client.get(f"/open311/v2/requests.{fmt}?{backwards}"), fmt, 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_open_and_closed_follow_the_colours(client: Any, engine: Engine, committed: list[int], fmt: str) -> None:
    day = datetime(2026, 4, 6, 9, 0, tzinfo=WIB)
    new, rejected, finished = _seed(engine, committed, day, [(TANGERANG_BABAKAN, "sampah", False)] * 3)
    with engine.begin() as conn:
        transition(conn, rejected, "reject", Actor(role="operator"), reason="Bukan kewenangan kota")
        finish(conn, finished)
    base = f"/open311/v2/requests.{fmt}?{_window(day)}&extensions=true"
    open_ = parse(client.get(f"{base}&status=open"), fmt, "service_requests")
    closed = parse(client.get(f"{base}&status=closed"), fmt, "service_requests")
    both = parse(client.get(f"{base}&status=open,closed"), fmt, "service_requests")
    assert [r["service_request_id"] for r in open_] == [new]
    assert {r["service_request_id"] for r in closed} == {rejected, finished}
    assert len(both) == 3
    records = {r["service_request_id"]: r for r in closed}
    assert records[rejected]["status_notes"] == "Ditolak: Bukan kewenangan kota"
    assert records[rejected]["extended_attributes"]["status_color"] == "grey"
    done = records[finished]["extended_attributes"]
    assert done["status_color"] == "green" and done["detailed_status"] == "selesai"
    urls = done["completion_photo_urls"]
    assert len(urls) == 1 and re.fullmatch(r"http://localhost/photos/\d+", urls[0])


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_anonymous_request_keeps_no_identity_and_echoes_none(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str], fmt: str
) -> None:
    _, key = api_key
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    identity = {
        "first_name": "Siti", "last_name": "Rahmawati", "email": "siti.rahma@example.org", "phone": "081299887766",
        "device_id": "perangkat-7f3a", "account_id": "akun-5521",
    }  # fmt: skip
    response = file_request(
        client, fmt, key, service_code="sampah", lat=lat, long=lon, description=f"anonim {fmt}", anonymous="true",
        **identity,
    )  # fmt: skip
    assert response.status_code == 200, response.data
    (created,) = parse(response, fmt, "service_requests")
    assert created["account_id"] is None
    code = created["service_request_id"]
    track_ids(engine, committed, code)
    with engine.connect() as conn:
        stored = complaint(conn, code)
        history = conn.execute(
            text("SELECT data, note FROM complaint_event WHERE complaint_id = :i"), {"i": stored["id"]}
        ).all()
    kept = json.dumps({**stored, "history": [tuple(e) for e in history]}, default=str)
    assert stored["anonymous"] and not [v for v in identity.values() if v in kept]


@pytest.mark.parametrize("fmt", FORMATS)
def test_confidential_reports_are_never_listed_and_anonymous_ones_keep_no_identity(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str], fmt: str
) -> None:
    day = datetime(2026, 5, 4, 10, 0, tzinfo=WIB)
    public, secret = _seed(
        engine, committed, day, [(TANGERANG_BABAKAN, "sampah", False), (TANGERANG_BABAKAN, "sampah", True)]
    )
    listed = parse(client.get(f"/open311/v2/requests.{fmt}?{_window(day)}"), fmt, "service_requests")
    assert [r["service_request_id"] for r in listed] == [public]
    errors_of(client.get(f"/open311/v2/requests/{secret}.{fmt}"), fmt, 404)
    assert parse(client.get(f"/open311/v2/requests.{fmt}?service_request_id={secret}"), fmt, "service_requests") in (
        [],
        None,
    )

    # A client sees a confidential request it filed itself, by id, with its key; others never do.
    _, key = api_key
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    filed = parse(
        file_request(
            client, fmt, key, service_code="sampah", lat=lat, long=lon, description=f"rahasia {fmt}",
            confidential="true", anonymous="true", first_name="Budi", email="budi@example.org",
        ),
        fmt,
    )[0]["service_request_id"]  # fmt: skip
    track_ids(engine, committed, filed)
    with engine.connect() as conn:
        stored = complaint(conn, filed)
    assert stored["confidential"] and stored["anonymous"]
    assert stored["reporter_name"] is None and stored["reporter_contact"] is None
    errors_of(client.get(f"/open311/v2/requests/{filed}.{fmt}"), fmt, 404)
    mine = parse(client.get(f"/open311/v2/requests/{filed}.{fmt}?api_key={key}"), fmt, "service_requests")
    assert mine[0]["service_request_id"] == filed
    listing = client.get(f"/open311/v2/requests.{fmt}?api_key={key}")
    assert filed.encode() not in listing.data and b"Rahasia Sekali" not in listing.data


@pytest.fixture
def slow_key(engine: Engine) -> Iterator[str]:
    """A key with its own small quota (api-key create NAME --rate 3/minute)."""
    name = "uji-kuota-kecil"
    with engine.begin() as conn:
        key = create_api_key(conn, name, rate="3/minute")
    yield key
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM api_key WHERE name = :n"), {"n": name})


def test_a_keyed_client_is_counted_per_key_at_its_own_rate(
    client: Any, slow_key: str, api_key: tuple[str, str]
) -> None:
    # Every accepted POST counts, a refused one (400: no such service) too.
    for _ in range(3):
        errors_of(file_request(client, "json", slow_key, service_code="ufo"), "json", 400)
    (error,) = errors_of(file_request(client, "json", slow_key, service_code="ufo"), "json", 429)
    assert "too many" in error["description"] and "3/minute" in error["description"]
    errors_of(file_request(client, "xml", slow_key), "xml", 429)
    # Another client at the same address has its own quota; reading is never limited.
    errors_of(file_request(client, "json", api_key[1], service_code="ufo"), "json", 400)
    assert client.get("/open311/v2/services.json").status_code == 200


def test_a_partner_forwarding_many_reports_is_not_held_to_the_per_address_limit(
    client: Any, api_key: tuple[str, str]
) -> None:
    # PANTAU_SUBMIT_RATE (10/minute per address) is for the public form; a key gets PANTAU_API_KEY_RATE (600/minute).
    for _ in range(15):
        errors_of(file_request(client, "json", api_key[1], service_code="ufo"), "json", 400)


def test_forged_keys_are_refused_before_anything_is_counted(client: Any, api_key: tuple[str, str]) -> None:
    for _ in range(12):
        errors_of(client.post("/open311/v2/requests.json", data={"service_code": "sampah"}), "json", 403)
        errors_of(file_request(client, "xml", api_key[1] + "x", service_code="sampah"), "xml", 403)
    # The address that sent them is not throttled for the real client.
    errors_of(file_request(client, "json", api_key[1], service_code="ufo"), "json", 400)


def test_the_same_request_posted_twice_is_stored_once(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str]
) -> None:
    _, key = api_key
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    fields = {"service_code": "sampah", "lat": lat, "long": lon, "description": "Sampah di sungai", "confidential": "1"}
    first = parse(file_request(client, "json", key, **fields), "json")[0]
    track_ids(engine, committed, first["service_request_id"])
    # The same client sending the very same report (content, place, day) gets the first one back; another
    # client sending it gets its own: a match never hands one client another's (here confidential) report.
    again = parse(file_request(client, "json", key, **fields), "json")[0]
    with engine.begin() as conn:
        other_key = create_api_key(conn, f"other-{first['service_request_id']}")
    others = parse(file_request(client, "json", other_key, **fields), "json")[0]
    track_ids(engine, committed, others["service_request_id"])
    assert others["service_request_id"] != first["service_request_id"]
    retried = client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, **fields, "description": "lain"},
        headers={"Idempotency-Key": "k1"},
    )
    track_ids(engine, committed, parse(retried, "json")[0]["service_request_id"])
    retried_again = client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, **fields, "description": "lain lagi"},
        headers={"Idempotency-Key": "k1"},
    )
    assert again["service_request_id"] == first["service_request_id"] and "Kota Tangerang" in again["service_notice"]
    assert parse(retried_again, "json")[0]["service_request_id"] == parse(retried, "json")[0]["service_request_id"]
