"""Reads on a real streaming replica (PANTAU_READ_DATABASE_URL), and back to the primary when it lags or is away.

The replica is the project-local cluster copied by ``scripts/pg.sh replica start`` (pg_basebackup -R) into a
second data folder with its own socket. Pausing its replay (``pg_wal_replay_pause()``) holds it at a known
version, so what each page reads from is visible in what it shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from layouts._pimpinan_wiring import request_body
from settings import LOCAL_PG_PORT, get_settings, local_pg_dir
from tests.conftest import CLUSTER_DATA_DIR, ROOT, TEST_URL
from tests.integration.staff import Accounts, bearer, dash_call, new_complaint

NAME = "test"


def _pg_sh(*args: str) -> None:
    env = {**os.environ, "PANTAU_DATA_DIR": str(CLUSTER_DATA_DIR)}
    result = subprocess.run(
        [str(ROOT / "scripts" / "pg.sh"), *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def replica_url(engine: Engine) -> Iterator[str]:
    """A streaming replica of the test cluster, started for this module and removed after it."""
    socket = local_pg_dir(CLUSTER_DATA_DIR) / "run"
    assert make_url(TEST_URL).query.get("host") == str(socket), (
        "the replica is copied from the project-local cluster: run the tests against it"
        " (unset PANTAU_TEST_DATABASE_URL)"
    )
    _pg_sh("replica", "remove", NAME)
    _pg_sh("replica", "start", NAME)
    folder = local_pg_dir(CLUSTER_DATA_DIR) / f"replica-{NAME}" / "run"
    yield f"postgresql+psycopg://postgres@/{make_url(TEST_URL).database}?host={folder}&port={LOCAL_PG_PORT}"
    _pg_sh("replica", "remove", NAME)


@pytest.fixture(scope="module")
def standby(replica_url: str) -> Iterator[Engine]:
    """A direct connection to the replica, for the test to pause and resume its replay."""
    eng = create_engine(replica_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    yield eng
    eng.dispose()


@pytest.fixture
def reads(replica_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], None]]:
    """Point the app's reads at the replica with a lag limit (seconds); the app checks it afresh each time."""
    from db import replica

    monkeypatch.setenv("PANTAU_READ_DATABASE_URL", replica_url)

    def limit(max_lag_s: float) -> None:
        monkeypatch.setenv("PANTAU_MAX_REPLICA_LAG_S", str(max_lag_s))
        get_settings.cache_clear()
        replica.forget()

    limit(30)
    yield limit
    monkeypatch.delenv("PANTAU_READ_DATABASE_URL")
    get_settings.cache_clear()
    replica.forget()


def caught_up(engine: Engine, standby: Engine) -> None:
    """Wait until the replica has replayed everything the primary has written so far.

    A commit first, so the replica has a transaction's time to measure its lag by once it falls behind.
    """
    with engine.begin() as conn:
        conn.execute(text("SELECT txid_current()"))
    with engine.connect() as conn:
        position = conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar()
    deadline = time.monotonic() + 120
    while True:
        with standby.connect() as conn:
            if conn.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:p AS pg_lsn)"), {"p": position}).scalar():
                return
        assert time.monotonic() < deadline, "the replica did not catch up with the primary"
        time.sleep(0.05)


def version_on(eng: Engine) -> int:
    with eng.connect() as conn:
        return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one())


def public_reports(client: Any) -> int:
    """The report count /statistik shows for all time."""
    cards = ("reports", "followed", "finished", "response", "completion")
    outputs = [
        *(f"st-kpi-{key}.children" for key in cards),
        *(f"st-kpi-{key}-note.children" for key in cards),
        "st-extremes.children",
        "st-map.figure",
        "st-opd.children",
        "st-kecamatan.children",
        "st-error.children",
    ]
    response = dash_call(
        client,
        {
            "output": ".." + "...".join(outputs) + "..",
            "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
            "inputs": [
                {"id": "st-period", "property": "value", "value": "all"},
                {"id": "st-kota", "property": "value", "value": None},
                {"id": "st-kecamatan", "property": "value", "value": None},
            ],
            "state": [{"id": "st-lang", "property": "data", "value": "en"}],
            "changedPropIds": ["st-period.value"],
        },
    )
    assert response.status_code == 200, response.data[:300]
    shown = response.get_json()["response"]
    assert shown["st-error"]["children"] == ""
    return int(shown["st-kpi-reports"]["children"].replace(",", ""))


def leaders_reports(client: Any, headers: dict[str, str]) -> int:
    """The report count the leaders' dashboard shows for all time."""
    response = client.post("/_dash-update-component", json=request_body("en", **{"pim-period": "all"}), headers=headers)
    assert response.status_code == 200, response.data[:300]
    cards = response.get_json()["response"]["pim-kpis"]["children"]
    shown = {part["props"]["id"]: part["props"]["children"] for card in cards for part in card["props"]["children"]}
    return int(shown["pim-kpi-reports"].replace(",", ""))


