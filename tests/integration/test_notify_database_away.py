"""The delivery worker while the database is away: it waits, loses nothing, and sends nothing twice.

The worker reaches PostgreSQL through a small socket proxy that the test
cuts (every connection dropped, new ones refused) and restores.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from settings import get_settings
from tests.conftest import TEST_URL
from tests.integration.gateways import Gateway
from tests.integration.staff import new_complaint

PORT = 54329


class DatabaseProxy:
    """A Unix socket ``folder/.s.PGSQL.<PORT>`` relaying to the test database; ``cut`` and ``restore`` it."""

    def __init__(self, folder: Path):
        self.path = folder / f".s.PGSQL.{PORT}"
        url = make_url(TEST_URL)
        host = str(url.query.get("host") or url.host or "127.0.0.1")
        port = int(str(url.query.get("port") or url.port or 5432))
        self.upstream: tuple[int, Any] = (
            (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}") if host.startswith("/") else (socket.AF_INET, (host, port))
        )
        self.url = url.set(host=None, port=None, query={"host": str(folder), "port": str(PORT)})
        self.open: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def restore(self) -> None:
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(str(self.path))
        self.listener.listen()
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        self.path.unlink(missing_ok=True)
        for sock in self.open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.socket(self.upstream[0])
            server.connect(self.upstream[1])
            self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[DatabaseProxy]:
    relay = DatabaseProxy(tmp_path)
    relay.restore()
    yield relay
    relay.cut()


def wait_until(done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def state(engine: Engine, code: str) -> tuple[str, int] | None:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT n.status, n.attempts FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                "WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).first()
    return None if row is None else (row.status, row.attempts)


class Events(logging.Handler):
    """The worker's log events, as they happen."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(str(getattr(record, "fields", {}).get("event")))

    def count(self, event: str) -> int:
        return self.seen.count(event)


def test_a_worker_without_its_database_waits_and_delivers_once_it_is_back(
    engine: Engine,
    committed: list[int],
    gateway: Gateway,
    proxy: DatabaseProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from db.engine import make_engine
    from notify.worker import Worker, logger

    monkeypatch.setenv("PANTAU_SMS_OUTBOUND_URL", gateway.url)
    get_settings.cache_clear()
    events = Events()
    logger.addHandler(events)
    worker_engine = make_engine(proxy.url.render_as_string(hide_password=False))
    worker = Worker(worker_engine, get_settings(), "secret", name="behind-proxy")
    thread = threading.Thread(target=worker.run, kwargs={"poll_s": 0.05}, daemon=True)
    try:
        # Away before the message is written: the worker keeps trying to reach the database.
        proxy.cut()
        thread.start()
        first = "+6281288800011"
        code = new_complaint(engine, committed, reporter_contact=first)
        wait_until(lambda: events.count("notify_db_away") >= 2, "the worker to find the database away")
        assert state(engine, code) == ("queued", 0) and gateway.deliveries(first) == []
        proxy.restore()
        gateway.wait_for(lambda: len(gateway.deliveries(first)) == 1)
        wait_until(lambda: state(engine, code) == ("sent", 1), "the first message recorded as sent")

        # Away between the send and its record: the outcome is kept and recorded when it is back, not sent again.
        second = "+6281288800022"
        gateway.hold_to = second
        code = new_complaint(engine, committed, reporter_contact=second)
        assert gateway.held.wait(30)
        away = events.count("notify_db_away")
        proxy.cut()
        gateway.release.set()
        wait_until(lambda: events.count("notify_db_away") >= away + 2, "the worker to fail to record the outcome")
        assert state(engine, code) == ("sending", 1)
        proxy.restore()
        wait_until(lambda: state(engine, code) == ("sent", 1), "the second message recorded as sent")
        assert len([p for p in gateway.posts if p.body.get("to") == second]) == 1
    finally:
        worker.stop.set()
        thread.join(30)
        logger.removeHandler(events)
        worker_engine.dispose()
        get_settings.cache_clear()
