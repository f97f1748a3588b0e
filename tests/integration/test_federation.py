"""Two Pantau instances on loopback, one forwarding to the other through its Open311 door (issue 16).

A serves Kota Tangerang (3671), B Kota Tangerang Selatan (3674): each its own database in the test cluster,
its own data folder and port, set up with ``flask --app app bootstrap`` and served with ``python app.py`` as
the README says; A's door worker runs inside ``flask --app app notify``. Nothing here sleeps a fixed time:
each wait asks until what a user would see is there (or fails after a generous deadline).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
import requests
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.accounts import create_api_key, create_user
from db.complaints import Actor
from db.scope import Scope
from db.workflow import detail, queue
from tests.conftest import ROOT, TEST_URL, free_port
from tests.integration.staff import PASSWORD, site_photo

BOUNDARIES = ROOT.parent / "shared" / "data" / "boundaries"
POLL_S = 1  # PANTAU_DOOR_POLL_S on A: small, so "within one poll interval" is quick
SET_UP = Actor(role="cli")  # the accounts and keys are made as `flask --app app users create` would
MAPPED = ("jalan_rusak", "sampah")  # what A's door to B maps; every other category is unmapped


def wait_until(done: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = done()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@dataclass
class Instance:
    """One Pantau: its database, data folder, port, and the processes serving it."""

    name: str
    kota: str
    files: tuple[str, ...]
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pantau-fed-")))
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: list[IO[bytes]] = field(default_factory=list)
    bearer: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        target = make_url(TEST_URL)
        return target.set(database=f"{target.database}_fed_{self.name}").render_as_string(hide_password=False)

    def env(self) -> dict[str, str]:
        boundaries = self.folder / "boundaries"
        return {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "PANTAU_DATA_DIR": str(self.folder / "data"),
            "PANTAU_BOUNDARIES_DIR": str(boundaries),
            "PANTAU_DEMO": "0",
            "PANTAU_SECRET_KEY": f"secret-of-{self.name}-" + "x" * 32,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PANTAU_PUBLIC_URL": self.url,
            "PANTAU_DOOR_POLL_S": str(POLL_S),
            # The door's automatic retry waits long here: the operator's resend is what the test checks.
            "PANTAU_NOTIFY_RETRY_S": "600",
            # Loading a city's boundaries on a busy test machine may take longer than a request may.
            "PANTAU_STATEMENT_TIMEOUT_MS": "300000",
        }

    def flask(self, *args: str) -> subprocess.Popen[str]:
        """``flask --app app ARGS`` started for this instance (its errors kept for the assertion)."""
        return subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", *args],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def set_up(self) -> subprocess.Popen[str]:
        """A fresh database and the README's bootstrap, started (the two instances set up side by side)."""
        target = make_url(self.database_url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
        (self.folder / "boundaries").mkdir(parents=True)
        for name in self.files:
            (self.folder / "boundaries" / name).symlink_to(BOUNDARIES / name)
        return self.flask("bootstrap")

    def staff(self, engine: Engine, client: str) -> str:
        """The operator's account and an Open311 client's key (returned), written straight into this
        instance's database: ``users create`` and ``api-key create`` would each start the whole app (seconds),
        and tests/integration/test_cli.py already drives those commands."""
        with engine.begin() as conn:
            create_user(conn, "operator", PASSWORD, "operator", None, [], actor=SET_UP)
            return create_api_key(conn, client, actor=SET_UP)

    def _start(self, what: str, *command: str) -> None:
        log = (self.folder / f"{what}.log").open("ab")
        self.logs.append(log)
        self.procs[what] = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )

    def serve(self, wait: bool = True) -> None:
        self._start("web", str(ROOT / ".venv" / "bin" / "python"), "app.py")
        if wait:
            wait_until(self.healthy, f"{self.name} to serve")

    def healthy(self) -> bool:
        assert self.procs["web"].poll() is None, (self.folder / "web.log").read_text()
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def work(self) -> None:
        self._start("notify", str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "notify", "--poll-ms", "100")

    def stop(self, what: str) -> None:
        proc = self.procs.pop(what, None)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)

    def close(self) -> None:
        for what in list(self.procs):
            self.stop(what)
        for log in self.logs:
            log.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def token(self) -> dict[str, str]:
        """The operator's bearer header, logged in once (each log-in hashes the password with argon2)."""
        if not self.bearer:
            self.bearer = self._log_in()
        return self.bearer

    def _log_in(self) -> dict[str, str]:
        answer = requests.post(
            f"{self.url}/api/v1/auth/token", json={"username": "operator", "password": PASSWORD}, timeout=10
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def act(self, code: str, **body: Any) -> requests.Response:
        return requests.post(
            f"{self.url}/api/v1/complaints/{code}/transition", json=body, headers=self.token(), timeout=30
        )


@dataclass
class Pair:
    a: Instance
    b: Instance
    engine_a: Engine
    engine_b: Engine
    key_on_a: str  # an Open311 client's key on A, to file reports there
    key_for_a: str  # the key B gave A for its door
    tangsel: tuple[float, float]  # a point inside Kota Tangerang Selatan (lon, lat)


@pytest.fixture(scope="module")
def pair(engine: Engine) -> Iterator[Pair]:
    a = Instance("a", "3671", ("kota_tangerang_kecamatan.geojson", "kota_tangerang_kelurahan.geojson"))
    b = Instance("b", "3674", ("kota_tangerang_selatan_kecamatan.geojson", "kota_tangerang_selatan_kelurahan.geojson"))
    engines: list[Engine] = []
    try:
        # Every process that starts the app costs seconds of a shared machine's CPU: the two bootstraps run side
        # by side, and so do A's door set-up, the two web servers and A's door worker.
        for started in [i.set_up() for i in (a, b)]:
            _, errors = started.communicate(timeout=900)
            assert started.returncode == 0, errors
        engines = [create_engine(a.database_url), create_engine(b.database_url)]
        keys = [a.staff(engines[0], "warga"), b.staff(engines[1], "pantau-a")]
        door = a.flask(
            "door", "set", "3674", "--open311", f"{b.url}/open311/v2", "--api-key", keys[1],
            *[arg for code in MAPPED for arg in ("--map", f"{code}={code}")],
        )  # fmt: skip
        for instance in (a, b):
            instance.serve(wait=False)
        a.work()
        _, errors = door.communicate(timeout=600)
        assert door.returncode == 0, errors
        with engines[1].connect() as conn:
            lon, lat = conn.execute(
                text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area WHERE level = 'kota') x")
            ).one()
        for instance in (a, b):
            wait_until(instance.healthy, f"{instance.name} to serve")
        yield Pair(a, b, engines[0], engines[1], keys[0], keys[1], (float(lon), float(lat)))
    finally:
        a.close()
        b.close()
        for e in engines:
            e.dispose()


