"""Several worker processes behave as one app: a shared Redis cache, shared sessions and CSRF.

Redis is Debian's ``redis-server``, started here on a free loopback port with no
persistence (``make test`` installs it). The multi-worker test serves the real
app with gunicorn, as ``make serve`` does, from a fresh data folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests
from flask import Flask
from flask_caching import Cache

from app import _cache_config
from loopback import free_port, redis_server
from settings import Settings
from tests.conftest import ROOT, TEST_URL
from tests.integration.staff import login_callback


def _wait_until(ready, what: str, process: subprocess.Popen, seconds: float = 60) -> None:  # type: ignore[type-arg,no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            if ready():
                return
        except (redis.ConnectionError, requests.RequestException):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start (exit code {process.poll()})")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on loopback: no snapshots, no append-only file."""
    with redis_server() as url:
        yield url


def test_with_a_redis_url_the_cache_is_redis_and_without_it_is_per_process(redis_url: str) -> None:
    assert _cache_config(Settings(redis_url=redis_url))["CACHE_TYPE"] == "RedisCache"
    assert _cache_config(Settings(redis_url=""))["CACHE_TYPE"] == "SimpleCache"


def test_a_value_cached_by_the_app_in_one_process_is_read_in_another(redis_url: str) -> None:
    # The writer is the real app, built in its own process from the environment as a worker is.
    script = (
        "from app import cache, server\n"
        "with server.app_context():\n"
        "    cache.set('shared:version', {'version': 41, 'by': 'worker-1'})\n"
        "    print(type(cache.cache).__name__)\n"
    )
    writer = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PANTAU_REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert writer.returncode == 0, writer.stderr[-2000:]
    assert writer.stdout.strip().splitlines()[-1] == "RedisCache"

    reader = Flask("another-worker")
    cache = Cache(reader, config=_cache_config(Settings(redis_url=redis_url)))
    with reader.app_context():
        assert cache.get("shared:version") == {"version": 41, "by": "worker-1"}


@pytest.fixture(scope="module")
def gunicorn(engine, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """The real app under gunicorn with two workers and Redis, from a data folder with no secret key yet."""
    data_dir = tmp_path_factory.mktemp("serve-data")
    log = data_dir / "stderr.log"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": TEST_URL,
        "PANTAU_DATA_DIR": str(data_dir),
        "PANTAU_REDIS_URL": redis_url,
        "PANTAU_WORKERS": "2",
    }
    env.pop("PANTAU_SECRET_KEY", None)
    with open(log, "wb") as stderr:
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                # gunicorn.conf.py from the project's root, as make serve uses it; only the port differs.
                *("--bind", f"127.0.0.1:{port}", "app:server"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # Each worker says so once it has loaded the app (gunicorn.conf.py's post_worker_init).
        _wait_until(lambda: log.read_text().count("pantau worker ready") >= 2, "gunicorn's workers", server, 120)
        assert requests.get(f"{url}/healthz", timeout=10).ok
        yield url, log
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=30)


def _request_pids(log: Path) -> set[int]:
    pids = set()
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "request":
                pids.add(entry["pid"])
    return pids


def test_under_gunicorn_every_worker_accepts_the_same_session_and_csrf_token(gunicorn: tuple[str, Path]) -> None:
    url, log = gunicorn
    browser = requests.Session()
    assert browser.get(f"{url}/login?lang=en", timeout=10).ok
    token = browser.cookies["_csrf_token"]
    cookies = browser.cookies.get_dict()

    def log_in(attempt: int) -> tuple[int, object]:
        # A name of its own each time: five wrong passwords for one name from one address start its back-off.
        response = requests.post(
            f"{url}/_dash-update-component",
            json=login_callback(f"nobody-here-{attempt}", "not the password"),
            headers={"X-CSRFToken": token, "Referer": f"{url}/login?lang=en"},
            cookies=cookies,
            timeout=30,
        )
        return response.status_code, response.json() if response.ok else response.text

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(log_in, range(24)))
    # A worker with another secret key would refuse the CSRF token (400); each one checked it and the password.
    assert {status for status, _ in answers} == {200}, answers
    messages = {body["response"]["login-message"]["children"] for _, body in answers}  # type: ignore[index]
    assert messages == {"Wrong username or password."}
    assert len(_request_pids(log)) >= 2, "the requests were not spread over several workers"
    assert "Traceback" not in log.read_text()


WORKER = """
import sys, time
import redis
from flask import Flask
from flask_caching import Cache
from app import _cache_config
from db.cache import cached
from settings import Settings

url = sys.argv[1]
worker = Flask("worker")
Cache(worker, config=_cache_config(Settings(redis_url=url)))
counter = redis.Redis.from_url(url)


def compute():
    counter.incr("test:computed")
    time.sleep(1.5)  # a scan of a million rows
    return {"figures": 42, "by": sys.argv[2]}


with worker.app_context():
    counter.incr("test:ready")
    while int(counter.get("test:ready")) < 2:  # both ask at the same moment, as ticks after a new version do
        time.sleep(0.005)
    print(cached("test:figures:v7", 60, compute)["by"])
"""


def test_workers_asking_for_the_same_missing_answer_compute_it_once(redis_url: str) -> None:
    redis.Redis.from_url(redis_url).delete("test:computed", "test:ready")
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, redis_url, name],
            cwd=ROOT,
            env={**os.environ, "PANTAU_DEMO": "0"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("worker-1", "worker-2")
    ]
    answers = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err[-2000:] for _, err in answers]
    # Both got the one answer, computed by whichever came first; the database was asked once.
    assert len({out.strip() for out, _ in answers}) == 1
    assert int(redis.Redis.from_url(redis_url).get("test:computed") or 0) == 1


def test_a_worker_keeps_what_it_read_no_longer_than_it_is_told(redis_url: str) -> None:
    from db.cache import kept

    def app_on_redis() -> Flask:
        app = Flask("kept")
        Cache(app, config=_cache_config(Settings(redis_url=redis_url)))
        return app

    shared = redis.Redis.from_url(redis_url)
    app = app_on_redis()
    with app.app_context():
        store = next(iter(app.extensions["cache"].values()))
        store.delete("test:kept")
        assert kept("test:kept", 60, lambda: "first", small=True, for_s=0.5) == "first"
        gets = shared.info("commandstats")["cmdstat_get"]["calls"]
        # Another worker replaces the shared answer: this one goes on with its own copy, without asking Redis...
        store.set("test:kept", "second", timeout=60)
        assert [kept("test:kept", 60, lambda: "computed", small=True, for_s=0.5) for _ in range(50)] == ["first"] * 50
        assert shared.info("commandstats")["cmdstat_get"]["calls"] == gets
        # ...for no longer than it was told, and then reads the shared one.
        time.sleep(0.6)
        assert kept("test:kept", 60, lambda: "computed", small=True, for_s=0.5) == "second"
        store.set("test:kept", "third", timeout=60)

    # An app made anew (a test's, a restarted worker's) keeps nothing of the last one's.
    with app_on_redis().app_context():
        assert kept("test:kept", 60, lambda: "computed", small=True, for_s=0.5) == "third"
