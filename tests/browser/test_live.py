"""The live-room wall screen in headless Chromium: counts, live markers, kiosk mode."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from db.change_tokens import prune
from db.complaints import NewComplaint, create_complaint, transition
from db.status import COLOUR, Status
from tests.conftest import ARTIFACTS, console_errors, inside

pytestmark = pytest.mark.browser

# The traces (by uid) that hold a complaint's marker, read from the plotted figure.
MARKER_TRACES_OF = """
const gd = document.querySelector('#wall-map .js-plotly-plot');
if (!gd || !gd.data) return null;
const found = [];
for (const trace of gd.data) {
  if (trace.type !== 'scattermap') continue;
  for (const cd of trace.customdata || []) if (cd[0] === arguments[0]) found.push(trace.uid);
}
return found;
"""
MAP_READY = """
const gd = document.querySelector('#wall-map .js-plotly-plot');
const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
return Boolean(map && map.loaded() && gd.data.length === 8);
"""


def _create(engine: Engine, committed: list[int], code: str, description: str) -> int:
    with engine.begin() as conn:
        lat, lon = inside(conn, code)
        made = create_complaint(conn, NewComplaint(category="jalan_rusak", description=description, lat=lat, lon=lon))
    committed.append(made.id)
    return made.id


def _db_counts(engine: Engine) -> dict[str, int]:
    counts = {"red": 0, "yellow": 0, "green": 0}
    with engine.connect() as conn:
        for status, n in conn.execute(text("SELECT status, count(*) FROM complaint GROUP BY status")):
            colour = COLOUR[Status(status)].value
            if colour in counts:
                counts[colour] += n
    return counts


def _open_wall(browser: Any, live_server: str) -> None:
    """The English wall with its map drawn, marked so a reload would show (``window.__sameDocument``)."""
    browser.get(f"{live_server}/live?lang=en")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(MAP_READY))
    browser.execute_script("window.__sameDocument = true")


def _legend(driver: Any) -> dict[str, int]:
    return {c: int(driver.find_element(By.ID, f"count-{c}").text) for c in ("red", "yellow", "green")}


def test_the_wall_loads_cleanly_and_its_legend_matches_the_database(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    first = _create(engine, committed, "3671011001", "Jalan berlubang di depan SD")
    second = _create(engine, committed, "3674011001", "Aspal mengelupas di tikungan")
    with engine.begin() as conn:
        transition(conn, second, "forward", reason="urusan dinas", kota="3674")

    browser.get(f"{live_server}/")  # the home page is the wall
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.execute_script(MAP_READY))
    assert _legend(browser) == _db_counts(engine)
    assert browser.execute_script(MARKER_TRACES_OF, first) == ["red"]
    assert browser.execute_script(MARKER_TRACES_OF, second) == ["yellow", "core"]  # a ring: yellow with a hole
    newest = [li.get_attribute("data-id") for li in browser.find_elements(By.CSS_SELECTOR, "#wall-newest li")]
    assert newest[:2] == [str(second), str(first)]
    assert browser.find_element(By.CSS_SELECTOR, ".wall-controls").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, ".site-header").is_displayed()
    assert "WIB" in wait.until(lambda d: d.find_element(By.ID, "wall-clock-time").text)
    # Offline: everything the page fetched came from Pantau itself.
    fetched = browser.execute_script("return performance.getEntriesByType('resource').map(r => r.name)")
    assert fetched and [url for url in fetched if not url.startswith(live_server)] == []
    assert console_errors(browser) == []


def test_a_new_complaint_appears_and_recolours_without_reloading(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    _open_wall(browser, live_server)

    complaint = _create(engine, committed, "3671021001", "Lampu jalan mati sejak kemarin")
    # Within 5 seconds (the poll is 2 s): the marker, the count and the newest-reports panel.
    WebDriverWait(browser, 5).until(lambda d: d.execute_script(MARKER_TRACES_OF, complaint) == ["red"])
    WebDriverWait(browser, 5).until(lambda d: _legend(d) == _db_counts(engine))
    WebDriverWait(browser, 5).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#wall-newest li").get_attribute("data-id") == str(complaint)
    )

    with engine.begin() as conn:
        transition(conn, complaint, "verify")
        transition(conn, complaint, "forward", reason="wrong agency", kota="3671")
    # Recoloured: one marker, now a yellow ring; the red dot is gone.
    WebDriverWait(browser, 5).until(lambda d: d.execute_script(MARKER_TRACES_OF, complaint) == ["yellow", "core"])
    WebDriverWait(browser, 5).until(lambda d: _legend(d) == _db_counts(engine))
    assert browser.execute_script("return window.__sameDocument") is True  # never reloaded
    assert console_errors(browser) == []


def test_a_wall_behind_the_pruned_change_tokens_redraws_with_the_new_report(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    _open_wall(browser, live_server)

    # The report and the pruning of its change token commit together: the wall can never read that token,
    # only that the tokens after its version are gone (db/change_tokens.py).
    with engine.begin() as conn:
        lat, lon = inside(conn, "3671011001")
        made = create_complaint(
            conn, NewComplaint(category="sampah", description="Sampah menutup saluran air", lat=lat, lon=lon)
        )
        prune(conn, timedelta(0))  # marks this transaction's version
        gone = prune(conn, timedelta(0))  # and deletes the tokens up to it
    committed.append(made.id)
    assert gone.deleted >= 1

    WebDriverWait(browser, 5).until(lambda d: d.execute_script(MARKER_TRACES_OF, made.id) == ["red"])
    WebDriverWait(browser, 5).until(lambda d: _legend(d) == _db_counts(engine))
    assert browser.find_element(By.CSS_SELECTOR, "#wall-newest li").get_attribute("data-id") == str(made.id)
    assert browser.execute_script("return window.__sameDocument") is True  # redrawn in place, not reloaded
    assert console_errors(browser) == []


@pytest.mark.parametrize("browser", [(1920, 1080)], indirect=True)
def test_kiosk_mode_hides_every_control_and_goes_dark(browser: Any, live_server: str) -> None:
    browser.get(f"{live_server}/live?kiosk=1&kecamatan=367101")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.execute_script(MAP_READY))
    assert browser.find_elements(By.CSS_SELECTOR, ".site-header") == []
    assert not browser.find_element(By.CSS_SELECTOR, ".wall-controls").is_displayed()
    assert not browser.find_element(By.ID, "wall-level").is_displayed()
    background = browser.execute_script(
        "return getComputedStyle(document.querySelector('.wall-kiosk')).backgroundColor"
    )
    assert background == "rgb(11, 22, 34)"
    # The focused kecamatan alone is shaded.
    shaded = browser.execute_script("return document.querySelector('#wall-map .js-plotly-plot').data[0].locations")
    assert shaded == ["367101"]
    for element in ("count-red", "count-yellow", "count-green"):
        assert browser.find_element(By.ID, element).is_displayed()
    # The room's big screen lists the emerging issues (none in this data: it says so).
    emerging = browser.find_element(By.CSS_SELECTOR, ".wall-emerging")
    assert emerging.is_displayed() and "ISU YANG SEDANG NAIK" in emerging.text.upper()
    assert console_errors(browser) == []


MARKER_PIXEL = """
const gd = document.querySelector('#wall-map .js-plotly-plot');
const map = gd._fullLayout.map._subplot.map;
const canvas = map.getCanvas();
const p = map.project([arguments[1], arguments[0]]);
return [p.x - canvas.clientWidth / 2, p.y - canvas.clientHeight / 2];
"""


def test_an_anonymous_visitor_cannot_reach_a_confidential_report_from_the_wall(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    # The probe's repro: /live?kecamatan=367101, click the confidential report's dot, read its code, open /lacak.
    public = _create(engine, committed, "3671011001", "Saluran mampet di depan pasar")
    with engine.begin() as conn:
        lat, lon = inside(conn, "3671011003")
        made = create_complaint(
            conn,
            NewComplaint(category="jalan_rusak", description="Pungli oleh oknum, rumah saya nomor 7", lat=lat,
                         lon=lon, reporter_name="Sari", confidential=True),
        )  # fmt: skip
        secret, secret_code = made.id, made.tracking_code
    committed.append(secret)

    browser.get(f"{live_server}/live?kecamatan=367101")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.execute_script(MAP_READY))
    assert browser.execute_script(MARKER_TRACES_OF, public) == ["red"]
    assert browser.execute_script(MARKER_TRACES_OF, secret) == []  # no dot at all
    newest = [li.get_attribute("data-id") for li in browser.find_elements(By.CSS_SELECTOR, "#wall-newest li")]
    assert str(public) in newest and str(secret) not in newest
    with engine.connect() as conn:
        open_here = conn.execute(
            text("SELECT count(*) FROM complaint c JOIN area a ON a.id = c.kecamatan_id WHERE a.code = '367101' "
                 "AND c.status IN ('baru', 'terverifikasi', 'luar_wilayah')")
        ).scalar_one()  # fmt: skip
    assert _legend(browser)["red"] == open_here  # still counted
    assert secret_code not in browser.page_source and "Pungli" not in browser.page_source

    # A real click on the public dot opens its card with its code.
    x, y = browser.execute_script(MARKER_PIXEL, *_point_of(engine, public))
    canvas = browser.find_element(By.CSS_SELECTOR, "#wall-map canvas.maplibregl-canvas")
    ActionChains(browser).move_to_element_with_offset(canvas, round(x), round(y)).click().perform()
    card = wait.until(
        lambda d: d.find_element(By.ID, "wall-card") if d.find_element(By.ID, "wall-card").is_displayed() else None
    )
    public_code = _code_of(engine, public)
    wait.until(lambda d: public_code in card.text)

    # A forged click naming the confidential report's id gets "not found", never its code.
    browser.execute_script(
        "window.dash_clientside.set_props('wall-map', {clickData: {points: [{curveNumber: 5, customdata: [arguments[0], 99]}]}})",
        secret,
    )
    wait.until(lambda d: "tidak ditemukan" in d.find_element(By.ID, "wall-card").text)
    assert secret_code not in browser.find_element(By.ID, "wall-card").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "live-confidential-not-drawn.png"))

    # Even with the code (had it leaked), /lacak shows nothing the reporter or the staff wrote.
    browser.get(f"{live_server}/lacak/{secret_code}")
    wait.until(lambda d: d.find_element(By.ID, "lacak-status"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Pungli" not in body and "nomor 7" not in body and "Sari" not in body
    assert browser.find_elements(By.ID, "lacak-description") == []
    assert browser.find_element(By.ID, "lacak-confidential").is_displayed()
    browser.save_screenshot(str(ARTIFACTS / "lacak-confidential-without-link.png"))
    assert console_errors(browser) == []


def _point_of(engine: Engine, complaint_id: int) -> tuple[float, float]:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT ST_Y(geom), ST_X(geom) FROM complaint WHERE id = :i"), {"i": complaint_id}
        ).one()


def _code_of(engine: Engine, complaint_id: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(text("SELECT tracking_code FROM complaint WHERE id = :i"), {"i": complaint_id}).scalar_one()
        )
