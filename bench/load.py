"""Load and faults: wall screens, leaders and Open311 clients at once against gunicorn, then the faults.

``python -m bench load`` (the defaults below) or ``python -m bench.load --help``.
The load runs on ``pantau_load``, a throw-away copy of ``pantau_bench_<N>``
(``CREATE DATABASE … TEMPLATE``, dropped at the end, so runs repeat and the
benchmark database stays as it was), served by gunicorn as ``make serve`` does,
on loopback only. Every process the script starts is stopped, and a hard
deadline (the load's duration plus 15 minutes, counted once the benchmark
database is seeded) ends a run that hangs. The faults restart the whole
PostgreSQL cluster in ``--pgdata``: run them on a cluster nobody else uses, or
pass ``--no-faults``.

The load: ``--walls`` screens each post the /live tick every 5 s, as the browser
does (the request from ``/_dash-dependencies``, with the screen's own
``wall-state``, so an unchanged data version costs an empty 204 and a changed one
carries Patches); ``--leaders`` leaders, each logged in, change the dashboard's
filters every 3 to 8 s (bench.leaders' random combinations); ``--rate`` new
complaints per second arrive through Open311 ``POST requests.json``. A bounded
pool of threads sends the requests on schedule.

Figures (ENDPOINT is ``wall_tick``, ``leaders_filter`` or ``open311_create``):

- ``load_ENDPOINT_requests``, ``load_ENDPOINT_per_s``: requests sent, and per second of load;
- ``load_ENDPOINT_errors`` (target 0) and ``load_errors_total``: failures (no answer,
  a status other than 2xx, a dashboard error) outside the database restart;
- ``load_ENDPOINT_ms_p50`` / ``_p95`` / ``_p99``: latency of the successful requests;
- ``load_wall_tick_changed_pct``: ticks that carried changes (200) rather than a 204;
- ``load_db_cpu_pct``: CPU time of all the cluster's processes / (wall time × cores);
- ``load_client_cpu_pct``: the same for this script; ``load_client_lag_ms_p95``: how
  late requests left against their schedule (grows when the client is the bottleneck);
- ``load_worker_rss_mb_peak`` / ``_mean``: resident memory per gunicorn worker, each second;
- ``load_server_tracebacks``: tracebacks in the server's log over the whole run (target 0).
- ``load_ENDPOINT_cpu_ms_mean`` / ``_p95``: CPU the app spent per request of the endpoint, server side
  (the request log's ``cpu_ms``: the worker thread's own CPU time, database work not included), during the load.

Faults (each ``fault_*_pass`` is 1 for pass, 0 for fail):

- a. ``pg_ctl restart -m fast`` halfway through the load. ``fault_restart_acknowledged``:
  complaints answered 2xx with a ``service_request_id`` during the load;
  ``fault_restart_lost``: those missing afterwards (target 0);
  ``fault_restart_clean_failures``: requests answered 503 with a JSON message while the
  database was away; ``fault_restart_unclean``: any other failure then (target 0);
  ``fault_restart_recovery_s_ENDPOINT``: from the restart to the first success of a request
  sent once ``pg_ctl restart`` returned; ``fault_restart_downtime_s``: how long that took.
- b. a gunicorn worker SIGKILLed during completion-photo uploads (sent slowly; killed
  inside the body and at several moments after it). ``fault_kill_trials``,
  ``fault_kill_bad_photo_rows`` (a photo row whose file is missing or truncated, target
  0), ``fault_kill_stray_tmp_files`` (temporary names photos/store.py left behind),
  ``fault_kill_orphan_files`` (stored files no row refers to), ``fault_kill_retry_failed``
  (the same upload sent again afterwards, target 0).
- c. the photo folder on a 2 MB tmpfs (root only; otherwise skipped with the reason
  logged), filled, then an upload: ``fault_disk_full_status`` (507 expected),
  ``fault_disk_full_clear_error``, ``fault_disk_full_db_unchanged``,
  ``fault_disk_full_stray_tmp_files``, ``fault_disk_full_recovered`` (after room is made),
  ``fault_disk_full_pass``.
"""

from __future__ import annotations

import argparse
import errno
import heapq
import http.client
import io
import itertools
import json
import math
import os
import pwd
import queue
import random
import resource
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from typing import IO, Any, Protocol

from PIL import Image, ImageDraw
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bench.common import bench_database, emit, kelurahan_points, log, served
from bench.leaders import PASSWORD, USERNAME, _rss_mb, body, combinations, filter_choices
from layouts._pimpinan_wiring import request_body
from loopback import redis_server