def file_on_a(pair: Pair, category: str = "jalan_rusak", **extra: str) -> str:
    """A citizen's report filed on A (through its Open311 door) at a point inside Tangerang Selatan."""
    lon, lat = pair.tangsel
    answer = requests.post(
        f"{pair.a.url}/open311/v2/requests.json",
        data={
            "api_key": pair.key_on_a,
            "service_code": category,
            "lat": lat,
            "long": lon,
            # Each report its own words: the same text from the same person on one day is one report.
            "description": f"Jalan berlubang besar di depan pasar, berbahaya bagi motor ({uuid.uuid4().hex[:8]})",
            "email": "warga@example.org",
            **extra,
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()[0]["service_request_id"])


def on_a(pair: Pair, code: str) -> Any:
    with pair.engine_a.connect() as conn:
        return (
            conn.execute(
                text(
                    "SELECT c.id, c.status, h.state, h.remote_id, h.last_error, h.attempts FROM complaint c "
                    "LEFT JOIN handover h ON h.complaint_id = c.id WHERE c.tracking_code = :c"
                ),
                {"c": code},
            )
            .mappings()
            .one()
        )


def on_b(pair: Pair, code_on_a: str) -> list[Any]:
    """The reports B holds that A sent for its report ``code_on_a``."""
    with pair.engine_b.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT tracking_code, status, description, confidential, attributes FROM complaint "
                    "WHERE attributes ->> 'external_id' = :c"
                ),
                {"c": code_on_a},
            ).mappings()
        )