def listed(client: Any, code: str) -> bool:
    """Whether the public Open311 listing has the request ``code``."""
    response = client.get("/open311/v2/requests.json?page_size=200")
    assert response.status_code == 200, response.data[:300]
    return code in {r["service_request_id"] for r in response.get_json()}


def healthz(client: Any) -> dict[str, Any]:
    from db import replica

    replica.forget()  # the app keeps a check for two seconds: this one is made now
    response = client.get("/healthz")
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["replica"]  # type: ignore[no-any-return]


def dashboard_versions(client: Any) -> set[int]:
    """The data versions the app's cache holds dashboards for."""
    from app import cache

    keys = cache.cache._cache.keys()  # type: ignore[attr-defined]  # SimpleCache
    return {int(k.split(":")[2]) for k in keys if k.startswith("pim:dash:")}


def test_a_report_filed_on_the_primary_reaches_the_pages_that_read_the_replica(
    client: Any,
    engine: Engine,
    standby: Engine,
    reads: Callable[[float], None],
    committed: list[int],
    accounts: Accounts,
) -> None:
    leader = bearer(client, accounts("leader"))
    caught_up(engine, standby)
    before = public_reports(client)
    assert leaders_reports(client, leader) == before

    # The replica holds still; the report lands on the primary only.
    with standby.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        reads(3600)
        code = new_complaint(engine, committed)
        held, now = version_on(standby), version_on(engine)
        assert held < now
        # What the replica shows is what these pages show: the report is not there yet.
        assert public_reports(client) == before
        assert leaders_reports(client, leader) == before
        assert not listed(client, code)
        # Cached under the version the replica showed, never under the primary's newer one.
        assert now not in dashboard_versions(client)
        health = healthz(client)
        assert health["state"] == "ok" and health["reads_from"] == "replica"
        assert health["lag_bytes"] > 0 and health["lag_s"] > 0

        # Past the limit the same pages read the primary, with no word to the user.
        reads(0)
        assert public_reports(client) == before + 1
        assert leaders_reports(client, leader) == before + 1
        assert listed(client, code)
        health = healthz(client)
        assert (health["state"], health["reads_from"], health["max_lag_s"]) == ("behind", "primary", 0)
    finally:
        with standby.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))

    # Caught up, the replica serves the report itself.
    caught_up(engine, standby)
    reads(30)
    health = healthz(client)
    assert (health["state"], health["reads_from"]) == ("ok", "replica")
    assert public_reports(client) == before + 1
    assert leaders_reports(client, leader) == before + 1
    assert listed(client, code)


def test_the_wall_never_caches_an_older_replica_answer_under_a_newer_version(
    client: Any, engine: Engine, standby: Engine, reads: Callable[[float], None], committed: list[int]
) -> None:
    from app import server
    from db import wall
    from db.engine import replica_state

    caught_up(engine, standby)
    with standby.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        reads(3600)
        new_complaint(engine, committed)
        held, now = version_on(standby), version_on(engine)
        assert held < now
        assert replica_state(fresh=True).usable  # reads go to the replica, held at `held`
        with server.app_context():
            # Another app machine on the primary put version `now` in the shared cache; this one reads a
            # replica still at `held`: its markers must have the new report all the same.
            shown = {m.id for m in wall.cached_markers(wall.WallArea(), now)}
            assert committed[-1] in shown
            # At the replica's own version its answer is the replica's.
            assert committed[-1] not in {m.id for m in wall.cached_markers(wall.WallArea(), held)}
            assert wall.cached_changes(held, now, wall.WallArea()).count >= 1  # the change, read from the primary
    finally:
        with standby.connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))


def test_a_stopped_replica_sends_reads_to_the_primary_without_an_error(
    client: Any,
    engine: Engine,
    standby: Engine,
    reads: Callable[[float], None],
    committed: list[int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    caught_up(engine, standby)
    before = public_reports(client)  # the replica's pool now holds open connections
    _pg_sh("replica", "stop", NAME)
    try:
        capsys.readouterr()
        code = new_complaint(engine, committed)
        assert public_reports(client) == before + 1
        assert listed(client, code)
        health = healthz(client)
        assert (health["state"], health["reads_from"]) == ("unreachable", "primary")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
        said = [line for line in lines if line["logger"] == "pantau.replica"]
        assert said and said[0]["level"] == "warning" and "reads go to the primary" in said[0]["message"]
        assert not [line for line in lines if "traceback" in line]
    finally:
        _pg_sh("replica", "start", NAME)
    # Back, and caught up: reads return to it.
    caught_up(engine, standby)
    health = healthz(client)
    assert (health["state"], health["reads_from"]) == ("ok", "replica")


def test_a_read_database_that_is_not_a_standby_is_never_read(
    client: Any, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica promoted to a primary of its own (or a URL naming one) would drift from the real one."""
    from db import replica

    monkeypatch.setenv("PANTAU_READ_DATABASE_URL", TEST_URL)
    get_settings.cache_clear()
    try:
        health = healthz(client)
        assert (health["state"], health["reads_from"]) == ("not_standby", "primary")
    finally:
        monkeypatch.delenv("PANTAU_READ_DATABASE_URL")
        get_settings.cache_clear()
        replica.forget()
