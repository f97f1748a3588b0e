"""The live-room wall screen in headless Chromium, with 0 and with 1,000,000 complaints.

Figures, each suffixed with the database size (``_0``, ``_1000000``):

- ``wall_first_render_ms``: navigation to the map drawn with its markers (median
  of 3 loads after one warm-up load; ``wall_first_render_cold_ms`` is the first
  load after the server started, caches empty);
- ``wall_layout_bytes``: body of the first page data (the page-content response);
- ``wall_idle_tick_bytes`` / ``wall_one_change_tick_bytes``: bytes of the tick
  response with nothing new / with one new complaint, headers and body (the
  body alone goes to the log);
- ``wall_new_complaint_visible_ms_p95``: from the call that creates a
  complaint to its marker in the plotted figure, over 20 complaints. Created
  through the Open311 API (``POST /open311/v2/requests.json``) when the app
  serves it, else through ``db.complaints.create_complaint`` (logged).

``PANTAU_BENCH_WALL_SIZES`` (default ``0,1000000``) picks the database sizes.
Complaints the bench creates are removed afterwards, so the kept benchmark
database keeps its size.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from sqlalchemy import Engine, text

from bench.common import (
    bench_database,
    bench_url,
    created_after,
    emit,
    kelurahan_points,
    log,
    remove_complaints,
    served,
)
from headless import start_chromium

CREATED = 20
LOADS = 3
# Resolves with performance.now() (ms since navigation began) once MapLibre has drawn every trace.
WAIT_DRAWN = """
const done = arguments[arguments.length - 1];
const wantMarkers = arguments[0];
function check() {
  const gd = document.querySelector('#wall-map .js-plotly-plot');
  const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
  const markers = gd && gd.data ? gd.data.filter(t => t.type === 'scattermap')
    .reduce((n, t) => n + (t.customdata || []).length, 0) : 0;
  if (map && map.loaded() && map.areTilesLoaded() && (!wantMarkers || markers > 0)) {
    requestAnimationFrame(() => done(performance.now()));
  } else {
    setTimeout(check, 10);
  }
}
check();
"""
# Resolves with Date.now() once a marker with an id above arguments[0] is plotted.
WAIT_NEW_ID = """
const done = arguments[arguments.length - 1];
const above = arguments[0];
const started = Date.now();
function check() {
  const gd = document.querySelector('#wall-map .js-plotly-plot');
  const found = gd && gd.data && gd.data.some(t => t.type === 'scattermap' && t.uid !== 'gone' &&
    (t.customdata || []).some(cd => cd[0] > above));
  if (found) { requestAnimationFrame(() => done(Date.now())); }
  else if (Date.now() - started > 20000) { done(null); }
  else { setTimeout(check, 10); }
}
check();
"""


def _browser() -> Any:
    driver = start_chromium(1920, 1080, logs=("performance", "browser"), profile="pantau-bench-")
    driver.set_script_timeout(60)
    return driver


def _responses(driver: Any) -> list[dict[str, Any]]:
    """Every /_dash-update-component exchange since the last call: what it asked for, status, bytes."""
    requests: dict[str, dict[str, Any]] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        rid = params.get("requestId")
        if message["method"] == "Network.requestWillBeSent" and "_dash-update-component" in params["request"]["url"]:
            requests[rid] = {"post": params["request"].get("postData", ""), "body": 0, "headers": 0, "status": None}
        elif rid in requests:
            if message["method"] == "Network.responseReceived":
                response = params["response"]
                requests[rid]["status"] = response["status"]
                # Status line, "Name: value\r\n" per header, blank line: what HTTP/1.1 sends before the body.
                requests[rid]["headers"] = len(
                    f"HTTP/1.1 {response['status']} {response.get('statusText', '')}\r\n\r\n"
                ) + sum(len(k) + len(v) + 4 for k, v in response.get("headers", {}).items())
            elif message["method"] == "Network.dataReceived":
                requests[rid]["body"] += params["dataLength"]
    for exchange in requests.values():
        exchange["wire"] = exchange["headers"] + exchange["body"]
    return [r for r in requests.values() if r["status"] is not None]


def _ticks(exchanges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in exchanges if '"wall-tick"' in r["post"] or "wall-tick.n_intervals" in r["post"]]


class Creator:
    """Creates complaints the way a client would: Open311 when served, else the library call."""

    def __init__(self, base: str, engine: Engine):
        self.base, self.engine, self.key_name, self.key = base, engine, "", ""
        self.before = self._max_id()
        try:
            from db.accounts import create_api_key

            self.key_name = f"bench-wall-{int(time.time())}"
            with engine.begin() as conn:
                self.key = create_api_key(conn, self.key_name)
            urllib.request.urlopen(f"{base}/open311/v2/services.json", timeout=10).read()
            self.via = "open311"
        except (ImportError, urllib.error.URLError, OSError) as exc:
            log(f"wall: Open311 not available ({exc}); creating through db.complaints.create_complaint")
            self.via = "create_complaint"

    def _max_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM complaint")).scalar_one())

    def create(self, lat: float, lon: float, i: int) -> None:
        description = f"Bench: sampah menumpuk {i} {time.time()}"
        if self.via == "open311":
            data = urllib.parse.urlencode(
                {"api_key": self.key, "service_code": "sampah", "lat": lat, "long": lon, "description": description}
            ).encode()
            with urllib.request.urlopen(f"{self.base}/open311/v2/requests.json", data=data, timeout=30) as response:
                response.read()
            return
        from db.complaints import NewComplaint, create_complaint

        with self.engine.begin() as conn:
            create_complaint(conn, NewComplaint(category="sampah", description=description, lat=lat, lon=lon))

    def clean(self) -> None:
        """Remove what the bench created."""
        remove_complaints(self.engine, created_after(self.engine, self.before))
        with self.engine.begin() as conn:
            if self.key_name:
                conn.execute(text("DELETE FROM api_key WHERE name = :n"), {"n": self.key_name})


def _render(driver: Any, url: str, want_markers: bool) -> tuple[float, list[dict[str, Any]]]:
    driver.get("about:blank")
    driver.get_log("performance")
    driver.get(url)
    drawn = float(driver.execute_async_script(WAIT_DRAWN, want_markers))
    return drawn, _responses(driver)


def measure(n: int) -> None:
    engine = bench_database(n)
    os.environ.setdefault("PANTAU_SUBMIT_RATE", "10000/minute")
    with served(bench_url(n)) as base:
        driver = _browser()
        creator = Creator(base, engine)
        try:
            url = f"{base}/live?kiosk=1"
            cold, exchanges = _render(driver, url, n > 0)
            renders = [_render(driver, url, n > 0)[0] for _ in range(LOADS)]
            page = max((r for r in exchanges if "_pages_content" in r["post"]), key=lambda r: r["body"])
            emit(f"wall_first_render_cold_ms_{n}", cold, "ms")
            emit(f"wall_first_render_ms_{n}", statistics.median(renders), "ms")
            emit(f"wall_layout_bytes_{n}", page["body"], "bytes")

            driver.get_log("performance")
            time.sleep(7)  # about three idle ticks
            idle = _ticks(_responses(driver))
            log(f"wall[{n}]: idle ticks {[(t['status'], t['body'], t['wire']) for t in idle]}")
            emit(f"wall_idle_tick_bytes_{n}", max(t["wire"] for t in idle), "bytes")

            points = kelurahan_points(engine, CREATED + 1)
            seen = creator._max_id()
            driver.get_log("performance")
            creator.create(*points[0], 0)
            if driver.execute_async_script(WAIT_NEW_ID, seen) is None:
                raise RuntimeError("the new complaint never appeared on the wall")
            time.sleep(0.5)
            changed = [t for t in _ticks(_responses(driver)) if t["status"] == 200]
            log(f"wall[{n}]: one-change ticks {[(t['status'], t['body'], t['wire']) for t in changed]}")
            emit(f"wall_one_change_tick_bytes_{n}", max(t["wire"] for t in changed), "bytes")

            delays = []
            for i, point in enumerate(points[1:], start=1):
                time.sleep(random.uniform(0.2, 2.2))  # land anywhere in the poll cycle
                seen = creator._max_id()
                started = time.time() * 1000
                creator.create(*point, i)
                shown = driver.execute_async_script(WAIT_NEW_ID, seen)
                if shown is None:
                    raise RuntimeError(f"complaint {i} never appeared on the wall")
                delays.append(shown - started)
            delays.sort()
            log(f"wall[{n}]: created via {creator.via}; delays ms {[round(d) for d in delays]}")
            emit(f"wall_new_complaint_visible_ms_p95_{n}", delays[int(0.95 * (len(delays) - 1) + 0.5)], "ms")
            errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            if errors:
                log(f"wall[{n}]: console errors: {errors[:3]}")
        finally:
            driver.quit()
            creator.clean()


def run() -> None:
    sizes = [int(s) for s in os.environ.get("PANTAU_BENCH_WALL_SIZES", "0,1000000").split(",") if s.strip()]
    for n in sizes:
        measure(n)
