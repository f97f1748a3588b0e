"""One way in: the same over-long name, the same bad coordinate and the same missing answer to a category's
question get the same refusal from every door (/lapor, Open311, SMS, import-complaints), each in the door's
own format, and nothing is stored; the same report with the answer given is stored, with the answer."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.conftest import flask_cli, inside, purge
from tests.integration.intake import TANGERANG_BABAKAN, complaint, send_report, track_ids
from tests.integration.open311_answers import errors_of

pytestmark = pytest.mark.usefixtures("fresh_limits")

SECRET = "gateway-secret-for-tests"
LONG_NAME = "N" * 101
# (what is wrong, the fields that make it so, the words of the refusal at the API doors, at /lapor in Indonesian)
CASES = {
    "long_name": ({"name": LONG_NAME}, "longer than 100 characters", "Nama: paling banyak 100 karakter."),
    "bad_lat": ({"lat": "95"}, "95.0 is outside -90..90", "Lintang: harus di antara -90 dan 90."),
    "no_answer": ({"category": "pohon_tumbang"}, "menutup_jalan] is required", "Jawab pertanyaan: Apakah pohon"),
}


@pytest.fixture(autouse=True)
def sms_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from settings import get_settings

    monkeypatch.setenv("PANTAU_SMS_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("PANTAU_SMS_SECRET")
    get_settings.cache_clear()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM complaint")).scalar_one())


def _report(engine: Engine, case: str) -> dict[str, Any]:
    """A good report near Babakan, spoilt as ``case`` says (``name``, ``lat`` and ``category`` as the form names them)."""
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    fields = {"category": "sampah", "description": f"Sampah menumpuk ({case})", "lat": str(lat), "lon": str(lon)}
    return {**fields, **CASES[case][0]} if case in CASES else fields


@pytest.mark.parametrize("case", CASES)
def test_lapor_refuses_at_the_form(client: Any, engine: Engine, case: str) -> None:
    before = _count(engine)
    response = send_report(client, **_report(engine, case))
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert "lapor-result" not in body and CASES[case][2] in json.dumps(body["lapor-field-errors"], ensure_ascii=False)
    assert _count(engine) == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("case", CASES)
def test_open311_refuses_with_its_error_list(
    client: Any, engine: Engine, api_key: tuple[str, str], case: str, fmt: str
) -> None:
    fields = _report(engine, case)
    data = {
        "api_key": api_key[1],
        "service_code": fields["category"],
        "description": fields["description"],
        "lat": fields["lat"],
        "long": fields["lon"],
        "first_name": fields.get("name", "Budi"),
    }
    before = _count(engine)
    (error,) = errors_of(client.post(f"/open311/v2/requests.{fmt}", data=data), fmt, 400)
    assert CASES[case][1] in error["description"], error
    assert _count(engine) == before


@pytest.mark.parametrize("case", CASES)
def test_sms_refuses_with_a_reply_for_the_sender(client: Any, engine: Engine, case: str) -> None:
    fields = _report(engine, case)
    word = "pohon" if fields["category"] == "pohon_tumbang" else "sampah"
    data = {
        "sender": "+6281299990000",
        "text": f"LAPOR {word} {fields['description']} #Babakan",
        "name": fields.get("name", "Budi"),
        "lat": fields["lat"],
        "lon": fields["lon"],
    }
    before = _count(engine)
    response = client.post("/api/v1/inbound/sms", data=data, headers={"X-Pantau-Secret": SECRET})
    assert response.status_code == 400, response.data
    body = response.get_json()
    assert body["code"] == 400 and CASES[case][1].replace("menutup_jalan] ", "menutup_jalan ") in body["error"]
    # Like every JSON door's refusal, it names the field at fault.
    assert body["field"] and body["error"].startswith(f"{body['field']}: ")
    # The reply tells the sender, in Indonesian, what is wrong (and how to answer a question).
    assert body["reply"].startswith("Laporan belum diterima.") and CASES[case][2] in body["reply"]
    if case == "no_answer":
        assert "menutup_jalan=ya" in body["reply"]
    assert _count(engine) == before


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns = ["category", "description", "lat", "lon", "reporter_name", "source", "attribute[menutup_jalan]"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def imported(engine: Engine) -> Iterator[None]:
    yield
    with engine.connect() as c:
        ids = c.execute(text("SELECT id FROM complaint WHERE source = 'uji-satu-pintu'")).scalars().all()
    purge(engine, list(ids))


@pytest.mark.usefixtures("imported")
def test_import_names_each_refused_line_and_stores_nothing_of_it(engine: Engine, tmp_path: Path) -> None:
    rows = []
    for case in CASES:
        fields = _report(engine, case)
        rows.append(
            {
                "category": fields["category"],
                "description": fields["description"],
                "lat": fields["lat"],
                "lon": fields["lon"],
                "reporter_name": fields.get("name", "Budi"),
                "source": "uji-satu-pintu",
            },
        )
    good = _report(engine, "good")
    rows.append({**rows[2], "description": "Pohon tumbang di jalan", "attribute[menutup_jalan]": "ya"})
    rows.append({**rows[0], "description": good["description"], "reporter_name": "Budi"})
    path = tmp_path / "satu.csv"
    _csv(path, rows)
    result = flask_cli("import-complaints", str(path))
    assert result.returncode == 0, result.stderr
    for line, case in enumerate(CASES, start=2):  # the header is line 1
        message = CASES[case][1].replace("menutup_jalan] ", "menutup_jalan ")
        assert any(x.startswith(f"satu.csv:{line}: ") and message in x for x in result.stderr.splitlines()), (
            case,
            result.stderr,
        )
    assert "stored 2" in result.stdout and "bad rows 3" in result.stdout
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT description, attributes FROM complaint WHERE source = 'uji-satu-pintu' ORDER BY id")
        ).all()
    assert [r.description for r in stored] == ["Pohon tumbang di jalan", good["description"]]
    assert stored[0].attributes["open311_attributes"] == {"menutup_jalan": "ya"}


def _tracking_code(node: Any) -> str:
    """The tracking code shown on the receipt (the component ``lapor-code``), from the callback's answer."""
    if isinstance(node, list):
        return next((c for c in (_tracking_code(n) for n in node) if c), "")
    if not isinstance(node, dict):
        return ""
    props = node.get("props", {})
    if props.get("id") == "lapor-code":
        return str(props["children"])
    return _tracking_code(props.get("children"))


