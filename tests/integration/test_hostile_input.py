"""Hostile text in every field is stored as text or refused with a clear message; tables stay intact.

All SQL is parameterised, so quotes, comment markers, format placeholders and
markup are just characters. NUL cannot be stored in PostgreSQL text at all:
validation refuses it with the field's name instead of letting the database fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from db.boundaries import load_boundaries
from db.complaints import ComplaintError, NewComplaint, create_complaint
from db.imports import import_complaints
from geo.boundaries.reader import BoundaryFileError, read_boundaries
from tests.conftest import flask_cli, purge
from tests.integration.staff import login_callback

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


def inside(conn: Connection) -> tuple[float, float]:
    return conn.execute(
        text("SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area WHERE code = '3671011001') x")
    ).one()


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