ENDPOINTS = ("wall_tick", "leaders_filter", "open311_create")
LOAD_DATABASE = "pantau_load"
TICK_S = 5.0
THINK_S = (3.0, 8.0)  # a leader's pause between two filter changes
REQUEST_TIMEOUT_S = 60.0
STOP_POLL_S = 0.5  # how soon idle threads of the client notice the end of the load
OUTAGE_GRACE_S = 10.0  # failures this long after pg_ctl returned still count as the outage's
DEADLINE_EXTRA_S = 900
PHOTO_DISK = "2m"
FIELD_USER, FIELD_PASSWORD = "bench-load-field", "bench-load-field-123"
API_KEY_NAME = "bench-load"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args(argv: list[str]) -> argparse.Namespace:
    from settings import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", type=int, default=1_000_000, help="size of the benchmark database copied")
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--walls", type=int, default=200, help="wall screens, each ticking every 5 s")
    parser.add_argument("--leaders", type=int, default=50, help="leaders changing dashboard filters")
    parser.add_argument("--rate", type=float, default=20, help="Open311 creates per second")
    parser.add_argument(
        "--workers",
        type=int,
        default=settings.workers or 2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers (default: PANTAU_WORKERS, or 2 x cores + 1 as make serve)",
    )
    parser.add_argument("--faults", action=argparse.BooleanOptionalAction, default=True, help="run the faults")
    parser.add_argument(
        "--redis",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="share one cache between the workers through a loopback redis-server, as README advises for make serve",
    )
    parser.add_argument(
        "--pgdata",
        type=Path,
        default=settings.pg_dir / "data",
        help="data folder of the cluster to restart (default: PANTAU_DATA_DIR/pg/data)",
    )
    return parser.parse_args(argv)


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer at all (refused, reset, timed out)
    body: bytes
    headers: Message | None
    sent: float
    done: float

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def clean_failure(self) -> bool:
        """A 503/507 with a JSON message in the door's own format: the app said plainly that it cannot serve this
        now (``{"error": …}``; Open311's error list, ``[{"code": 503, "description": …}]``)."""
        if self.status not in (503, 507):
            return False
        try:
            body = self.json()
        except ValueError:
            return False
        if isinstance(body, list):
            return bool(body) and all(
                isinstance(e, dict) and e.get("code") == self.status and e.get("description") for e in body
            )
        return isinstance(body, dict) and bool(body.get("error"))


class Http:
    """HTTP/1.1 keep-alive to the served app, one connection per thread.

    gunicorn closes a connection left idle past its keep-alive; a request that
    finds its reused connection closed before any answer is sent again on a
    fresh one, as browsers do.
    """

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._local = threading.local()

    def call(
        self, method: str, path: str, payload: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)
        sent = time.monotonic()
        for retry in (False, True):
            reused = conn.sock is not None
            try:
                conn.request(method, path, body=payload, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                if reused and not retry and isinstance(exc, BrokenPipeError | ConnectionResetError):
                    continue
                return Answer(0, repr(exc).encode(), None, sent, time.monotonic())
            return Answer(response.status, data, response.headers, sent, time.monotonic())
        raise AssertionError("unreachable")


class Cookies:
    """A browser's cookie jar for one site, enough for the session and Dash's CSRF cookie."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def take(self, answer: Answer) -> None:
        headers = (answer.headers.get_all("Set-Cookie") if answer.headers else None) or []
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                self.values[name] = morsel.value

    def headers(self) -> dict[str, str]:
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.values.items()),
            "X-CSRFToken": self.values.get("_csrf_token", ""),
        }


def callback_body(callback: dict[str, Any], values: dict[str, Any], changed: str) -> bytes:
    """What the browser posts to /_dash-update-component for ``callback`` (an entry of /_dash-dependencies)."""

    def items(deps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")} for d in deps
        ]

    outputs = [part.rsplit(".", 1) for part in callback["output"].strip(".").split("...")]
    return json.dumps(
        {
            "output": callback["output"],
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": items(callback["inputs"]),
            "changedPropIds": [changed],
            "state": items(callback["state"]),
        }
    ).encode()


def find_props(layout: Any, component_id: str) -> dict[str, Any]:
    """The props of the component ``component_id`` in a rendered Dash layout."""
    stack = [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("props")
            if isinstance(props, dict) and props.get("id") == component_id:
                return props
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    raise LookupError(f"{component_id} not in the layout")


# --- the simulated clients -----------------------------------------------------------------------


class Client(Protocol):
    endpoint: str
    open_loop: bool  # the next request is due on schedule, whether or not this one was answered

    def act(self, http: Http) -> tuple[Answer, bool]: ...
    def next_due(self, due: float, now: float) -> float: ...


class WallScreen:
    """One /live screen: ticks every 5 s with the wall-state it was last sent, as the browser does."""

    endpoint, open_loop = "wall_tick", False

    def __init__(self, tick: dict[str, Any], state: dict[str, Any], level: str, cookies: Cookies, referer: str):
        self.tick, self.state, self.level, self.cookies, self.referer = tick, state, level, cookies, referer
        self.n = 0

    def act(self, http: Http) -> tuple[Answer, bool]:
        self.n += 1
        payload = callback_body(
            self.tick,
            {"wall-tick.n_intervals": self.n, "wall-state.data": self.state, "wall-level.value": self.level},
            "wall-tick.n_intervals",
        )
        headers = {"Content-Type": "application/json", "Referer": self.referer, **self.cookies.headers()}
        answer = http.call("POST", "/_dash-update-component", payload, headers)
        if answer.status == 200:
            self.state = answer.json()["response"]["wall-state"]["data"]
        return answer, answer.status in (200, 204)

    def next_due(self, due: float, now: float) -> float:
        return max(due + TICK_S, now)


class Leader:
    """A leader on /pimpinan choosing another filter combination every few seconds."""

    endpoint, open_loop = "leaders_filter", False

    def __init__(self, token: str, states: list[dict[str, Any]], seed: int):
        self.token, self.states, self.rng = token, states, random.Random(seed)

    def act(self, http: Http) -> tuple[Answer, bool]:
        payload = body(self.rng.choice(self.states))
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        answer = http.call("POST", "/_dash-update-component", payload, headers)
        return answer, answer.status == 200 and not answer.json()["response"]["pim-error"]["children"]

    def next_due(self, due: float, now: float) -> float:
        return now + self.rng.uniform(*THINK_S)


class Reporter:
    """Open311 clients filing ``rate`` new complaints per second; remembers what was acknowledged."""

    endpoint, open_loop = "open311_create", True

    def __init__(self, key: str, points: list[tuple[float, float]], rate: float):
        self.key, self.points, self.interval = key, points, 1 / rate if rate > 0 else math.inf
        self.run_id = secrets.token_hex(4)
        self.counter = itertools.count()
        self.acknowledged: list[str] = []

    def act(self, http: Http) -> tuple[Answer, bool]:
        i = next(self.counter)
        lat, lon = self.points[i % len(self.points)]
        form = {
            "api_key": self.key,
            "service_code": "sampah",
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
            "description": f"bench load {self.run_id} #{i}: sampah menumpuk",
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = http.call("POST", "/open311/v2/requests.json", urllib.parse.urlencode(form).encode(), headers)
        if answer.status in (200, 201):
            code = answer.json()[0].get("service_request_id")
            if code:
                self.acknowledged.append(code)
                return answer, True
        return answer, False

    def next_due(self, due: float, now: float) -> float:
        return due + self.interval


# --- the schedule and the pool ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    endpoint: str
    sent: float
    done: float
    status: int
    ok: bool
    clean: bool
    lag: float  # seconds between the request's due time and a pool thread taking it
    detail: str = ""  # what a failure said (status and the start of the body)


class Schedule:
    """Clients ordered by when their next request is due, handed to a bounded pool of threads.

    One thread (``dispatch``) sleeps until the earliest request is due and hands it to one idle pool thread
    through a queue. When every pool thread waited for the earliest due time itself, all of them woke at
    each one (68 requests a second, 256 threads): the client took a fifth of the two cores it shares with
    the server it measures.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Client]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()
        self._due: queue.Queue[tuple[float, Client]] = queue.Queue()

    def add(self, due: float, client: Client) -> None:
        with self._changed:
            order = next(self._order)
            heapq.heappush(self._heap, (due, order, client))
            if self._heap[0][1] == order:  # a new earliest: the dispatcher sleeps until it instead
                self._changed.notify()

    def dispatch(self, stop: threading.Event) -> None:
        """Hand each client to the pool when its request is due, until ``stop``."""
        with self._changed:
            while not stop.is_set():
                wait = self._heap[0][0] - time.monotonic() if self._heap else STOP_POLL_S
                if wait > 0:
                    self._changed.wait(min(wait, STOP_POLL_S))
                    continue
                due, _, client = heapq.heappop(self._heap)
                self._due.put((due, client))

    def take(self, stop: threading.Event) -> tuple[float, Client] | None:
        """The next due client for a pool thread, or None once ``stop`` is set."""
        while not stop.is_set():
            try:
                return self._due.get(timeout=STOP_POLL_S)
            except queue.Empty:
                continue
        return None


