"""The command-line tools, run as a user runs them, against the test database."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from sqlalchemy import Engine, text

from db.accounts import api_key_name, authenticate
from tests.conftest import flask_cli, flask_process, purge


@pytest.fixture
def imported(engine: Engine):  # type: ignore[no-untyped-def]
    yield
    with engine.connect() as c:
        ids = c.execute(text("SELECT id FROM complaint WHERE source IN ('uji-impor', 'demo')")).scalars().all()
    purge(engine, list(ids))


def test_import_complaints_loads_good_rows_and_names_bad_lines(engine: Engine, imported: None, tmp_path: Path) -> None:
    csv = tmp_path / "laporan.csv"
    csv.write_text(
        "category,description,lat,lon,channel,created_at,source\n"
        "jalan_rusak,Jalan berlubang,-6.1785,106.6300,call_centre,2026-11-02T09:15:00,uji-impor\n"  # line 2: good
        "sampah,Sampah menumpuk,-6.3000,106.7000,,,uji-impor\n"  # line 3: good (Tangsel), default channel
        "ufo,Benda aneh,-6.18,106.63,,,uji-impor\n"  # line 4: unknown category
        "banjir_drainase,Banjir,95,106.63,,,uji-impor\n"  # line 5: latitude out of range
        "banjir_drainase,,-6.18,106.63,,,uji-impor\n"  # line 6: no description
        "lainnya,Di Monas,-6.2088,106.8456,,,uji-impor\n"  # line 7: outside both cities
        "jalan_rusak,Jalan berlubang,-6.1785,106.6300,call_centre,2026-11-02T09:15:00,uji-impor\n"  # line 8: repeat of 2
        "sampah,Sampah,lintang,106.63,,,uji-impor\n"  # line 9: not a number
    )
    result = flask_cli("import-complaints", str(csv))
    assert result.returncode == 0, result.stderr
    assert "laporan.csv:4: category: unknown category 'ufo'" in result.stderr
    assert "laporan.csv:5: lat: 95.0 is outside -90..90" in result.stderr
    assert "laporan.csv:6: description" in result.stderr
    assert "laporan.csv:9: lat: not a number" in result.stderr
    assert "stored 3 (1 outside every boundary" in result.stdout
    assert "duplicates skipped 1, bad rows 4" in result.stdout
    with engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT c.status, c.channel, kel.code, c.created_at AT TIME ZONE 'Asia/Jakarta' AS local "
                "FROM complaint c LEFT JOIN area kel ON kel.id = c.kelurahan_id WHERE source = 'uji-impor' ORDER BY c.id"
            )
        ).all()
    assert [(r.status, r.channel) for r in rows] == [
        ("baru", "call_centre"),
        ("baru", "walk_in"),
        ("luar_wilayah", "walk_in"),
    ]
    assert rows[0].code.startswith("3671") and rows[1].code.startswith("3674") and rows[2].code is None
    assert rows[0].local.isoformat() == "2026-11-02T09:15:00"


def test_import_complaints_reads_geojson(engine: Engine, imported: None, tmp_path: Path) -> None:
    path = tmp_path / "laporan.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [106.7, -6.3]},
                        "properties": {
                            "category": "pohon_tumbang",
                            "description": "Pohon tumbang",
                            "source": "uji-impor",
                            "attribute[menutup_jalan]": "ya",  # the category's required question
                        },
                    },
                    {"type": "Feature", "geometry": None, "properties": {"category": "x", "description": "y"}},
                ],
            }
        )
    )
    result = flask_cli("import-complaints", str(path), "--channel", "social")
    assert result.returncode == 0, result.stderr
    assert "laporan.geojson:2: category" in result.stderr and "stored 1" in result.stdout


def test_seed_demo_creates_a_living_city(engine: Engine, imported: None) -> None:
    result = flask_cli("seed-demo", "--count", "300")
    assert result.returncode == 0, result.stderr
    with engine.connect() as c:
        stats = c.execute(
            text(
                "SELECT count(*) n, count(DISTINCT category_id) cats, count(DISTINCT status) statuses, "
                "count(DISTINCT kelurahan_id) kel, min(created_at) > now() - interval '91 days' recent, "
                "count(*) FILTER (WHERE status = 'selesai') finished, "
                "count(*) FILTER (WHERE status = 'selesai' AND NOT EXISTS "
                "  (SELECT 1 FROM photo p WHERE p.complaint_id = complaint.id AND p.kind = 'completion')) finished_without_photo, "
                # stored as they came in, the way a running city numbers its reports
                "array_agg(id ORDER BY created_at, id) = array_agg(id ORDER BY id) AS in_order "
                "FROM complaint WHERE source = 'demo'"
            )
        ).one()
    assert stats.n == 300 and stats.cats >= 8 and stats.statuses >= 5 and stats.kel >= 80 and stats.recent
    assert 0.5 < stats.finished / stats.n < 0.95
    assert stats.finished_without_photo == 0
    assert stats.in_order


def test_users_create_reads_the_password_from_stdin(engine: Engine) -> None:
    result = flask_process(  # the real executable: the password comes through a pipe, never the command line
        "users",
        "create",
        "--username",
        "op_cli",
        "--role",
        "leader",
        "--kecamatan",
        "367101",
        stdin="kata-sandi-panjang\n",
    )
    try:
        assert result.returncode == 0, result.stderr
        with engine.begin() as c:
            user = authenticate(c, "op_cli", "kata-sandi-panjang")
            assert user["role"] == "leader" and len(user["kecamatan_ids"]) == 1
        bad = flask_cli(
            "users", "create", "--username", "op_cli2", "--role", "opd", "--opd", "NOPE", stdin="kata-sandi-panjang\n"
        )
        assert bad.returncode != 0 and "unknown OPD code 'NOPE'" in bad.stderr
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM app_user WHERE username LIKE 'op_cli%'"))


def test_users_create_limits_an_account_to_cities_or_a_province(engine: Engine) -> None:
    def create(name: str, role: str, *limits: str) -> subprocess.CompletedProcess[str]:
        return flask_cli("users", "create", "--username", name, "--role", role, *limits, stdin="kata-sandi-panjang\n")

    try:
        city = create("kota_cli1", "operator", "--kota", "3671")
        province = create("kota_cli2", "leader", "--provinsi", "36")
        assert city.returncode == 0 and province.returncode == 0, (city.stderr, province.stderr)
        with engine.begin() as c:
            served = dict(c.execute(text("SELECT code, id FROM area WHERE level = 'kota'")).all())
            assert authenticate(c, "kota_cli1", "kata-sandi-panjang")["kota_ids"] == [served["3671"]]
            assert sorted(authenticate(c, "kota_cli2", "kata-sandi-panjang")["kota_ids"]) == sorted(
                [served["3671"], served["3674"]]
            )
        for limits, said in (
            (("admin", "--kota", "3671"), "--kota is not accepted for role 'admin'"),
            (("operator", "--kota", "367"), "--kota takes a 4-digit code"),
            (("operator", "--kota", "9999"), "kota: unknown code '9999'"),
        ):
            refused = create("kota_cli3", *limits)
            assert refused.returncode != 0 and said in refused.stderr, refused.stderr
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM app_user WHERE username LIKE 'kota_cli%'"))


def test_api_key_create_prints_the_key_last(engine: Engine) -> None:
    result = flask_cli("api-key", "create", "lapor-nasional-uji")
    try:
        assert result.returncode == 0, result.stderr
        key = result.stdout.strip().splitlines()[-1]
        with engine.connect() as c:
            assert api_key_name(c, key) == "lapor-nasional-uji"
            assert api_key_name(c, key + "x") is None
            stored = c.execute(text("SELECT key_hash FROM api_key WHERE name = 'lapor-nasional-uji'")).scalar()
        assert key not in stored
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM api_key WHERE name = 'lapor-nasional-uji'"))


def test_api_key_create_stores_the_clients_own_rate_and_refuses_a_bad_one(engine: Engine) -> None:
    try:
        assert flask_cli("api-key", "create", "mitra-uji", "--rate", "1200/minute").returncode == 0
        refused = flask_cli("api-key", "create", "mitra-uji-salah", "--rate", "banyak")
        assert refused.returncode != 0 and "rate: not a rate such as 600/minute: 'banyak'" in refused.stderr
        assert "Traceback" not in refused.stderr
        with engine.connect() as c:
            rates = dict(c.execute(text("SELECT name, rate FROM api_key WHERE name LIKE 'mitra-uji%'")).all())
        assert rates == {"mitra-uji": "1200/minute"}
    finally:
        with engine.begin() as c:
            c.execute(text("DELETE FROM api_key WHERE name LIKE 'mitra-uji%'"))


def _commands(command: click.Command, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


def test_every_command_has_help(client) -> None:  # type: ignore[no-untyped-def]
    """Every command the app registers, sub-commands included: walked, not listed by hand."""
    from cli import COMMANDS

    paths = [p for c in COMMANDS for p in _commands(c, (str(c.name),))]
    assert ("users", "create") in paths and ("seed-demo",) in paths and len(paths) >= 12, paths
    runner = client.application.test_cli_runner()
    for path in paths:
        result = runner.invoke(args=[*path, "--help"])
        assert result.exit_code == 0 and result.output.startswith("Usage:"), (path, result.output)
        # The line(s) between "Usage:" and "Options:" tell an operator what the command does.
        said = result.output.split("Options:")[0].split("\n", 1)[1].strip()
        assert said, f"flask --app app {' '.join(path)} --help says nothing about what it does"


def test_import_boundaries_reports_what_it_found() -> None:
    result = flask_cli("import-boundaries")
    assert result.returncode == 0, result.stderr
    assert "kota_tangerang_kelurahan.geojson: 104 kelurahan areas" in result.stdout
    assert "gaps in 3671: 305 slivers" in result.stdout
    assert "repaired 0 geometries" in result.stdout


def test_healthz_reports_the_database_and_boundaries(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["postgis"].startswith("3.")
    assert body["boundaries"] == {"kota": 2, "kecamatan": 20, "kelurahan": 158}
