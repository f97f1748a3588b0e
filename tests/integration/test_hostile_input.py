"""Hostile text in every field is stored as text or refused with a clear message; tables stay intact.

All SQL is parameterised, so quotes, comment markers, format placeholders and
markup are just characters. NUL cannot be stored in PostgreSQL text at all:
validation refuses it with the field's name instead of letting the database fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import Connection, Engine, text

from db.boundaries import load_boundaries
from db.complaints import ComplaintError, NewComplaint, create_complaint
from geo.boundaries.reader import BoundaryFileError, read_boundaries
from services.intake import import_complaints
from tests.conftest import flask_cli, inside, purge
from tests.integration.staff import (
    PASSWORD,
    Accounts,
    act,
    bearer,
    dash_call,
    login_callback,
    new_complaint,
    render_page,
    status_of,
)

pytestmark = pytest.mark.usefixtures("fresh_limits")


HOSTILE = [
    "'; DROP TABLE complaint; --",
    "Robert'); DELETE FROM complaint_event; --",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(document.cookie)">',
    "%s %d %(description)s",
    "{} {0} {description}",
    "\\'; \\\\ \\x00 (escaped, not a NUL)",
    "$1 $$; SELECT pg_sleep(10); $$",
    "Jl. Mawar № 5 — RT 03/RW 07 🙂 ٣",
]
TEXT_FIELDS = ("description", "address", "reporter_name", "reporter_contact", "source")


def table_counts(conn: Connection) -> dict[str, int]:
    return {
        table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for table in ("area", "category", "opd", "app_user", "complaint", "complaint_event")
    }


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_in_every_field_of_a_report_is_stored_exactly_as_typed(conn: Connection, hostile: str) -> None:
    lat, lon = inside(conn)
    before = table_counts(conn)
    created = create_complaint(
        conn,
        NewComplaint(
            category="jalan_rusak",
            lat=lat,
            lon=lon,
            attributes={"note": hostile},
            **{name: f"{name}: {hostile}" for name in TEXT_FIELDS},  # type: ignore[arg-type]
        ),
    )
    row = conn.execute(
        text(f"SELECT {', '.join(TEXT_FIELDS)}, attributes FROM complaint WHERE id = :id"), {"id": created.id}
    ).one()
    assert [getattr(row, name) for name in TEXT_FIELDS] == [f"{name}: {hostile}" for name in TEXT_FIELDS]
    assert row.attributes == {"note": hostile}
    after = table_counts(conn)
    assert after["complaint"] == before["complaint"] + 1
    assert {k: v for k, v in after.items() if k not in ("complaint", "complaint_event")} == {
        k: v for k, v in before.items() if k not in ("complaint", "complaint_event")
    }


@pytest.mark.parametrize("field", ["category", "channel"])
def test_hostile_text_where_a_code_is_expected_is_refused_by_name(conn: Connection, field: str) -> None:
    values = {"category": "jalan_rusak", "description": "Jalan rusak", field: "jalan_rusak'; DROP TABLE complaint; --"}
    with pytest.raises(ComplaintError) as refused:
        create_complaint(conn, NewComplaint(**values))  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize("field", [*TEXT_FIELDS, "idempotency_key", "attributes"])
def test_a_nul_character_is_refused_cleanly_with_the_fields_name(conn: Connection, field: str) -> None:
    values: dict[str, object] = {"category": "jalan_rusak", "description": "Jalan rusak"}
    values[field] = {"note": "a\x00b"} if field == "attributes" else "before\x00after"
    with pytest.raises(ComplaintError) as refused:
        create_complaint(conn, NewComplaint(**values))  # type: ignore[arg-type]
    assert refused.value.field == field and "NUL" in refused.value.message
    # Nothing reached the database: the same transaction carries on.
    assert conn.execute(text("SELECT count(*) FROM complaint WHERE description = 'Jalan rusak'")).scalar() == 0


def test_very_long_text_is_refused_or_stored_whole(conn: Connection) -> None:
    with pytest.raises(ComplaintError) as refused:
        create_complaint(conn, NewComplaint(category="jalan_rusak", description="x" * 4001))
    assert refused.value.field == "description"
    long_name = "Nama " * 20_000
    created = create_complaint(
        conn, NewComplaint(category="jalan_rusak", description="y" * 4000, reporter_name=long_name)
    )
    stored = conn.execute(text("SELECT reporter_name FROM complaint WHERE id = :id"), {"id": created.id}).scalar()
    assert stored == long_name


def test_import_complaints_stores_hostile_rows_verbatim_and_names_the_nul_row(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    rows = ["category,description,lat,lon,address,reporter_name,reporter_contact,source"]
    for i, hostile in enumerate(HOSTILE):
        quoted = '"' + hostile.replace('"', '""') + '"'
        rows.append(f"jalan_rusak,{quoted} #{i},-6.1785,106.63,{quoted},{quoted},{quoted},uji-hostile")
    rows.append("jalan_rusak,ada\x00nul,-6.1785,106.63,,,,uji-hostile")
    rows.append('"jalan_rusak\'; DROP TABLE complaint; --",Kategori aneh,-6.1785,106.63,,,,uji-hostile')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    try:
        result = flask_cli("import-complaints", str(path))
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert f"hostile.csv:{len(HOSTILE) + 2}: description: contains a NUL character" in result.stderr
        assert f"hostile.csv:{len(HOSTILE) + 3}: category: unknown category" in result.stderr
        assert f"read {len(HOSTILE) + 2}, stored {len(HOSTILE)} " in result.stdout
        with engine.connect() as c:
            stored = c.execute(
                text(
                    "SELECT description, address, reporter_name FROM complaint WHERE source = 'uji-hostile' ORDER BY id"
                )
            ).all()
            assert c.execute(text("SELECT count(*) FROM complaint_event")).scalar_one() > 0
        assert [tuple(r) for r in stored] == [(f"{h} #{i}", h, h) for i, h in enumerate(HOSTILE)]
    finally:
        with engine.connect() as c:
            ids = c.execute(text("SELECT id FROM complaint WHERE source = 'uji-hostile'")).scalars().all()
        purge(engine, list(ids))


def test_import_complaints_in_one_transaction_keeps_hostile_text_as_text(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "hostile.geojson"
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [106.63, -6.1785]},
            "properties": {"category": "sampah", "description": h, "address": h, "source": "uji-geojson"},
        }
        for h in HOSTILE
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    result = import_complaints(conn, path)
    assert (result.stored, result.errors) == (len(HOSTILE), [])
    stored = conn.execute(text("SELECT description FROM complaint WHERE source = 'uji-geojson' ORDER BY id"))
    assert stored.scalars().all() == HOSTILE


def _boundary_file(path: Path, columns: dict[str, str]) -> Path:
    square = [[[120.0, -1.0], [120.01, -1.0], [120.01, -0.99], [120.0, -0.99], [120.0, -1.0]]]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                "features": [
                    {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square}, "properties": columns}
                ],
            }
        )
    )
    return path


def test_boundary_names_and_column_mappings_with_hostile_text(conn: Connection, tmp_path: Path) -> None:
    hostile_column = "kode'; DROP TABLE area; --"
    name = "<script>alert(1)</script>'; DROP TABLE area; --"
    path = _boundary_file(
        tmp_path / "hostile.geojson",
        {hostile_column: "9999011001", "kelurahan": name, "kecamatan": "%s {} $1", "kota": "Kota {0}"},
    )
    areas = conn.execute(text("SELECT count(*) FROM area")).scalar_one()
    rows = read_boundaries(path, "kelurahan", {"kode_kelurahan": hostile_column})
    load_boundaries(conn, rows, str(path), reroute=False)
    assert conn.execute(text("SELECT name FROM area WHERE code = '9999011001'")).scalar_one() == name
    assert conn.execute(text("SELECT count(*) FROM area")).scalar_one() > areas

    with pytest.raises(BoundaryFileError, match="no column"):
        read_boundaries(path, "kelurahan", {"kode_kelurahan": "x'); DROP TABLE area; --"})


def test_the_login_refuses_hostile_names_and_passwords_as_plain_wrong_credentials(client, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as c:
        users = c.execute(text("SELECT count(*) FROM app_user")).scalar_one()
    for hostile in [*HOSTILE[:4], "%s {}", "admin\x00", "x" * 100_000]:
        response = client.post("/api/v1/auth/token", json={"username": hostile, "password": hostile})
        assert response.status_code == 401, hostile
        assert response.get_json()["error"] == "wrong username or password"
    # The log-in page's own callback, as the browser sends it (with the CSRF token it was given).
    client.get("/login?lang=en")
    token = client.get_cookie("_csrf_token").value
    callback = login_callback("admin'--\x00<script>", "' OR '1'='1")
    answer = client.post("/_dash-update-component", json=callback, headers={"X-CSRFToken": token})
    assert answer.status_code == 200
    assert answer.get_json()["response"]["login-message"]["children"] == "Wrong username or password."
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM app_user")).scalar_one() == users


# --- Hostile input at the web doors: a 400 in the door's own format, never a 500 or a traceback -------------


def _error_of(response: Any, status: int) -> str:
    """The error message of a refusal in its door's format: Open311's error list (XML or JSON) or staff JSON."""
    assert response.status_code == status, response.data[:300]
    if response.content_type.startswith("text/xml"):
        (error,) = ET.fromstring(response.data).findall("error")
        assert error.findtext("code") == str(status)
        return error.findtext("description") or ""
    body = response.get_json()
    if isinstance(body, list):  # Open311 JSON
        assert body[0]["code"] == status
        return str(body[0]["description"])
    assert body["code"] == status
    return str(body["error"])


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err
    assert not [line for line in err.splitlines() if line.startswith("{") and "traceback" in json.loads(line)]


@pytest.fixture
def operator_headers(client: Any, accounts: Accounts) -> dict[str, str]:
    return bearer(client, accounts("operator"))


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/complaints/ABCD%00EFGH", "path"),
        ("/api/v1/export.csv?kecamatan=3671%0001", "kecamatan"),
        ("/api/v1/export/progress/abcdefgh%00", "path"),
        ("/open311/v2/requests/ABCD%00EFGH.json", "path"),
        ("/open311/v2/requests/ABCD%00EFGH.xml", "path"),
        ("/open311/v2/requests.xml?service_request_id=ABCD%00EFGH", "service_request_id"),
        ("/open311/v2/requests.json?service_code=sam%00pah", "service_code"),
        ("/open311/v2/services.json?jurisdiction_id=36%0071", "jurisdiction_id"),
        ("/open311/v2/services/sam%00pah.xml", "path"),
        ("/lacak/ABCD%00", "path"),
    ],
)
def test_a_nul_in_a_code_or_text_of_a_get_path_is_a_400_in_its_doors_format(
    client: Any, operator_headers: dict[str, str], capsys: pytest.CaptureFixture[str], path: str, named: str
) -> None:
    capsys.readouterr()
    response = client.get(path, headers=operator_headers)
    message = _error_of(response, 400) if path.startswith(("/api/", "/open311/")) else response.get_data(as_text=True)
    assert response.status_code == 400 and "NUL" in message and named in message
    if path.endswith(".xml") or ".xml?" in path:
        assert response.content_type.startswith("text/xml")
    _no_traceback(capsys.readouterr().err)


def test_a_nul_in_a_staff_action_or_an_open311_report_is_refused_by_name(
    client: Any,
    engine: Engine,
    committed: list[int],
    operator_headers: dict[str, str],
    api_key: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = new_complaint(engine, committed)
    before = status_of(engine, code)
    capsys.readouterr()
    for body, field in (
        ({"action": "forward", "opd": "3671.DBMSDA", "reason": "ke dinas\x00"}, "reason"),
        ({"action": "forward", "opd": "3671.DBMSDA\x00", "reason": "ke dinas"}, "opd"),
        ({"action": "verify", "note": "a\x00b"}, "note"),
    ):
        response = act(client, operator_headers, code, **body)
        assert "NUL" in _error_of(response, 400) and response.get_json()["field"] == field
    bulk = client.post(
        "/api/v1/complaints/bulk", json={"action": "verify", "ids": [code + "\x00"]}, headers=operator_headers
    )
    assert "NUL" in _error_of(bulk, 400) and bulk.get_json()["field"] == "ids"
    assert status_of(engine, code) == before
    for fmt in ("json", "xml"):
        filed = client.post(
            f"/open311/v2/requests.{fmt}",
            data={"api_key": api_key[1], "service_code": "sampah", "address_string": "Jl. Mawar\x00 5"},
        )
        assert "address_string: contains a NUL" in _error_of(filed, 400)
    _no_traceback(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/export.csv?to=9999-12-31", "to"),
        ("/api/v1/export.geojson?from=0001-01-01", "from"),
        ("/open311/v2/requests.json?start_date=9999-12-31", "start_date"),
        ("/open311/v2/requests.xml?end_date=0001-01-01T00:00:00Z", "end_date"),
        ("/open311/v2/requests.json?start_date=0001-01-01&end_date=9999-12-31T23:59:59%2B07:00", "start_date"),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_a_400_naming_the_parameter(
    client: Any, operator_headers: dict[str, str], capsys: pytest.CaptureFixture[str], path: str, named: str
) -> None:
    capsys.readouterr()
    message = _error_of(client.get(path, headers=operator_headers), 400)
    assert message.startswith(named) and "outside 1900-01-01..2999-12-31" in message
    _no_traceback(capsys.readouterr().err)


def test_json_nested_too_deeply_is_a_400_not_a_crash(
    client: Any, engine: Engine, committed: list[int], operator_headers: dict[str, str]
) -> None:
    code = new_complaint(engine, committed)
    deep = "[" * 100_000 + "]" * 100_000
    token = client.post("/api/v1/auth/token", data=deep, content_type="application/json")
    assert _error_of(token, 400) == "send JSON or a form with username and password"
    moved = client.post(
        f"/api/v1/complaints/{code}/transition", data=deep, content_type="application/json", headers=operator_headers
    )
    assert _error_of(moved, 400) == "send a JSON object with at least 'action'"
    nested = {"action": "verify", "note": json.loads("[" * 500 + "]" * 500)}
    assert act(client, operator_headers, code, **nested).get_json()["field"] == "note"
    assert status_of(engine, code)["status"] == "baru"


def test_malformed_dash_callback_requests_are_a_400(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    not_a_list = {**login_callback("nobody", "wrong"), "inputs": "login-submit.n_clicks"}
    no_values = {**login_callback("nobody", "wrong"), "state": [{"id": "login-next"}]}
    capsys.readouterr()
    for body in ({}, [1, 2], {"output": "no-such-component.children"}, not_a_list, no_values):
        response = dash_call(client, body)  # type: ignore[arg-type]
        assert response.status_code == 400, (body, response.data[:200])
        assert response.get_json() == {"error": "malformed callback request", "code": 400}
    deep = client.post(
        "/_dash-update-component",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )
    assert deep.status_code == 400
    err = capsys.readouterr().err
    _no_traceback(err)
    assert err.count('"event": "bad_callback"') == 5
    # A log-in store that is not the page's own object is read as no store at all.
    wrong_state = login_callback("nobody", "wrong")
    wrong_state["state"][2]["value"] = "not the store's object"
    answer = dash_call(client, wrong_state).get_json()["response"]
    assert answer["login-message"]["children"] == "Nama pengguna atau kata sandi salah."


def test_a_huge_note_is_refused_and_the_version_must_be_a_whole_number(
    client: Any, engine: Engine, committed: list[int], operator_headers: dict[str, str]
) -> None:
    code = new_complaint(engine, committed)
    before = status_of(engine, code)
    huge = act(client, operator_headers, code, action="verify", note="catatan " * 250_000)
    assert _error_of(huge, 400) == "'note' is longer than 2000 characters" and huge.get_json()["field"] == "note"
    reason = act(client, operator_headers, code, action="reject", reason="x" * 2001)
    assert reason.get_json()["field"] == "reason"
    for version in ("1", 1.0, True, -1, [1]):
        stale = act(client, operator_headers, code, action="verify", version=version)
        assert stale.get_json() == {
            "error": "'version' must be a whole number: the complaint's version as you last read it",
            "code": 400,
            "field": "version",
        }, version
    assert status_of(engine, code) == before
    with engine.connect() as c:
        assert c.execute(
            text("SELECT count(*) FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                 "WHERE c.tracking_code = :c AND length(e.note) > 2000"),
            {"c": code},
        ).scalar_one() == 0  # fmt: skip
    # A stale version is refused; the current one and a note of 2,000 characters go through.
    assert act(client, operator_headers, code, action="verify", version=before["version"] + 5).status_code == 409
    done = act(client, operator_headers, code, action="verify", version=before["version"], note="n" * 2000)
    assert done.status_code == 200 and done.get_json()["status"] == "terverifikasi"


def test_unknown_api_paths_and_file_names_are_a_404_in_the_apis_format_not_the_app(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    # A script Dash does not serve (a guessed or stale bundle name) is not found, not a server error.
    for path in ("/_dash-component-suites/dash/dcc/async-plotlyjs.js", "/_dash-component-suites/nopackage/x.js"):
        missing = client.get(path)
        assert missing.status_code == 404, (path, missing.status_code)
    _no_traceback(capsys.readouterr().err)
    assert "no such API path" in _error_of(client.get("/api/v1/nonexistent"), 404)
    assert "no such API path" in _error_of(client.post("/api/v1/nonexistent", json={}), 404)
    for fmt in ("json", "xml"):
        tokens = client.get(f"/open311/v2/tokens/abc.{fmt}")
        assert "no such API path" in _error_of(tokens, 404)
        assert tokens.content_type.startswith("application/json" if fmt == "json" else "text/xml")
    wrong_method = client.get("/api/v1/complaints/ABCD-EFGH-JKMN/transition")
    assert "use POST" in _error_of(wrong_method, 405) and wrong_method.headers["Allow"] == "POST"
    manifest = client.get("/manifest.json")
    assert manifest.status_code == 404 and b"<html" not in manifest.data.lower()
    # The app's pages are still the app.
    page = client.get("/lacak/ABCD-EFGH-JKMN")
    assert page.status_code == 200 and page.mimetype == "text/html"


HOSTILE_NEXT = [
    "/\\evil.example",
    "//evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "\\\\evil.example",
    "evil.example",
    "/login",
]


def _store_data(layout: Any, component_id: str) -> Any:
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and props.get("id") == component_id:
                found.append(props.get("data"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    (data,) = found
    return data


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_the_login_page_goes_only_to_paths_of_this_site(client: Any, accounts: Accounts, hostile: str) -> None:
    layout = render_page(client, "/login", "?" + urlencode({"next": hostile, "lang": "en"}))
    assert _store_data(layout, "login-next") == {"next": None, "lang": "en"}
    # The store comes back from the browser, so a hand-made one is checked again.
    operator = accounts("operator")
    pressed = login_callback(operator.username, PASSWORD)
    pressed["state"][2]["value"] = {"next": hostile, "lang": "en"}
    answer = dash_call(client, pressed)
    assert answer.get_json()["response"]["login-redirect"]["href"] == "/operator?lang=en"