def _serve_clients(http: Http, schedule: Schedule, stop: threading.Event, samples: list[Sample]) -> None:
    while (item := schedule.take(stop)) is not None:
        due, client = item
        taken = time.monotonic()
        if client.open_loop:
            schedule.add(client.next_due(due, taken), client)
        try:
            answer, ok = client.act(http)
        except Exception as exc:  # an answer that is not what a browser expects: a failure, and the thread goes on
            answer, ok = Answer(-1, repr(exc).encode(), None, taken, time.monotonic()), False
        detail = "" if ok else f"{answer.status} {answer.body[:120]!r}"
        samples.append(
            Sample(
                client.endpoint, answer.sent, answer.done, answer.status, ok, answer.clean_failure, taken - due, detail
            )
        )
        if not client.open_loop and not stop.is_set():
            schedule.add(client.next_due(due, time.monotonic()), client)


# --- processes, from /proc ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    cpu_ticks: int
    started: int


def processes() -> dict[int, Proc]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        found[pid] = Proc(pid, int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[19]))
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def children(table: dict[int, Proc], pid: int) -> list[int]:
    return [p.pid for p in table.values() if p.ppid == pid]


def gunicorn_master() -> int:
    """The gunicorn that bench.common.served started (a child of this process)."""
    for pid in children(processes(), os.getpid()):
        if any("gunicorn" in arg for arg in _cmdline(pid)):
            return pid
    raise RuntimeError("gunicorn master not found")


def cluster_pids(table: dict[int, Proc], pgdata: Path) -> list[int]:
    """The postmaster whose -D is ``pgdata``, and its children."""
    wanted = str(pgdata.resolve())
    for proc in table.values():
        args = _cmdline(proc.pid)
        is_postmaster = "-D" in args[:-1] and Path(args[0]).name == "postgres"
        if is_postmaster and str(Path(args[args.index("-D") + 1]).resolve()) == wanted:
            return [proc.pid, *children(table, proc.pid)]
    return []


class Sampler(threading.Thread):
    """Each second: CPU time of the database cluster's processes, resident memory of each gunicorn worker."""

    def __init__(self, pgdata: Path, master: int):
        super().__init__(daemon=True)
        self.pgdata, self.master = pgdata, master
        self.stop = threading.Event()
        self.cpu: dict[tuple[int, int], tuple[int, int]] = {}  # (pid, start) -> (ticks first seen, ticks last seen)
        self.rss: list[float] = []
        self._first = True

    def sample(self) -> None:
        table = processes()
        for pid in cluster_pids(table, self.pgdata):
            proc = table[pid]
            key = (pid, proc.started)
            # A process already running at the start counts from then; one started later counts whole.
            first = self.cpu[key][0] if key in self.cpu else (proc.cpu_ticks if self._first else 0)
            self.cpu[key] = (first, proc.cpu_ticks)
        self._first = False
        for pid in children(table, self.master):
            with suppress(OSError):  # a worker that just exited
                self.rss.append(_rss_mb(pid))

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.sample()

    def finish(self) -> None:
        self.stop.set()
        self.join()
        self.sample()

    def db_cpu_seconds(self) -> float:
        return sum(last - first for first, last in self.cpu.values()) / CLOCK_TICKS


