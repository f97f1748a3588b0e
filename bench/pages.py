"""Time until each page is usable, in headless Chromium, as the people who use it open it.

For every database size (``PANTAU_BENCH_PAGES_SIZES``, default ``5000,1000000``;
the million is seeded once and kept, about 6 minutes on an idle machine) the
app is served and one Chromium (1920×1080) logs in as an operator, then opens
each page and waits until a user could use it:

- ``/operator``: the queue's first rows are in the table;
- ``/pengaduan/<code>`` (an open complaint): its action form is there with its choices;
- ``/pimpinan``: the figures and the shaded map are drawn;
- ``/live?kiosk=1``: the map is drawn with its markers;
- ``/lapor``: the form and its map are ready for a tap.

``PANTAU_BENCH_PAGES`` (comma-separated, default all five) picks the pages.

Then, on the complaint page, an action: ``page_complaint_action_ms_<n>`` (median of 3), from the click on
"Simpan" with "Verifikasi" chosen until the status badge shows the new status, the page redrawn in place
(no reload). Each on a new report made for it beside the page's own, removed afterwards.

Figures, per page and size: ``page_usable_ms_<page>_<n>`` (median of 3 loads after
one warm-up load), ``page_usable_cold_ms_<page>_<n>`` (the first load after the
server started, caches empty), ``page_callbacks_<page>_<n>`` (Dash callback
requests during the load) and ``page_payload_bytes_<page>_<n>`` (bytes of those
callback answers plus the page's own HTML). Every time is ``performance.now()``
at the moment the condition held: milliseconds since the navigation began.
"""

from __future__ import annotations

import json
import os
import statistics
from secrets import token_hex
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from bench.common import bench_database, bench_url, emit, log, remove_complaints, served
from db.status import Status
from headless import start_chromium

LOADS = 3
USERNAME, PASSWORD = "bench-pages", "bench-pages-123"

# Each resolves with performance.now() once its page is usable (or null after 60 s).
_WAIT = """
const done = arguments[arguments.length - 1];
const started = Date.now();
function mapOf(selector) {
  const gd = document.querySelector(selector + ' .js-plotly-plot');
  const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
  return map && map.loaded() && map.areTilesLoaded() ? gd : null;
}
function ready() {
%s
}
function check() {
  let ok = false;
  try { ok = ready(); } catch (e) { ok = false; }
  if (ok) { requestAnimationFrame(() => done(performance.now())); }
  else if (Date.now() - started > 60000) { done(null); }
  else { setTimeout(check, 10); }
}
check();
"""

READY = {
    "operator": "return document.querySelectorAll('#op-table-el tbody tr').length > 0;",
    "complaint": (
        "const select = document.querySelector('#cp-form #cp-action');"
        "return Boolean(select && document.querySelector('#cp-badge'));"
    ),
    "pimpinan": (
        "const gd = mapOf('#pim-map');"
        "return Boolean(gd && gd.data.length && gd.data[0].z && gd.data[0].z.length"
        " && document.querySelector('#pim-kpis') && document.querySelector('#pim-kpis').textContent.trim());"
    ),
    "live": (
        "const gd = mapOf('#wall-map');"
        "return Boolean(gd && gd.data.some(t => t.type === 'scattermap' && (t.customdata || []).length));"
    ),
    "lapor": (
        "return Boolean(mapOf('#lapor-map') && document.querySelector('#lapor-submit')"
        " && document.querySelector('#lapor-category input'));"
    ),
}


# Resolves with the milliseconds from the click on the action form's submit button to the new status in the
# badge (or null after 30 s); a reload would end the script with an error.
_ACTION = """
const done = arguments[arguments.length - 1];
const badge = () => { const b = document.querySelector('#cp-badge'); return b ? b.textContent : ''; };
const before = badge();
const started = performance.now();
document.querySelector('#cp-submit').click();
(function check() {
  const now = badge();
  if (now && now !== before) { requestAnimationFrame(() => done(performance.now() - started)); }
  else if (performance.now() - started > 30000) { done(null); }
  else { setTimeout(check, 5); }
})();
"""


def _paths(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        code = conn.execute(
            text(
                "SELECT tracking_code FROM complaint WHERE status = :new AND NOT confidential "
                "ORDER BY created_at DESC LIMIT 1"
            ),
            {"new": Status.BARU.value},
        ).scalar_one()
    return {
        "operator": "/operator",
        "complaint": f"/pengaduan/{code}",
        "pimpinan": "/pimpinan",
        "live": "/live?kiosk=1",
        "lapor": "/lapor",
    }


def _account(engine: Engine) -> None:
    from db.accounts import create_user

    with engine.begin() as conn:
        if not conn.execute(text("SELECT 1 FROM app_user WHERE username = :u"), {"u": USERNAME}).first():
            create_user(conn, USERNAME, PASSWORD, "operator")


def _log_in(driver: Any, base: str) -> None:
    driver.get(f"{base}/login?next=/lacak")
    wait = WebDriverWait(driver, 60)
    wait.until(lambda d: d.find_element(By.ID, "login-username")).send_keys(USERNAME)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD, Keys.ENTER)
    wait.until(lambda d: "/login" not in d.current_url)


