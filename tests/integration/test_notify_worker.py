"""The delivery worker as operators run it, ``flask --app app notify``: killed mid-send, it sends nothing twice.

"Nothing twice" is at-least-once delivery plus the idempotency key: the
message whose outcome was never recorded is sent again after its lease runs
out, with the same ``Idempotency-Key``, and the gateway (here the loopback
receiver, as a real one would) keeps one delivery per key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import Engine, text

from tests.conftest import ROOT
from tests.integration.gateways import Gateway
from tests.integration.staff import new_complaint

TIMEOUT_S = 2  # the lease is 3 × this + 5 s: the test waits that long for the message to be claimed again


class WorkerProcess:
    """``flask --app app notify`` with its standard error in a file (a pipe nobody reads would fill up)."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log_path = log
        self.log: IO[bytes] = log.open("wb")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app", "notify", "--poll-ms", "50"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        wait_until(lambda: b'"notify_ready"' in log.read_bytes() or self.proc.poll() is not None, "the worker to start")
        assert self.proc.poll() is None, log.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(30)
        self.log.close()
        return code


def wait_until(done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def worker_env(gateway: Gateway) -> dict[str, str]:
    return {
        "PANTAU_SMS_OUTBOUND_URL": gateway.url,
        "PANTAU_SMS_SECRET": "gateway-secret",
        "PANTAU_NOTIFY_TIMEOUT_S": str(TIMEOUT_S),
        "PANTAU_NOTIFY_RETRY_S": "0.2",
    }


@pytest.fixture
def workers(tmp_path: Path, worker_env: dict[str, str]) -> Iterator[Callable[[], WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        started.append(WorkerProcess(worker_env, tmp_path / f"worker-{len(started)}.log"))
        return started[-1]

    yield start
    for worker in started:
        worker.stop(signal.SIGKILL)


def message(engine: Engine, code: str) -> dict[str, object]:
    with engine.connect() as conn:
        row = (
            conn.execute(
                text(
                    "SELECT n.id, n.status, n.attempts, n.idempotency_key, n.body, "
                    "array(SELECT outcome FROM notification_attempt a WHERE a.notification_id = n.id "
                    "ORDER BY attempt) AS outcomes "
                    "FROM notification n JOIN complaint c ON c.id = n.complaint_id WHERE c.tracking_code = :c"
                ),
                {"c": code},
            )
            .mappings()
            .one()
        )
    return dict(row)


def test_a_worker_killed_mid_send_is_restarted_and_nothing_is_delivered_twice(
    engine: Engine, committed: list[int], gateway: Gateway, workers: Callable[[], WorkerProcess]
) -> None:
    sender = "+6281277700011"
    gateway.hold_to = sender  # the gateway has the message and keeps the request open
    first = workers()
    code = new_complaint(engine, committed, reporter_contact=sender, channel="sms")
    assert gateway.held.wait(60), "the worker never sent the message"
    first.proc.kill()  # SIGKILL: after the send, before the outcome is recorded
    first.stop()
    gateway.hold_to = None
    gateway.release.set()
    held = message(engine, code)
    assert (held["status"], held["attempts"], held["outcomes"]) == ("sending", 1, ["sending"])

    workers()
    wait_until(lambda: message(engine, code)["status"] == "sent", "the message to be sent again")
    done = message(engine, code)
    # Sent again once the lease ran out, with the same key and text; the gateway delivered it once.
    assert done["attempts"] == 2 and done["outcomes"] == ["lost", "sent"]
    posts = [p for p in gateway.posts if p.body.get("to") == sender]
    assert len(posts) == 2
    assert {p.key for p in posts} == {done["idempotency_key"]}
    assert {p.body["text"] for p in posts} == {done["body"]}
    assert len(gateway.deliveries(sender)) == 1


def test_the_worker_stops_cleanly_on_sigterm_and_delivers_in_the_background(
    engine: Engine, committed: list[int], gateway: Gateway, workers: Callable[[], WorkerProcess]
) -> None:
    worker = workers()
    sender = "+6281277700022"
    code = new_complaint(engine, committed, reporter_contact=sender)
    gateway.wait_for(lambda: len(gateway.deliveries(sender)) == 1)
    wait_until(lambda: message(engine, code)["status"] == "sent", "the outcome to be recorded")
    assert worker.stop() == 0
    log = worker.log_path.read_text()
    # Its log says what happened to each message, never to whom or what.
    assert '"event": "notify"' in log and '"outcome": "sent"' in log
    assert sender not in log and code not in log


def test_the_worker_stops_when_signals_come_in_a_burst(workers: Callable[[], WorkerProcess]) -> None:
    # make run's SIGTERM reaches the worker twice (the process group's and the one scripts/run.sh forwards).
    # A handler that ran again inside its own first call waited forever on the stop event's lock; a burst
    # gives the second call many chances to land there (on the code before, half the runs hung or wrote a
    # traceback).
    worker = workers()
    deadline = time.monotonic() + 1
    while worker.proc.poll() is None and time.monotonic() < deadline:
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                worker.proc.send_signal(sig)
            except ProcessLookupError:
                break
    try:
        code = worker.proc.wait(30)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker was still running 30 s after the signals")
    # It stopped by itself, or was ended by a signal of the burst while Python was already shutting down
    # (which puts the default handlers back): either way the messages in hand were finished first.
    assert code in (0, -signal.SIGTERM, -signal.SIGINT), worker.log_path.read_text()[-2000:]
    assert "Traceback" not in worker.log_path.read_text()