# --- set-up: the database copy, the photo folder, accounts ------------------------------------------------


@contextmanager
def load_database(complaints: int) -> Iterator[str]:
    """A throw-away copy of ``pantau_bench_<complaints>``, dropped afterwards; yields its URL."""
    source = bench_database(complaints)
    template = source.url.database
    source.dispose()
    admin = create_engine(source.url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{LOAD_DATABASE}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        # FILE_COPY (PostgreSQL 15+) copies the files instead of writing a million rows through the WAL.
        strategy = (
            " STRATEGY FILE_COPY" if int(conn.execute(text("SHOW server_version_num")).scalar_one()) >= 150000 else ""
        )
        started = time.monotonic()
        while True:
            try:
                conn.execute(text(f'CREATE DATABASE "{LOAD_DATABASE}" TEMPLATE "{template}"{strategy}'))
                break
            except OperationalError as exc:  # someone is connected to the template
                if time.monotonic() - started > 30:
                    raise RuntimeError(f"cannot copy {template}: {exc.orig}") from exc
                time.sleep(1)
    log(f"load: copied {template} to {LOAD_DATABASE} in {time.monotonic() - started:.1f} s")
    try:
        yield source.url.set(database=LOAD_DATABASE).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


@contextmanager
def data_folder(small_photo_disk: bool) -> Iterator[tuple[Path, str | None]]:
    """A PANTAU_DATA_DIR for the served app; its photos/ on a 2 MB tmpfs when asked and root.

    Yields the folder and why the photo disk is not small (None when it is).
    """
    folder = Path(tempfile.mkdtemp(prefix="pantau-load-"))
    photos = folder / "photos"
    photos.mkdir()
    why_not = None if small_photo_disk else "faults are off"
    if why_not is None and os.geteuid() != 0:
        why_not = "mounting a tmpfs needs root"
    mounted = False
    if why_not is None:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={PHOTO_DISK}", "tmpfs", str(photos)], capture_output=True, text=True
        )
        mounted = done.returncode == 0
        why_not = None if mounted else f"mount failed: {done.stderr.strip()}"
    try:
        yield folder, why_not
    finally:
        if mounted and subprocess.run(["umount", str(photos)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(photos)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class Setup:
    api_key: str
    states: list[dict[str, Any]]
    points: list[tuple[float, float]]
    job: str  # tracking code of a complaint assigned to the field account, for the photo faults


def prepare(engine: Engine) -> Setup:
    """Accounts, an API key and a job for the field account, in the throw-away copy."""
    from db.accounts import create_api_key, create_user
    from db.complaints import Actor, NewComplaint, create_complaint, transition

    points = kelurahan_points(engine, 200)
    with engine.begin() as conn:
        key = create_api_key(conn, API_KEY_NAME)
        for username, password, role in ((USERNAME, PASSWORD, "leader"), (FIELD_USER, FIELD_PASSWORD, "field")):
            if not conn.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": username}).first():
                create_user(conn, username, password, role)
        states = combinations(*filter_choices(conn))
        lat, lon = points[0]
        job = create_complaint(
            conn, NewComplaint(category="sampah", description="bench load: photo faults", lat=lat, lon=lon)
        )
        operator = Actor(role="operator")
        transition(conn, job.id, "verify", operator)
        transition(conn, job.id, "assign", operator, assignee=FIELD_USER)
    return Setup(key, states, points, job.tracking_code)


def token(http: Http, username: str, password: str) -> str:
    answer = http.call(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password}).encode(),
        {"Content-Type": "application/json"},
    )
    if answer.status != 200:
        raise RuntimeError(f"log-in as {username} failed: {answer.status} {answer.body[:200]!r}")
    return str(answer.json()["access_token"])


def open_walls(http: Http, count: int) -> list[WallScreen]:
    """``count`` kiosk screens on /live: each loads the page (its own cookies); the layout is rendered once."""
    callbacks = json.loads(http.call("GET", "/_dash-dependencies").body)
    tick = next(c for c in callbacks if any(i["id"] == "wall-tick" for i in c["inputs"]))
    router = next(c for c in callbacks if any(i["id"] == "_pages_location" for i in c["inputs"]))
    screens = []
    state: dict[str, Any] = {}
    level = ""
    for i in range(count):
        cookies = Cookies()
        cookies.take(http.call("GET", "/live?kiosk=1"))
        if i == 0:
            # Every kiosk screen of the whole area starts from the same layout: render it once, like the first.
            values = {"_pages_location.pathname": "/live", "_pages_location.search": "?kiosk=1"}
            answer = http.call(
                "POST",
                "/_dash-update-component",
                callback_body(router, values, "_pages_location.pathname"),
                {"Content-Type": "application/json", **cookies.headers()},
            )
            if answer.status != 200:
                raise RuntimeError(f"the wall layout failed: {answer.status} {answer.body[:300]!r}")
            layout = answer.json()["response"]["_pages_content"]["children"]
            state = find_props(layout, "wall-state")["data"]
            level = find_props(layout, "wall-level")["value"]
            log(f"load: wall layout {len(answer.body)} bytes in {(answer.done - answer.sent) * 1000:.0f} ms")
        screens.append(WallScreen(tick, state, level, cookies, f"http://{http.host}:{http.port}/live?kiosk=1"))
    return screens