def history_on_a(pair: Pair, code: str) -> list[Any]:
    with pair.engine_a.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT e.kind, e.to_status, e.note, e.note_public, e.data FROM complaint_event e "
                    "JOIN complaint c ON c.id = e.complaint_id WHERE c.tracking_code = :c ORDER BY e.id"
                ),
                {"c": code},
            ).mappings()
        )


def test_a_report_forwarded_through_the_door_is_finished_there_and_here(pair: Pair) -> None:
    code = file_on_a(pair)
    assert on_a(pair, code)["status"] == "luar_wilayah"  # A does not serve Tangerang Selatan
    forwarded = pair.a.act(code, action="forward", kota="3674", reason="Lokasi di Kota Tangerang Selatan")
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["status"] == "diteruskan"

    # It appears on B, once, with A's text and category, and A keeps B's number for it.
    copies = wait_until(lambda: on_b(pair, code), "the report to reach B")
    assert len(copies) == 1
    remote = copies[0]["tracking_code"]
    assert copies[0]["description"].startswith("Jalan berlubang besar")
    assert wait_until(lambda: on_a(pair, code)["remote_id"], "A to store B's number") == remote
    assert on_a(pair, code)["status"] == "diteruskan"  # yellow: with the destination
    sent = [e for e in history_on_a(pair, code) if e["kind"] == "remote"]
    assert sent and sent[0]["data"]["remote_id"] == remote

    # B's live room handles it and finishes it with a completion photo and a note for the reporter.
    assert pair.b.act(remote, action="forward", kota="3674", reason="Wilayah kita").status_code == 200
    with pair.engine_b.connect() as conn:
        photo = site_photo(conn, remote)
    uploaded = requests.post(
        f"{pair.b.url}/api/v1/complaints/{remote}/photos",
        files={"file": ("selesai.jpg", io.BytesIO(photo), "image/jpeg")},
        data={"kind": "completion"},
        headers=pair.b.token(),
        timeout=30,
    )
    assert uploaded.status_code in (200, 201), uploaded.text
    done = pair.b.act(remote, action="complete", note="Lubang sudah ditambal aspal", public=True)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "selesai"

    # A's next poll mirrors it: finished here, with B's note and the link to B's completion photo.
    assert wait_until(lambda: on_a(pair, code)["status"] == "selesai", "A to see it finished", timeout=30)
    closing = [e for e in history_on_a(pair, code) if e["data"].get("action") == "remote_close"]
    assert len(closing) == 1
    assert "Lubang sudah ditambal aspal" in closing[0]["note"]
    assert closing[0]["note_public"]  # the reporter reads B's note on /lacak
    link = closing[0]["data"]["media_url"]
    assert link.startswith(f"{pair.b.url}/photos/")
    assert requests.get(link, timeout=10).content == requests.get(link, timeout=10).content != b""
    assert on_a(pair, code)["state"] == "closed"
    # The reporter is told through A's outbox.
    with pair.engine_a.connect() as conn:
        kinds = set(
            conn.execute(
                text("SELECT kind FROM notification WHERE complaint_id = :i"), {"i": on_a(pair, code)["id"]}
            ).scalars()
        )
    assert "finished" in kinds