def _exchanges(driver: Any, base: str, path: str) -> tuple[int, int, list[tuple[str, int, float]]]:
    """Dash callback requests since the last call, the bytes of their answers plus the page's HTML, and each
    request's (outputs, bytes, ms from sent to received in full), to say where a slow page spends its time."""
    sent: dict[str, tuple[str, float]] = {}
    done: dict[str, tuple[int, float]] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        rid = params.get("requestId")
        if message["method"] == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if "_dash-update-component" in url:
                body = json.loads(params["request"].get("postData") or "{}")
                sent[rid] = (str(body.get("output", "?"))[:80], params["timestamp"])
            elif url == base + path:
                sent[rid] = ("page", params["timestamp"])
        elif message["method"] == "Network.loadingFinished" and rid in sent:
            done[rid] = (int(params.get("encodedDataLength", 0)), params["timestamp"])
    each = [(sent[r][0], done[r][0], (done[r][1] - sent[r][1]) * 1000) for r in sent if r in done]
    callbacks = sum(1 for name, _, _ in each if name != "page")
    return callbacks, sum(size for _, size, _ in each), sorted(each, key=lambda e: -e[2])


def _load(driver: Any, base: str, page: str, path: str) -> float:
    driver.get("about:blank")
    driver.get_log("performance")
    driver.get(base + path)
    usable = driver.execute_async_script(_WAIT % READY[page])
    if usable is None:
        raise RuntimeError(f"{path} was not usable within 60 s")
    return float(usable)


def _new_beside(engine: Engine, code: str, count: int) -> list[tuple[int, str]]:
    """``count`` new reports at the place and of the category of ``code``: (id, tracking code) each."""
    from db.complaints import NewComplaint, create_complaint

    with engine.begin() as conn:
        lon, lat, category = conn.execute(
            text(
                "SELECT ST_X(c.geom), ST_Y(c.geom), k.code FROM complaint c JOIN category k ON k.id = c.category_id "
                "WHERE c.tracking_code = :code"
            ),
            {"code": code},
        ).one()
        made = [
            create_complaint(
                conn,
                # Each its own words: the same report sent twice is taken once (db/complaints.py).
                NewComplaint(
                    category=category,
                    description=f"bench: an action on the page ({i} {token_hex(3)})",
                    lon=lon,
                    lat=lat,
                ),
            )
            for i in range(count)
        ]
    return [(m.id, m.tracking_code) for m in made]


def _action_ms(driver: Any, base: str, engine: Engine, beside: str) -> float:
    """Median time from "Simpan" (verify) to the new status in the badge, on new reports removed afterwards."""
    made = _new_beside(engine, beside, LOADS)
    times = []
    try:
        for _, code in made:
            _load(driver, base, "complaint", f"/pengaduan/{code}")
            wait = WebDriverWait(driver, 30)
            verify = (By.XPATH, "//div[@id='cp-action']//label[.//input[@value='verify']]")
            wait.until(EC.element_to_be_clickable(verify)).click()
            wait.until(EC.element_to_be_clickable((By.ID, "cp-submit")))
            took = driver.execute_async_script(_ACTION)
            if took is None:
                raise RuntimeError(f"/pengaduan/{code}: the status did not change within 30 s of the click")
            times.append(float(took))
    finally:
        remove_complaints(engine, [i for i, _ in made])
    log(f"complaint action: {[round(ms) for ms in times]} ms")
    return statistics.median(times)


def measure(n: int) -> None:
    engine = bench_database(n)
    _account(engine)
    paths = _paths(engine)
    with served(bench_url(n)) as base:
        driver = start_chromium(1920, 1080, logs=("performance", "browser"), profile="pantau-bench-pages-")
        driver.set_script_timeout(90)
        try:
            _log_in(driver, base)
            wanted = os.environ.get("PANTAU_BENCH_PAGES", ",".join(paths)).split(",")
            for page, path in ((p, paths[p]) for p in wanted if p in paths):
                cold = _load(driver, base, page, path)
                callbacks, payload, each = _exchanges(driver, base, path)
                log(f"pages[{n}] {page}: slowest requests {[(o, b, round(ms)) for o, b, ms in each[:4]]}")
                warm = [_load(driver, base, page, path) for _ in range(LOADS)]
                log(f"pages[{n}] {page}: cold {cold:.0f} ms, warm {[round(w) for w in warm]} ms")
                emit(f"page_usable_cold_ms_{page}_{n}", cold, "ms")
                emit(f"page_usable_ms_{page}_{n}", statistics.median(warm), "ms")
                emit(f"page_callbacks_{page}_{n}", callbacks, "requests")
                emit(f"page_payload_bytes_{page}_{n}", payload, "bytes")
                if page == "complaint":
                    emit(
                        f"page_complaint_action_ms_{n}", _action_ms(driver, base, engine, path.rsplit("/", 1)[1]), "ms"
                    )
            errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
            if errors:
                log(f"pages[{n}]: console errors: {errors[:3]}")
        finally:
            driver.quit()


def run() -> None:
    sizes = [int(s) for s in os.environ.get("PANTAU_BENCH_PAGES_SIZES", "5000,1000000").split(",") if s.strip()]
    for n in sizes:
        measure(n)
