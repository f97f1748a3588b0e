"""Exports of the filtered set: CSV, GeoJSON and XLSX, with a leader's token or session, scoped like the page."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import Engine, text

from db.accounts import create_user
from db.filters import Scope, parse_filters, resolve
from db.leaders import dashboard
from tests.integration.leaders_data import FIXTURE_WEEK, add, add_week

WEEK = "from=2025-04-28&to=2025-05-09"
PASSWORD = "rahasia-123"


@pytest.fixture(scope="module")
def week(engine: Engine) -> Iterator[list[int]]:
    """The six hand-computed complaints, plus one in Jatiuwung and two with reporters, committed."""
    with engine.begin() as c:
        add_week(c, prefix="EX")
        add(c, "EX-JATI", "baru", "2025-05-06 09:00+07", kelurahan="3671021001", opd="3671.DKP", category="sampah")
        add(c, "EX-SECRET", "baru", "2025-05-06 10:00+07", confidential=True, reporter="Siti Rahasia 0812-1111")
        add(c, "EX-OPEN", "baru", "2025-05-06 11:00+07", reporter="Budi Terbuka 0812-2222")
        c.execute(text("UPDATE complaint SET description = '=HYPERLINK(\"http://x\")' WHERE tracking_code = 'EX-OPEN'"))
        c.execute(
            text(
                "UPDATE complaint SET attributes = attributes || "
                """'{"open311_attributes": {"ukuran_kerusakan": "besar", "lebar_m": "3"}}'::jsonb """
                "WHERE tracking_code = 'EX-A'"
            )
        )
        ids = [r[0] for r in c.execute(text("SELECT id FROM complaint WHERE tracking_code LIKE 'EX-%'"))]
    yield ids
    from tests.conftest import purge

    purge(engine, ids)


def _user(engine: Engine, username: str, role: str, kecamatan: list[str] | None = None) -> None:
    with engine.begin() as c:
        if not c.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": username}).first():
            create_user(c, username, PASSWORD, role, None, kecamatan or [])


def _token(client, engine: Engine, username: str, role: str, kecamatan: list[str] | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _user(engine, username, role, kecamatan)
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_exports_need_a_dashboard_role(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/api/v1/export.csv?{WEEK}").status_code == 401
    field = _token(client, engine, "export-field", "field")
    assert client.get(f"/api/v1/export.csv?{WEEK}", headers=field).status_code == 403
    leader = _token(client, engine, "export-leader", "leader")
    assert client.get(f"/api/v1/export.pdf?{WEEK}", headers=leader).status_code == 404
    refused = client.get("/api/v1/export.csv?status=purple", headers=leader)
    assert refused.status_code == 400 and refused.get_json()["field"] == "status"


def test_csv_export_of_the_filtered_set_matches_the_table(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    leader = _token(client, engine, "export-leader", "leader")
    response = client.get(f"/api/v1/export.csv?{WEEK}&kecamatan=367101", headers=leader)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert int(response.headers["X-Total-Count"]) == len(rows) == 8
    with engine.connect() as c:
        d = dashboard(c, resolve(c, parse_filters({**FIXTURE_WEEK, "kecamatan": "367101"}), Scope()))
    assert Counter(r["Kode OPD"] for r in rows) == {g.code: g.kpis.reports for g in d.by_opd}
    assert sum(r["Kode status"] == "selesai" for r in rows) == d.kpis.finished
    assert sum(r["Lewat tenggat"] == "Ya" for r in rows) == d.kpis.overdue
    by_code = {r["Kode lacak"]: r for r in rows}
    # The same working days as worked out by hand for the dashboard.
    assert (by_code["EX-A"]["Respons (hari kerja)"], by_code["EX-A"]["Penyelesaian (hari kerja)"]) == ("1.000", "2.250")
    assert by_code["EX-C"]["Penyelesaian (hari kerja)"] == "3.500"
    assert by_code["EX-A"]["Dilaporkan (WIB)"] == "2025-04-30 10:00:00"
    assert (by_code["EX-A"]["Kode kelurahan"], by_code["EX-A"]["Warna"]) == ("3671011001", "hijau")


def test_reporters_are_never_exported_and_text_cannot_become_a_formula(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    leader = _token(client, engine, "export-leader", "leader")
    bodies = {fmt: client.get(f"/api/v1/export.{fmt}?{WEEK}", headers=leader).get_data() for fmt in ("csv", "geojson")}
    xlsx = client.get(f"/api/v1/export.xlsx?{WEEK}", headers=leader).get_data()
    cells = [
        str(v)
        for row in openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).active.iter_rows(values_only=True)
        for v in row
    ]
    for secret in ("Siti Rahasia", "0812-1111", "Budi Terbuka", "0812-2222"):
        assert secret.encode() not in bodies["csv"] and secret.encode() not in bodies["geojson"]
        assert not any(secret in cell for cell in cells)
    assert "pelapor" not in bodies["csv"].decode().splitlines()[0].lower()
    description = {r["Kode lacak"]: r["Uraian"] for r in csv.DictReader(io.StringIO(bodies["csv"].decode()))}
    assert description["EX-OPEN"].startswith("'=HYPERLINK")
    # The category's questions as answered: in the CSV and the XLSX, by code, and nothing for a report without.
    answers = {r["Kode lacak"]: r["Jawaban pertanyaan kategori"] for r in _csv_rows(bodies["csv"])}
    assert answers["EX-A"] == "lebar_m=3; ukuran_kerusakan=besar" and answers["EX-OPEN"] == ""
    assert "lebar_m=3; ukuran_kerusakan=besar" in cells


def _csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode())))


def test_geojson_and_xlsx_hold_the_same_rows(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    leader = _token(client, engine, "export-leader", "leader")
    geo = client.get(f"/api/v1/export.geojson?{WEEK}&category=jalan_rusak", headers=leader)
    assert geo.headers["Content-Type"].startswith("application/geo+json")
    collection = json.loads(geo.get_data())
    codes = sorted(f["id"] for f in collection["features"])
    assert int(geo.headers["X-Total-Count"]) == len(codes) == 7
    first = collection["features"][0]
    assert first["geometry"]["type"] == "Point" and len(first["geometry"]["coordinates"]) == 2
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/api/v1/export.xlsx?{WEEK}&category=jalan_rusak", headers=leader).get_data()),
        read_only=True,
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Kode lacak"
    assert sorted(r[0] for r in rows[1:]) == codes
    finished = {r[0]: r for r in rows[1:]}["EX-A"]
    assert finished[rows[0].index("Penyelesaian (hari kerja)")] == pytest.approx(2.25)


def test_a_limited_leader_exports_only_their_kecamatan(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    camat = _token(client, engine, "export-camat", "leader", ["367101"])
    mine = _csv(client.get(f"/api/v1/export.csv?{WEEK}", headers=camat))
    assert mine and {r["Kode kecamatan"] for r in mine} == {"367101"}
    assert "EX-JATI" not in {r["Kode lacak"] for r in mine}
    for other in ("kecamatan=367102", "kelurahan=3671021001"):
        assert client.get(f"/api/v1/export.csv?{WEEK}&{other}", headers=camat).status_code == 403
        assert client.get(f"/api/v1/export.geojson?{WEEK}&{other}", headers=camat).status_code == 403
    # A kota filter does not widen the scope.
    kota = _csv(client.get(f"/api/v1/export.csv?{WEEK}&kota=3671", headers=camat))
    assert {r["Kode kecamatan"] for r in kota} == {"367101"}


def test_a_leaders_browser_session_is_enough(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    _user(engine, "export-session", "leader")
    from db.accounts import StaffUser, load_user

    with engine.connect() as c:
        account = load_user(c, username="export-session")
    with client.session_transaction() as session:
        session["_user_id"] = StaffUser.from_row(account).get_id()  # the id bound to the account's session secret
        session["_fresh"] = True
    response = client.get(f"/api/v1/export.csv?{WEEK}&channel=sms")
    assert response.status_code == 200
    assert [r["Kode lacak"] for r in _csv(response)] == ["EX-E"]


HEADERS = {
    "id": [
        "Kode lacak", "Dilaporkan (WIB)", "Kode status", "Status", "Warna", "Kode kategori", "Kategori", "Kanal",
        "Kode kota", "Kota", "Kode kecamatan", "Kecamatan", "Kode kelurahan", "Kelurahan", "Kode OPD", "OPD",
        "Bujur", "Lintang", "Alamat", "Uraian", "Jawaban pertanyaan kategori", "Respons pertama (WIB)", "Selesai pada (WIB)",
        "Target selesai (WIB)", "Respons (hari kerja)", "Penyelesaian (hari kerja)", "Lewat tenggat",
    ],
    "en": [
        "Tracking code", "Reported (WIB)", "Status code", "Status", "Colour", "Category code", "Category", "Channel",
        "City code", "City", "Kecamatan code", "Kecamatan", "Kelurahan code", "Kelurahan", "Agency code",
        "Agency (OPD)", "Longitude", "Latitude", "Address", "Description", "Answers to the category's questions",
        "First response (WIB)", "Finished (WIB)",
        "Handling target (WIB)", "Response (working days)", "Completion (working days)", "Overdue",
    ],
}  # fmt: skip
# What GIS tools and scripts read: the same keys and codes whatever the language.
GEOJSON_KEYS = [
    "tracking_code", "created_at", "status", "colour", "category", "channel", "kota_code", "kota",
    "kecamatan_code", "kecamatan", "kelurahan_code", "kelurahan", "opd_code", "opd", "lon", "lat", "address",
    "description", "answers", "first_response_at", "completed_at", "due_at", "response_working_days",
    "completion_working_days", "overdue",
]  # fmt: skip


def test_csv_speaks_the_readers_language(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    leader = _token(client, engine, "export-leader", "leader")
    for lang, yes, no in (("id", "Ya", "Tidak"), ("en", "Yes", "No")):
        body = client.get(f"/api/v1/export.csv?{WEEK}&lang={lang}", headers=leader).get_data(as_text=True)
        assert next(csv.reader(io.StringIO(body))) == HEADERS[lang]
        rows = {r[0]: dict(zip(HEADERS[lang], r, strict=True)) for r in list(csv.reader(io.StringIO(body)))[1:]}
        finished, waiting = rows["EX-A"], rows["EX-E"]
        status, category, channel, overdue = (HEADERS[lang][i] for i in (3, 6, 7, 26))
        # Names beside the codes, and yes or no rather than t/f.
        assert (finished[HEADERS[lang][2]], finished[status]) == ("selesai", {"id": "Selesai", "en": "Finished"}[lang])
        assert (finished[HEADERS[lang][5]], finished[category]) == (
            "jalan_rusak",
            {"id": "Jalan rusak", "en": "Damaged road"}[lang],
        )
        assert waiting[channel] == "SMS" and finished[channel] == "Web"
        assert (finished[overdue], waiting[overdue]) == (no, yes)
        assert finished[HEADERS[lang][1]] == "2025-04-30 10:00:00"
    # Without ?lang=: the visitor's cookie, then PANTAU_LANG (Bahasa Indonesia here).
    plain = client.get(f"/api/v1/export.csv?{WEEK}", headers=leader).get_data(as_text=True)
    assert plain.splitlines()[0] == ",".join(HEADERS["id"])
    client.set_cookie("pantau_lang", "en")
    chosen = client.get(f"/api/v1/export.csv?{WEEK}", headers=leader).get_data(as_text=True)
    client.delete_cookie("pantau_lang")
    assert chosen.splitlines()[0] == ",".join(HEADERS["en"])


def test_xlsx_times_are_date_cells_in_wib(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    leader = _token(client, engine, "export-leader", "leader")
    for lang, no, yes in (("id", "Tidak", "Ya"), ("en", "No", "Yes")):
        data = client.get(f"/api/v1/export.xlsx?{WEEK}&lang={lang}", headers=leader).get_data()
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = list(sheet.iter_rows())
        assert [c.value for c in rows[0]] == HEADERS[lang]
        by_code = {r[0].value: r for r in rows[1:]}
        reported, finished = by_code["EX-A"][1], by_code["EX-A"][22]
        # Real dates a spreadsheet can sort and subtract, in WIB as the header says; not text.
        assert reported.is_date and reported.value == datetime(2025, 4, 30, 10, 0)
        assert finished.is_date and finished.value == datetime(2025, 5, 5, 16, 0)
        assert "yy" in reported.number_format and "hh:mm" in reported.number_format
        assert by_code["EX-E"][21].value is None  # never answered: an empty cell
        assert (by_code["EX-A"][26].value, by_code["EX-E"][26].value) == (no, yes)
        assert by_code["EX-A"][24].value == pytest.approx(1.0)


def test_geojson_keeps_its_codes_in_every_language(client, engine: Engine, week: list[int]) -> None:  # type: ignore[no-untyped-def]
    leader = _token(client, engine, "export-leader", "leader")
    for lang in ("id", "en"):
        collection = json.loads(client.get(f"/api/v1/export.geojson?{WEEK}&lang={lang}", headers=leader).get_data())
        features = {f["id"]: f["properties"] for f in collection["features"]}
        assert all(list(p) == GEOJSON_KEYS for p in features.values())
        waiting = features["EX-E"]
        assert (waiting["status"], waiting["category"], waiting["channel"]) == ("baru", "jalan_rusak", "sms")
        assert waiting["overdue"] is True and features["EX-A"]["overdue"] is False
        assert waiting["created_at"] == "2025-05-06T09:00:00+07:00"