def test_b_away_during_the_forward_fails_visibly_and_a_resend_creates_one_report(pair: Pair) -> None:
    code = file_on_a(pair)
    pair.b.stop("web")
    try:
        assert pair.a.act(code, action="forward", kota="3674", reason="Tangsel").status_code == 200
        failed = wait_until(
            lambda: (row := on_a(pair, code))["status"] == "gagal_diteruskan" and row, "the handover to fail"
        )
        assert "cannot be reached" in failed["last_error"]
        assert failed["state"] == "failed"
        # The operators see it: near the top of their queue with the error, and on the complaint's own page.
        from app import server  # noqa: F401  (the pages register with the app)
        from layouts.complaint import _destination_note, _door_line

        with pair.engine_a.connect() as conn:
            rows = {r["tracking_code"]: r for r in queue(conn, Scope())}
            page = _door_line(detail(conn, code), "id")
            note = _destination_note(detail(conn, code), None, "id")
        assert "cannot be reached" in rows[code]["handover_error"]
        assert page is not None and "cannot be reached" in str(page.children)
        # It went to B's system, not by hand: the page says so.
        assert note is not None and "melalui pintu sistemnya" in str(note.children)
        assert "secara manual" not in str(note.children)
        # Resending while B is still away fails again, still visibly.
        assert pair.a.act(code, action="resend").status_code == 200
        wait_until(lambda: on_a(pair, code)["status"] == "gagal_diteruskan" and on_a(pair, code)["attempts"] == 1,
                   "the second try to fail")  # fmt: skip
    finally:
        pair.b.serve()
    assert on_b(pair, code) == []
    resent = pair.a.act(code, action="resend", note="B is back")
    assert resent.status_code == 200, resent.text
    assert resent.json()["status"] == "diteruskan"
    assert wait_until(lambda: on_a(pair, code)["state"] == "sent", "the resend to get through")
    assert len(on_b(pair, code)) == 1
    # Sending it again (an operator's resend after a lost answer) finds it there and creates nothing new.
    with pair.engine_a.begin() as conn:
        conn.execute(
            text("UPDATE handover SET state = 'queued', next_attempt_at = now() WHERE complaint_id = :i"),
            {"i": on_a(pair, code)["id"]},
        )
    wait_until(lambda: on_a(pair, code)["state"] == "sent", "the second send")
    copies = on_b(pair, code)
    assert len(copies) == 1
    assert on_a(pair, code)["remote_id"] == copies[0]["tracking_code"]


def test_an_unmapped_category_fails_with_the_fix_named(pair: Pair) -> None:
    code = file_on_a(pair, category="penerangan_jalan")
    assert pair.a.act(code, action="forward", kota="3674", reason="Tangsel").status_code == 200
    failed = wait_until(lambda: (row := on_a(pair, code))["status"] == "gagal_diteruskan" and row, "the failure")
    assert "penerangan_jalan" in failed["last_error"] and "--map" in failed["last_error"]
    assert on_b(pair, code) == []
    # The operator may send it elsewhere instead: the door stops trying.
    jakarta = {"office": "Dinas Bina Marga DKI Jakarta", "office_contact": "binamarga@jakarta.go.id"}
    assert pair.a.act(code, action="forward", kota="3171", reason="Ke Jakarta", **jakarta).status_code == 200
    assert on_a(pair, code)["state"] == "cancelled"


def test_a_confidential_report_reaches_b_without_its_words_or_photo(pair: Pair) -> None:
    code = file_on_a(pair, confidential="true", media_url="http://example.org/bukti.jpg")
    assert pair.a.act(code, action="forward", kota="3674", reason="Tangsel").status_code == 200
    copies = wait_until(lambda: on_b(pair, code), "the report to reach B")
    assert len(copies) == 1
    copy = copies[0]
    assert copy["confidential"]
    assert "Jalan berlubang" not in copy["description"] and "rahasia" in copy["description"].lower()
    assert "media_url" not in copy["attributes"]
    assert "warga@example.org" not in str(copy)
    # B never lists it publicly; A's door still reads its status with the key that sent it.
    listed = requests.get(f"{pair.b.url}/open311/v2/requests.json", timeout=10).json()
    assert copy["tracking_code"] not in {r["service_request_id"] for r in listed}
    own = requests.get(
        f"{pair.b.url}/open311/v2/requests.json",
        params={"external_id": code, "api_key": pair.key_for_a, "extensions": "true"},
        timeout=10,
    ).json()
    assert [r["service_request_id"] for r in own] == [copy["tracking_code"]]