# --- the load, with fault a inside it ---------------------------------------------------------------------


class Restart(threading.Thread):
    """Fault a: restarts the cluster at ``at`` (monotonic seconds, set by run_load) unless stopped first."""

    def __init__(self, pgdata: Path):
        super().__init__(daemon=True)
        self.pgdata, self.at, self.stop = pgdata, math.inf, threading.Event()
        self.started = self.done = math.inf
        self.error: str | None = None

    @property
    def ran(self) -> bool:
        return self.done < math.inf

    def run(self) -> None:
        if self.stop.wait(max(0.0, self.at - time.monotonic())):
            return
        self.started = time.monotonic()
        try:
            restart_postgres(self.pgdata)
        except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
            self.error = str(exc)
        self.done = time.monotonic()
        log(
            f"load: PostgreSQL restarted in {self.done - self.started:.1f} s"
            + (f" ({self.error})" if self.error else "")
        )


def restart_postgres(pgdata: Path) -> None:
    """``pg_ctl restart -m fast``, as the cluster's owner when root (as scripts/pg.sh does)."""
    version = (pgdata / "PG_VERSION").read_text().strip()
    pg_ctl = Path(f"/usr/lib/postgresql/{version}/bin/pg_ctl")
    server_log = pgdata.parent / "server.log"  # scripts/pg.sh's layout; pg_ctl forgets -l across a restart
    command = [str(pg_ctl), "-D", str(pgdata), "-l", str(server_log), "-m", "fast", "-w", "-t", "60", "restart"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", pwd.getpwuid(pgdata.stat().st_uid).pw_name, "--", *command]
    with tempfile.TemporaryFile() as output:
        done = subprocess.run(command, stdout=output, stderr=output, timeout=120)
        if done.returncode != 0:
            output.seek(0)
            raise RuntimeError(f"pg_ctl restart failed: {output.read().decode(errors='replace')[-1000:]}")


def run_load(
    http: Http, clients: list[Client], duration: float, pool: int, restart: Restart | None
) -> tuple[list[Sample], float]:
    """Every client on its schedule for ``duration`` seconds; returns the samples and the client's CPU seconds."""
    schedule, stop = Schedule(), threading.Event()
    samples: list[Sample] = []
    rng = random.Random(7)
    start = time.monotonic() + 0.5
    for client in clients:
        spread = 0.0 if client.open_loop else rng.uniform(0, TICK_S)
        schedule.add(start + spread, client)
    threads = [threading.Thread(target=schedule.dispatch, args=(stop,), daemon=True)] + [
        threading.Thread(target=_serve_clients, args=(http, schedule, stop, samples), daemon=True) for _ in range(pool)
    ]
    cpu_before = _own_cpu()
    try:
        for thread in threads:
            thread.start()
        if restart is not None:
            restart.at = start + duration / 2
            restart.start()
        time.sleep(max(0.0, start + duration - time.monotonic()))
    finally:  # also on Ctrl-C or the deadline: no request leaves after this
        stop.set()
        if restart is not None:
            restart.stop.set()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT_S + 5)
    if restart is not None and restart.is_alive():
        restart.join(150)
    return samples, _own_cpu() - cpu_before


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else math.nan


def report_load(samples: list[Sample], duration: float, outage: tuple[float, float] | None) -> None:
    """Requests, errors outside the outage, latencies and rates per endpoint."""
    total_errors = 0
    for endpoint in ENDPOINTS:
        mine = [s for s in samples if s.endpoint == endpoint]
        errors = [s for s in mine if not s.ok and not _in(outage, s)]
        total_errors += len(errors)
        latencies = [(s.done - s.sent) * 1000 for s in mine if s.ok]
        if not mine:
            continue
        emit(f"load_{endpoint}_requests", len(mine), "requests")
        emit(f"load_{endpoint}_per_s", len(mine) / duration, "requests/s")
        emit(f"load_{endpoint}_errors", len(errors), "requests")
        for q in (50, 95, 99):
            if latencies:
                emit(f"load_{endpoint}_ms_p{q}", _percentile(latencies, q / 100), "ms")
        if errors:
            log(f"load: {endpoint} failed {len(errors)} times outside the restart: {_examples(errors)}")
    emit("load_errors_total", total_errors, "requests")
    ticks = [s for s in samples if s.endpoint == "wall_tick" and s.ok]
    emit("load_wall_tick_changed_pct", 100 * sum(s.status == 200 for s in ticks) / max(1, len(ticks)), "%")
    emit("load_client_lag_ms_p95", _percentile([s.lag * 1000 for s in samples], 0.95), "ms")
    log_over_time(samples)