def test_the_answer_given_at_the_form_is_stored(client: Any, engine: Engine, committed: list[int]) -> None:
    fields = {**_report(engine, "good"), "category": "pohon_tumbang", "description": "Pohon tumbang menutup jalan"}
    response = send_report(client, answers={"menutup_jalan": "ya"}, **fields)
    body = response.get_json()["response"]
    assert "lapor-result" in body, body
    code = _tracking_code(body["lapor-result"]["children"])
    track_ids(engine, committed, code)
    with engine.connect() as conn:
        row = complaint(conn, code)
    assert row["attributes"]["open311_attributes"] == {"menutup_jalan": "ya"}


def test_an_anonymous_sms_or_open311_report_keeps_no_identity(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str]
) -> None:
    fields = _report(engine, "good")
    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": api_key[1],
            "service_code": "sampah",
            "description": "anonim lewat API",
            "lat": fields["lat"],
            "long": fields["lon"],
            "first_name": "Budi",
            "email": "budi@example.org",
            "device_id": "hp-1",
            "anonymous": "true",
        },
    )
    assert response.status_code == 200, response.data
    code = response.get_json()[0]["service_request_id"]
    track_ids(engine, committed, code)
    with engine.connect() as conn:
        row = complaint(conn, code)
    assert row["reporter_name"] is None and row["reporter_contact"] is None and "device_id" not in row["attributes"]
