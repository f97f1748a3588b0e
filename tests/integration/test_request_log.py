"""Request logs: one JSON object per line, with who and how long, and nothing a reporter typed."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from api.request_log import init_request_log


def request_lines(err: str) -> list[dict[str, object]]:
    entries = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    return [entry for entry in entries if entry.get("event") == "request"]


def test_each_request_writes_one_json_line_with_its_id_role_and_timing(
    client, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert response.headers["X-Request-ID"] == "trace-42"
    err = capsys.readouterr().err
    assert all(json.loads(line) for line in err.splitlines() if line.strip()), err  # every line is JSON
    (entry,) = request_lines(err)
    assert entry["request_id"] == "trace-42"
    assert (entry["method"], entry["path"], entry["status"], entry["role"]) == ("GET", "/healthz", 200, "public")
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    # The app's own CPU for the request: spent within it (a thread cannot use more CPU than time passed).
    assert isinstance(entry["cpu_ms"], float) and 0 < entry["cpu_ms"] <= entry["duration_ms"] + 0.1
    assert isinstance(entry["bytes"], int) and entry["bytes"] > 0
    assert entry["time"] and entry["pid"]


def test_a_request_without_a_usable_id_gets_a_fresh_one(client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    second = client.get("/healthz")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert len(set(ids)) == 2 and all(len(i) == 32 and i.isalnum() for i in ids)
    assert "<script>" not in capsys.readouterr().err


def test_reporter_details_in_bodies_query_strings_and_tracking_codes_never_reach_the_log(
    client,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    client.post("/api/v1/auth/token", json={"username": "Siti Rahmawati", "password": "0812-3456-7890"})
    client.post("/api/v1/auth/token", data={"username": "siti@example.id", "password": "Jl. Melati 12"})
    client.get("/lacak/ABCD-EFGH-JKMN?name=Siti+Rahmawati&phone=081234567890")
    err = capsys.readouterr().err
    for secret in ("Siti", "Rahmawati", "0812", "siti@example.id", "Melati", "ABCD-EFGH-JKMN", "phone="):
        assert secret not in err, secret
    paths = [entry["path"] for entry in request_lines(err)]
    assert paths == ["/api/v1/auth/token", "/api/v1/auth/token", "/lacak/XXXX-XXXX-XXXX"]


def test_a_staff_request_is_logged_with_the_staff_role(client, engine, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from db.accounts import create_user

    with engine.begin() as conn:
        user_id = create_user(conn, "log-operator", "correct horse battery", "operator")
    try:
        token = client.post(
            "/api/v1/auth/token", json={"username": "log-operator", "password": "correct horse battery"}
        ).get_json()["access_token"]
        capsys.readouterr()
        client.get("/healthz", headers={"Authorization": f"Bearer {token}"})
        (entry,) = request_lines(capsys.readouterr().err)
        assert (entry["role"], entry["user_id"]) == ("operator", user_id)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM user_kecamatan WHERE user_id = :id"), {"id": user_id})
            conn.execute(text("DELETE FROM app_user WHERE id = :id"), {"id": user_id})


def test_the_error_log_masks_tracking_codes_as_the_request_log_does(capsys: pytest.CaptureFixture[str]) -> None:
    app = Flask(__name__)
    init_request_log(app)

    @app.get("/lacak/<code>/fails")
    def fails(code: str) -> str:
        raise RuntimeError(f"could not show {code}")

    capsys.readouterr()
    assert app.test_client().get("/lacak/ABCD-EFGH-JKMN/fails").status_code == 500
    err = capsys.readouterr().err
    assert "ABCD-EFGH-JKMN" not in err
    (error,) = [json.loads(line) for line in err.splitlines() if line.startswith("{") and '"level": "error"' in line]
    assert error["message"] == "Exception on /lacak/XXXX-XXXX-XXXX/fails [GET]"
    assert "could not show XXXX-XXXX-XXXX" in error["traceback"]
    assert request_lines(err)[0]["path"] == "/lacak/XXXX-XXXX-XXXX/fails"
