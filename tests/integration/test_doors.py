"""Doors to other jurisdictions' systems: the CLI, the key kept encrypted, bad input, and Pantau's own Open311
POST made idempotent on the sender's id (``attribute[external_id]``). The two-instance forwarding itself is
tests/integration/test_federation.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.conftest import flask_cli, inside
from tests.integration.intake import TANGERANG_BABAKAN, track_ids
from tests.integration.staff import (
    dash_call,
    ids_in,
    render_page,
    session_login,
    text_of,
)

pytestmark = pytest.mark.usefixtures("fresh_limits")

KEY = "kunci-rahasia-dari-jakarta-0123456789"


@pytest.fixture
def no_doors(engine: Engine) -> Iterator[None]:
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM door"))


@pytest.mark.usefixtures("no_doors")
def test_an_admin_sets_lists_and_removes_a_door_and_its_key_is_never_stored_in_plain_text(engine: Engine) -> None:
    made = flask_cli(
        "door", "set", "3171", "--open311", "https://lapor.jakarta.go.id/open311/v2", "--api-key", KEY,
        "--jurisdiction-id", "jakarta.go.id", "--map", "jalan_rusak=pothole", "--map", "sampah=rubbish",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "Jakarta Pusat" in made.stdout and "jalan_rusak=pothole" in made.stdout
    listed = flask_cli("door", "list")
    assert "3171" in listed.stdout and "sampah=rubbish" in listed.stdout
    assert KEY not in listed.stdout + made.stdout
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM door WHERE jurisdiction_code = '3171'")).mappings().one()
        dump = conn.execute(text("SELECT d::text FROM door d")).scalar_one()
    assert KEY not in dump and "kunci" not in dump
    assert stored["remote_jurisdiction"] == "jakarta.go.id"
    assert stored["service_map"] == {"jalan_rusak": "pothole", "sampah": "rubbish"}
    # The app's secret reads it back; another secret cannot.
    from app import server
    from db.doors import DoorKeyError, decrypt_key

    assert decrypt_key(server.config["SECRET_KEY"], stored["api_key_encrypted"]) == KEY
    with pytest.raises(DoorKeyError, match="door set"):
        decrypt_key("another secret", stored["api_key_encrypted"])
    # The operators' list of destinations says it is reached through its door, no longer by hand.
    from db.jurisdictions import destinations
    from layouts._actions import destination_label

    def listed_as() -> str:
        with engine.connect() as conn:
            (place,) = [p for p in destinations(conn) if p["code"] == "3171"]
        return destination_label(place, "id")

    assert (
        listed_as() == "Kota Administrasi Jakarta Pusat (3171, Daerah Khusus Ibukota Jakarta) · lewat pintu sistemnya"
    )
    # Setting it again replaces it; removing it leaves forwards there to a manual handover.
    again = flask_cli("door", "set", "3171", "--open311", "http://10.0.0.5/georeport/v2", "--api-key", "k2")
    assert again.returncode == 0, again.stderr
    assert "no categories mapped" in again.stdout
    removed = flask_cli("door", "remove", "3171")
    assert removed.returncode == 0, removed.stderr
    assert "3171" not in flask_cli("door", "list").stdout
    assert listed_as().endswith("· serah terima manual")
    gone = flask_cli("door", "remove", "3171")
    assert gone.returncode != 0 and "no door for '3171'" in gone.stderr
    audit = flask_cli("audit", "--limit", "3")
    assert "door_removed" in audit.stdout and "door_set" in audit.stdout and KEY not in audit.stdout


@pytest.mark.usefixtures("no_doors")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("9999", "--open311", "https://x.go.id/open311", "--api-key", "k"), "code: unknown jurisdiction '9999'"),
        (("3671", "--open311", "https://x.go.id/open311", "--api-key", "k"), "is served by this Pantau"),
        (("3171", "--open311", "ftp://x.go.id/open311", "--api-key", "k"), "url: 'ftp://x.go.id/open311' is not"),
        (("3171", "--open311", "lapor.jakarta.go.id", "--api-key", "k"), "url:"),
        (("3171", "--open311", "https://x.go.id/open311", "--api-key", " "), "api_key: the key"),
        (("3171", "--open311", "https://x.go.id/o", "--api-key", "k", "--map", "jalan_rusak"), "map: 'jalan_rusak'"),
        (("3171", "--open311", "https://x.go.id/o", "--api-key", "k", "--map", "jalan=1"), "unknown category jalan"),
        (("3171", "--open311", "https://x.go.id/o", "--api-key", "k", "--map", "sampah=a b"), "without spaces"),
        (("3171", "--api-key", "k"), "Missing option '--open311'"),
    ],
)
def test_bad_door_input_is_refused_with_the_field_named(engine: Engine, args: tuple[str, ...], message: str) -> None:
    refused = flask_cli("door", "set", *args)
    assert refused.returncode != 0
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM door")).scalar_one() == 0


def _post(client: Any, key: str, lat: float, lon: float, external: str | None, text_: str) -> Any:
    data = {"api_key": key, "service_code": "sampah", "lat": lat, "long": lon, "description": text_}
    if external is not None:
        data["attribute[external_id]"] = external
    return client.post("/open311/v2/requests.json", data=data)


def test_the_same_external_id_from_the_same_key_is_one_report(
    client: Any, engine: Engine, committed: list[int], api_key: tuple[str, str]
) -> None:
    from db.accounts import create_api_key

    _, key = api_key
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    first = _post(client, key, lat, lon, "AAAA-BBBB-CCCC", "Sampah menumpuk")
    assert first.status_code == 200, first.get_json()
    code = first.get_json()[0]["service_request_id"]
    track_ids(engine, committed, code)
    # A retry with other words (or another day) is still the same report: the sender's id decides.
    again = _post(client, key, lat, lon, "AAAA-BBBB-CCCC", "Sampah menumpuk di pinggir jalan")
    assert again.get_json()[0]["service_request_id"] == code
    other = _post(client, key, lat, lon, "DDDD-EEEE-FFFF", "Sampah menumpuk")
    track_ids(engine, committed, other.get_json()[0]["service_request_id"])
    assert other.get_json()[0]["service_request_id"] != code
    with engine.begin() as conn:
        second_key = create_api_key(conn, f"second-{code}")
    theirs = _post(client, second_key, lat, lon, "AAAA-BBBB-CCCC", "Sampah menumpuk")
    track_ids(engine, committed, theirs.get_json()[0]["service_request_id"])
    assert theirs.get_json()[0]["service_request_id"] != code
    # The sender finds it by its own id, with its own key only.
    found = client.get(f"/open311/v2/requests.json?external_id=AAAA-BBBB-CCCC&api_key={key}&extensions=true")
    assert [r["service_request_id"] for r in found.get_json()] == [code]
    assert found.get_json()[0]["extended_attributes"]["external_id"] == "AAAA-BBBB-CCCC"
    anonymous = client.get("/open311/v2/requests.json?external_id=AAAA-BBBB-CCCC")
    assert anonymous.status_code == 400
    assert "api_key" in anonymous.get_json()[0]["description"]
    bad = client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "sampah", "lat": lat, "long": lon, "attribute[external_id]": "x" * 300},
    )
    assert bad.status_code == 400 and "external_id" in bad.get_json()[0]["description"]


def _save(client: Any, code: str, url: str, key: str, mapping: str = "") -> Any:
    return dash_call(
        client,
        {
            "output": "..door-result.children...door-list.children..",
            "outputs": [{"id": "door-result", "property": "children"}, {"id": "door-list", "property": "children"}],
            "inputs": [{"id": "door-save", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["door-save.n_clicks"],
            "state": [
                {"id": "door-code", "property": "value", "value": code},
                {"id": "door-url", "property": "value", "value": url},
                {"id": "door-key", "property": "value", "value": key},
                {"id": "door-jurisdiction", "property": "value", "value": None},
                {"id": "door-map", "property": "value", "value": mapping},
            ],
        },
    )


@pytest.mark.usefixtures("no_doors")
def test_the_admin_page_sets_a_door_and_refuses_bad_input_and_other_roles(
    client: Any, engine: Engine, accounts: Any
) -> None:
    admin, operator = accounts("admin"), accounts("operator")
    session_login(client, operator)
    assert "guard-forbidden" in ids_in(render_page(client, "/pintu"))
    refused = _save(client, "3171", "https://lapor.jakarta.go.id/open311/v2", KEY)
    assert "door-saved" not in text_of(refused.get_json())
    session_login(client, admin)
    assert {"door-none", "door-save", "door-key"} <= ids_in(render_page(client, "/pintu"))
    bad = _save(client, "3171", "lapor.jakarta.go.id", KEY)
    assert bad.status_code == 200 and "url:" in text_of(bad.get_json())
    saved = _save(client, "3171", "https://lapor.jakarta.go.id/open311/v2", KEY, "jalan_rusak=pothole\n\n")
    shown = text_of(saved.get_json())
    assert "door-saved" in shown and "Jakarta Pusat" in shown and "jalan_rusak=pothole" in shown
    assert KEY not in shown and KEY not in text_of(render_page(client, "/pintu"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM door")).scalar_one() == 1