def log_over_time(samples: list[Sample], window_s: float = 30.0) -> None:
    """Each endpoint's p95 per window of the load, as a log line: where in the run the slow requests were."""
    if not samples:
        return
    start = min(s.sent for s in samples)
    for endpoint in ENDPOINTS:
        windows: dict[int, list[float]] = {}
        for s in samples:
            if s.endpoint == endpoint and s.ok:
                windows.setdefault(int((s.sent - start) // window_s), []).append((s.done - s.sent) * 1000)
        figures = " ".join(f"{_percentile(windows[w], 0.95):.0f}" for w in sorted(windows))
        log(f"load: {endpoint} p95 ms per {window_s:.0f} s: {figures}")


def _examples(failures: list[Sample]) -> list[str]:
    return sorted({f"{s.endpoint}: {s.detail}" for s in failures})[:5]


def _in(window: tuple[float, float] | None, sample: Sample) -> bool:
    return window is not None and window[0] <= sample.done <= window[1]


def report_restart(samples: list[Sample], restart: Restart, reporter: Reporter, engine: Engine) -> None:
    """Fault a: nothing acknowledged is lost, the outage fails cleanly, every endpoint recovers."""
    if not restart.ran:
        log("load: the restart did not happen (the load ended first)")
        emit("fault_restart_pass", 0, "pass")
        return
    window = (restart.started, restart.done + OUTAGE_GRACE_S)
    failed = [s for s in samples if not s.ok and _in(window, s)]
    unclean = [s for s in failed if not s.clean]
    codes = sorted(set(reporter.acknowledged))
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM complaint WHERE tracking_code = ANY(:codes)"), {"codes": codes}
        ).scalar_one()
    lost = len(codes) - found
    emit("fault_restart_downtime_s", restart.done - restart.started, "s")
    emit("fault_restart_acknowledged", len(codes), "complaints")
    emit("fault_restart_lost", lost, "complaints")
    emit("fault_restart_clean_failures", len(failed) - len(unclean), "requests")
    emit("fault_restart_unclean", len(unclean), "requests")
    if unclean:
        log(f"load: unclean failures during the restart: {_examples(unclean)}")
    recovered = True
    for endpoint in ENDPOINTS:
        after = [s.done for s in samples if s.endpoint == endpoint and s.ok and s.sent >= restart.done]
        if not any(s.endpoint == endpoint for s in samples):
            continue
        if after:
            emit(f"fault_restart_recovery_s_{endpoint}", min(after) - restart.started, "s")
        else:
            recovered = False
            log(f"load: {endpoint} never succeeded after the restart")
    passed = restart.error is None and lost == 0 and not unclean and recovered
    emit("fault_restart_pass", int(passed), "pass")


def request_endpoint(entry: dict[str, Any], leaders_output: str) -> str | None:
    """Which of the load's endpoints a request-log line is (None: any other request); ``leaders_output``: the
    outputs the leaders' filter callback names."""
    if entry.get("path") == "/open311/v2/requests.json" and entry.get("method") == "POST":
        return "open311_create"
    callback = str(entry.get("callback", ""))
    if "wall-state.data" in callback:
        return "wall_tick"
    if callback and leaders_output.startswith(callback):  # the log keeps its first 160 characters
        return "leaders_filter"
    return None


def report_server_cpu(server_log: IO[bytes], start: int, end: int) -> None:
    """CPU ms per request by endpoint, from the request-log lines the server wrote during the load."""
    server_log.seek(start)
    cpu: dict[str, list[float]] = {}
    leaders_output = str(request_body()["output"])
    for line in server_log.read(end - start).splitlines():
        if not line.startswith(b"{"):
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        endpoint = request_endpoint(entry, leaders_output) if entry.get("event") == "request" else None
        if endpoint is not None and "cpu_ms" in entry:
            cpu.setdefault(endpoint, []).append(float(entry["cpu_ms"]))
    for endpoint, values in sorted(cpu.items()):
        emit(f"load_{endpoint}_cpu_ms_mean", sum(values) / len(values), "ms")
        emit(f"load_{endpoint}_cpu_ms_p95", _percentile(values, 0.95), "ms")


def server_tracebacks(server_log: IO[bytes]) -> int:
    server_log.seek(0)
    count = 0
    for line in server_log:
        if b'"traceback"' in line or line.startswith(b"Traceback"):
            count += 1
    return count


# --- faults b and c: photos --------------------------------------------------------------------------------


def sample_photo(seed: int) -> bytes:
    """A 2400×1800 JPEG, different for each seed, that takes the server some tens of ms to re-encode."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize((2400, 1800)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, r = rng.randrange(2400), rng.randrange(1800), rng.randrange(20, 200)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def multipart(photo: bytes, name: str) -> tuple[bytes, str]:
    boundary = f"pantau-load-{secrets.token_hex(8)}"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncompletion\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head + photo + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(http: Http, bearer: str, code: str, photo: bytes) -> Answer:
    payload, content_type = multipart(photo, "foto.jpg")
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": content_type}
    return http.call("POST", f"/api/v1/complaints/{code}/photos", payload, headers)


def worker_serving(client_port: int, server_port: int, workers: list[int]) -> int | None:
    """The gunicorn worker holding the server side of our connection (from /proc/net/tcp and its fds)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":"), fields[2].split(":")
        if int(local[1], 16) == server_port and int(remote[1], 16) == client_port:
            inode = fields[9]
    if inode is None:
        return None
    for pid in workers:
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
        except OSError:
            continue
    return None


@dataclass(frozen=True)
class KillTrial:
    label: str
    body_fraction: float  # how much of the body is sent before the kill
    delay_s: float = 0.0  # after the whole body: how long to wait before the kill


KILL_TRIALS = (
    KillTrial("inside the body (30%)", 0.3),
    KillTrial("inside the body (95%)", 0.95),
    *(KillTrial(f"{ms} ms after the body", 1.0, ms / 1000) for ms in (0, 20, 40, 70, 110)),
)


