"""Leaders' dashboard with 1,000,000 complaints: filter latency through the Dash callback, and a 1M-row CSV export.

Figures:
- ``leaders_filter_ms_p50`` / ``_p95``: 50 random filter combinations (areas, OPD,
  category, status colour, channel, period, map level; fixed seed), each posted
  once to ``/_dash-update-component`` as the browser does, so none is a cache hit.
- ``leaders_filter_all_ms``: the unfiltered view (the page as first opened), cold;
  ``leaders_filter_cached_ms``: the same request again (the data version has not moved).
- ``export_csv_rows_per_s`` for the whole million, and the server process's resident
  memory during exports of 100,000 and 1,000,000 rows (``export_csv_peak_rss_mb_100k``,
  ``export_csv_peak_rss_mb_1m``): streaming means the second is no larger than the first.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from bench.common import bench_database, bench_url, emit, log, served
from layouts._pimpinan_wiring import request_body

COMPLAINTS = 1_000_000
COMBINATIONS = 50
USERNAME, PASSWORD = "bench-leader", "bench-leader-123"


def body(values: dict[str, Any]) -> bytes:
    """The JSON the browser posts when a filter changes."""
    return json.dumps(request_body("id", **values)).encode()


def combinations(
    areas: list[tuple[str, str, str | None]], opds: list[tuple[str, str]], categories: list[str]
) -> list[dict[str, Any]]:
    """Distinct random filter states, as a leader clicking around would produce them."""
    rng = random.Random(20261123)
    kota = [a for a in areas if a[1] == "kota"]
    kecamatan = [a for a in areas if a[1] == "kecamatan"]
    kelurahan = [a for a in areas if a[1] == "kelurahan"]
    parent = {code: up for code, _, up in areas}
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    while len(out) < COMBINATIONS:
        v: dict[str, Any] = {"pim-level": rng.choice(["kecamatan", "kecamatan", "kelurahan", "kota"])}
        roll = rng.random()
        if roll < 0.2:
            v["pim-kota"] = rng.choice(kota)[0]
        elif roll < 0.55:
            v["pim-kecamatan"] = rng.choice(kecamatan)[0]
            v["pim-kota"] = parent[v["pim-kecamatan"]]
        elif roll < 0.75:
            v["pim-kelurahan"] = rng.choice(kelurahan)[0]
            v["pim-kecamatan"] = parent[v["pim-kelurahan"]]
            v["pim-kota"] = parent[v["pim-kecamatan"]]
        if rng.random() < 0.3:
            city = v.get("pim-kota")
            v["pim-opd"] = rng.choice([code for code, of in opds if city is None or of == city])
        if rng.random() < 0.3:
            v["pim-category"] = rng.choice(categories)
        if rng.random() < 0.3:
            v["pim-status"] = rng.sample(["red", "yellow", "green", "grey"], rng.choice([1, 2]))
        if rng.random() < 0.2:
            v["pim-channel"] = rng.choice(["web", "app", "sms", "social", "call_centre", "walk_in"])
        v["pim-period"] = rng.choice(["all", "today", "7d", "30d", "month", "year"])
        key = json.dumps(v, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def filter_choices(
    conn: Connection,
) -> tuple[list[tuple[str, str, str | None]], list[tuple[str, str]], list[str]]:
    """(code, level, parent code) of every area, (code, kota code) of every OPD, and every category code.

    In code order, so the fixed seed of combinations() picks the same filters in every run and database.
    """
    areas = [
        (r.code, r.level, r.parent)
        for r in conn.execute(
            text(
                "SELECT a.code, a.level, p.code AS parent FROM area a LEFT JOIN area p ON p.id = a.parent_id"
                " ORDER BY a.code"
            )
        )
    ]
    opds = [
        (r.code, r.kota)
        for r in conn.execute(
            text("SELECT o.code, k.code AS kota FROM opd o JOIN area k ON k.id = o.jurisdiction_id ORDER BY o.code")
        )
    ]
    return areas, opds, [r[0] for r in conn.execute(text("SELECT code FROM category ORDER BY code"))]


def _post(base: str, token: str, payload: bytes) -> float:
    request = urllib.request.Request(
        f"{base}/_dash-update-component",
        data=payload,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    elapsed = (time.perf_counter() - started) * 1000
    error = answer["response"]["pim-error"]["children"]
    if error:
        raise RuntimeError(f"the dashboard refused the filters: {error}")
    return elapsed


def _server_pid() -> int:
    """The app process that bench.common.served started (a child of this process)."""
    me = os.getpid()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if ppid == me and b"app.py" in cmdline:
            return int(proc.name)
    raise RuntimeError("app process not found")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def peak_rss(pid: int) -> Iterator[list[float]]:
    """The largest resident memory of ``pid`` while the block runs (sampled every 20 ms)."""
    peak = [_rss_mb(pid)]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _rss_mb(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        done.set()
        thread.join()


def _export(base: str, token: str, query: str) -> tuple[int, float]:
    request = urllib.request.Request(f"{base}/api/v1/export.csv?{query}", headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    lines = 0
    with urllib.request.urlopen(request, timeout=3600) as response:
        total = int(response.headers["X-Total-Count"])
        while chunk := response.read(1 << 20):
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    # Quoted descriptions hold no newlines, so lines = header + rows.
    if lines - 1 != total:
        raise RuntimeError(f"export sent {lines - 1} rows, announced {total}")
    return total, elapsed


def run() -> None:
    engine = bench_database(COMPLAINTS)
    from db.accounts import create_user

    with engine.begin() as conn:
        if not conn.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": USERNAME}).first():
            create_user(conn, USERNAME, PASSWORD, "leader")
        choices = filter_choices(conn)
        hundred_k_day = conn.execute(
            text(
                "SELECT d FROM (SELECT (created_at AT TIME ZONE 'Asia/Jakarta')::date AS d, count(*) OVER (ORDER BY (created_at AT TIME ZONE 'Asia/Jakarta')::date DESC) AS n"
                "  FROM complaint) x WHERE n >= 100000 ORDER BY d DESC LIMIT 1"
            )
        ).scalar()
    engine.dispose()
    states = combinations(*choices)
    with served(bench_url(COMPLAINTS)) as base:
        token_request = urllib.request.Request(
            f"{base}/api/v1/auth/token",
            data=json.dumps({"username": USERNAME, "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(token_request, timeout=30) as response:
            token = json.loads(response.read())["access_token"]
        # Warm up the process (imports, the connection pool, boundaries) on a small view.
        _post(base, token, body({"pim-period": "today", "pim-kecamatan": "367101", "pim-level": "kelurahan"}))
        timings = []
        for state in states:
            timings.append(_post(base, token, body(state)))
        timings.sort()
        emit("leaders_filter_ms_p50", statistics.median(timings), "ms")
        emit("leaders_filter_ms_p95", timings[math.ceil(0.95 * len(timings)) - 1], "ms")  # nearest rank
        log(f"leaders filter timings (ms): {[round(t) for t in timings]}")
        everything = body({"pim-period": "all", "pim-level": "kecamatan"})
        emit("leaders_filter_all_ms", _post(base, token, everything), "ms")
        emit("leaders_filter_cached_ms", _post(base, token, everything), "ms")

        pid = _server_pid()
        with peak_rss(pid) as peak:
            rows, _ = _export(base, token, f"from={hundred_k_day}")
        emit("export_csv_peak_rss_mb_100k", peak[0], "MB")
        log(f"100k export: {rows} rows")
        with peak_rss(pid) as peak:
            rows, seconds = _export(base, token, "")
        emit("export_csv_rows_per_s", rows / seconds, "rows/s")
        emit("export_csv_peak_rss_mb_1m", peak[0], "MB")
        log(f"1M export: {rows} rows in {seconds:.1f} s")