def killed_upload(http: Http, bearer: str, code: str, photo: bytes, trial: KillTrial, master: int) -> str:
    """Send an upload slowly, SIGKILL the worker reading it at the trial's moment; says what happened."""
    payload, content_type = multipart(photo, "foto.jpg")
    head = (
        f"POST /api/v1/complaints/{code}/photos HTTP/1.1\r\nHost: {http.host}:{http.port}\r\n"
        f"Authorization: Bearer {bearer}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((http.host, http.port), timeout=30) as sock:
        sock.sendall(head + payload[:1024])
        pid = None
        for _ in range(100):
            pid = worker_serving(sock.getsockname()[1], http.port, children(processes(), master))
            if pid:
                break
            time.sleep(0.02)
        if pid is None:
            return "no worker took the connection"
        cut = int(len(payload) * trial.body_fraction)
        for offset in range(1024, cut, 16384):  # slowly: 16 KB every 10 ms
            sock.sendall(payload[offset : min(offset + 16384, cut)])
            time.sleep(0.01)
        time.sleep(trial.delay_s if trial.body_fraction >= 1 else 0.2)
        if select.select([sock], [], [], 0)[0]:
            return "answered before the kill"
        os.kill(pid, signal.SIGKILL)
        sock.settimeout(10)
        try:
            answer = sock.recv(256)
        except OSError as exc:
            return f"killed worker {pid}; the client saw {exc.__class__.__name__}"
        return f"killed worker {pid}; the client saw " + (repr(answer[:40]) if answer else "the connection closed")


def wait_for_workers(http: Http, master: int, workers: int) -> None:
    """Until gunicorn has replaced a killed worker and the app answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(children(processes(), master)) >= workers and http.call("GET", "/healthz").status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not replace the killed worker within 60 s")


def bad_photo_rows(engine: Engine, photos: Path, after_id: int) -> list[str]:
    """Photo rows (newer than ``after_id``) whose file or thumbnail is missing, short or not a whole image."""
    bad = []
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, storage_key, thumb_key, byte_size FROM photo WHERE id > :after ORDER BY id"),
            {"after": after_id},
        ).all()
    for row in rows:
        main, thumb = photos / row.storage_key, photos / row.thumb_key
        if not main.is_file() or main.stat().st_size != row.byte_size or not _whole_image(main):
            bad.append(f"photo {row.id}: {row.storage_key}")
        if not thumb.is_file() or not _whole_image(thumb):
            bad.append(f"photo {row.id}: {row.thumb_key}")
    return bad


def _whole_image(path: Path) -> bool:
    try:
        with Image.open(path) as image:
            image.load()
    except (OSError, SyntaxError):
        return False
    return True


def stray_files(photos: Path) -> list[Path]:
    return list(photos.rglob(".tmp-*"))


def orphan_files(engine: Engine, photos: Path) -> list[Path]:
    with engine.connect() as conn:
        keys = {k for row in conn.execute(text("SELECT storage_key, thumb_key FROM photo")) for k in row if k}
    return [
        p for p in photos.rglob("*.jpg") if not p.name.startswith(".tmp-") and str(p.relative_to(photos)) not in keys
    ]


def max_photo_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM photo")).scalar_one())


def fault_kill_worker(http: Http, bearer: str, setup: Setup, engine: Engine, photos: Path, workers: int) -> None:
    """Fault b: SIGKILL the worker handling a photo upload; no row may point at a missing or partial file."""
    master = gunicorn_master()
    before = max_photo_id(engine)
    sent = []
    for i, trial in enumerate(KILL_TRIALS):
        photo = sample_photo(1000 + i)
        sent.append(photo)
        log(f"load: kill during upload, {trial.label}: {killed_upload(http, bearer, setup.job, photo, trial, master)}")
        wait_for_workers(http, master, workers)
    bad = bad_photo_rows(engine, photos, before)
    stray = stray_files(photos)
    orphans = orphan_files(engine, photos)
    retries = [upload(http, bearer, setup.job, photo).status for photo in sent]
    failed = [s for s in retries if s not in (200, 201)]
    if bad:
        log(f"load: photo rows with a missing or partial file: {bad}")
    log(f"load: after the kills, stray temporary files {[p.name for p in stray]}, retries answered {retries}")
    emit("fault_kill_trials", len(KILL_TRIALS), "uploads")
    emit("fault_kill_bad_photo_rows", len(bad), "rows")
    emit("fault_kill_stray_tmp_files", len(stray), "files")
    emit("fault_kill_orphan_files", len(orphans), "files")
    emit("fault_kill_retry_failed", len(failed), "uploads")
    emit("fault_kill_pass", int(not bad and not failed), "pass")


def database_state(engine: Engine, code: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM complaint) AS complaints, (SELECT count(*) FROM photo) AS photos,"
                    " (SELECT count(*) FROM complaint_event) AS events, c.status, c.version, c.updated_at"
                    " FROM complaint c WHERE c.tracking_code = :code"
                ),
                {"code": code},
            )
            .mappings()
            .one()
        )


def fill(folder: Path) -> Path:
    """Write into ``folder`` until its filesystem is full; returns the file written."""
    filler = folder / "fill.bin"
    with filler.open("wb", buffering=0) as handle:
        while True:
            try:
                handle.write(b"\0" * 65536)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                return filler


def fault_disk_full(http: Http, bearer: str, setup: Setup, engine: Engine, photos: Path) -> None:
    """Fault c: an upload onto a full photo disk gets a clear error and changes nothing."""
    filler = fill(photos)
    before, stray_before = database_state(engine, setup.job), len(stray_files(photos))
    answer = upload(http, bearer, setup.job, sample_photo(2000))
    after = database_state(engine, setup.job)
    try:
        message = answer.json()
    except ValueError:
        message = {}
    clear = answer.status in (503, 507) and message.get("reason") == "photo_storage_full"
    log(f"load: upload onto the full disk answered {answer.status} {answer.body[:200]!r}")
    filler.unlink()
    recovered = upload(http, bearer, setup.job, sample_photo(2000)).status in (200, 201)
    stray = len(stray_files(photos)) - stray_before
    emit("fault_disk_full_status", answer.status, "status")
    emit("fault_disk_full_clear_error", int(clear), "pass")
    emit("fault_disk_full_db_unchanged", int(before == after), "pass")
    emit("fault_disk_full_stray_tmp_files", stray, "files")
    emit("fault_disk_full_recovered", int(recovered), "pass")
    emit("fault_disk_full_pass", int(clear and before == after and stray == 0 and recovered), "pass")


# --- the run -----------------------------------------------------------------------------------------------


class Deadline(Exception):
    pass


def _deadline(_signum: int, _frame: Any) -> None:
    raise Deadline("bench.load: the hard deadline passed; stopping")


def run(argv: list[str] | None = None) -> None:
    """``python -m bench load`` runs the defaults; ``python -m bench.load`` takes options."""
    args = parse_args(argv if argv is not None else [])
    pgdata = args.pgdata.resolve()  # before PANTAU_DATA_DIR is pointed at the served app's own folder
    with load_database(args.complaints) as url:
        signal.signal(signal.SIGALRM, _deadline)
        signal.alarm(int(args.duration) + DEADLINE_EXTRA_S)
        try:
            measure(args, url, pgdata)
        finally:
            signal.alarm(0)


@contextmanager
def shared_cache(wanted: bool) -> Iterator[str]:
    """A redis-server's URL for the workers' shared cache, or "" (a cache per worker)."""
    if not wanted:
        yield ""
        return
    with redis_server() as url:
        log(f"load: workers share a cache in {url}")
        yield url


def measure(args: argparse.Namespace, url: str, pgdata: Path) -> None:
    """Serve the copy at ``url``, load it (restarting the cluster halfway), then the photo faults."""
    engine = create_engine(url, pool_pre_ping=True)
    try:
        setup = prepare(engine)
        with (
            data_folder(args.faults) as (folder, why_not_small),
            # Every simulated client comes from 127.0.0.1: lift the per-address limits on reports and log-ins.
            shared_cache(args.redis) as redis_url,
            environment(
                PANTAU_DATA_DIR=str(folder),
                PANTAU_SUBMIT_RATE="1000000/minute",
                PANTAU_LOGIN_RATE="1000000/minute",
                # One Open311 client sends every --rate report: its key's own quota must not be what is measured.
                PANTAU_API_KEY_RATE="1000000/minute",
                PANTAU_REDIS_URL=redis_url,
            ),
            tempfile.TemporaryFile() as server_log,
            served(url, workers=args.workers, log=server_log) as base,
        ):
            http = Http(base)
            reporter = Reporter(setup.api_key, setup.points, args.rate)
            clients: list[Client] = [
                *open_walls(http, args.walls),
                *(Leader(token(http, USERNAME, PASSWORD), setup.states, seed) for seed in range(args.leaders)),
                *([reporter] if args.rate > 0 else []),
            ]
            restart = Restart(pgdata) if args.faults else None
            load_started_at = os.fstat(server_log.fileno()).st_size
            samples = load_phase(http, clients, args, pgdata, restart)
            report_server_cpu(server_log, load_started_at, os.fstat(server_log.fileno()).st_size)
            if restart is not None:
                report_restart(samples, restart, reporter, engine)
            if args.faults:
                field_token = token(http, FIELD_USER, FIELD_PASSWORD)
                fault_kill_worker(http, field_token, setup, engine, folder / "photos", args.workers)
                if why_not_small is None:
                    fault_disk_full(http, field_token, setup, engine, folder / "photos")
                else:
                    log(f"load: fault c (full photo disk) skipped: {why_not_small}")
            emit("load_server_tracebacks", server_tracebacks(server_log), "tracebacks")
    finally:
        engine.dispose()


def load_phase(
    http: Http, clients: list[Client], args: argparse.Namespace, pgdata: Path, restart: Restart | None
) -> list[Sample]:
    """The load with its figures: requests per endpoint, and what the database, client and workers used."""
    pool = min(256, args.walls + args.leaders + max(8, int(args.rate * 2)))
    log(
        f"load: {args.walls} walls, {args.leaders} leaders, {args.rate:g} creates/s for {args.duration:g} s;"
        f" {args.workers} gunicorn workers, {pool} client threads, {args.complaints} complaints"
    )
    sampler = Sampler(pgdata, gunicorn_master())
    sampler.sample()
    sampler.start()
    started = time.monotonic()
    samples, client_cpu = run_load(http, clients, args.duration, pool, restart)
    elapsed = time.monotonic() - started
    sampler.finish()
    cores = os.cpu_count() or 1
    report_load(samples, args.duration, (restart.started, restart.done + OUTAGE_GRACE_S) if restart else None)
    emit("load_db_cpu_pct", 100 * sampler.db_cpu_seconds() / (elapsed * cores), "%")
    emit("load_client_cpu_pct", 100 * client_cpu / (elapsed * cores), "%")
    emit("load_worker_rss_mb_peak", max(sampler.rss, default=0.0), "MB")
    emit("load_worker_rss_mb_mean", sum(sampler.rss) / max(1, len(sampler.rss)), "MB")
    return samples


if __name__ == "__main__":
    run(sys.argv[1:])
