"""The wall as a room display (1920×1080, kiosk): what someone five metres away can tell without a mouse."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from db.complaints import NewComplaint, create_complaint, transition
from tests.conftest import ARTIFACTS, console_errors

pytestmark = pytest.mark.browser

TROUBLED_KEC, TROUBLED_KEL = "367101", "3671011001"
CALM_KEL = "3671021001"

MAP_READY = """
const gd = document.querySelector('#wall-map .js-plotly-plot');
const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
return Boolean(map && map.loaded() && map.areTilesLoaded() && gd.data.length === 8);
"""
TRACES_OF = """
const gd = document.querySelector('#wall-map .js-plotly-plot');
const found = [];
for (const trace of gd.data) {
  if (trace.type !== 'scattermap') continue;
  for (const cd of trace.customdata || []) if (cd[0] === arguments[0]) found.push(trace.uid);
}
return found;
"""
# Every element of the side panels and the legend that shows text, with its computed font size in px.
TEXT_SIZES = """
const out = [];
for (const root of document.querySelectorAll('.wall-side, .wall-legend')) {
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && el.getClientRects().length) out.push([el.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(el).fontSize)]);
  }
}
return out;
"""
# Where on the page a place is drawn, and the map's box.
PROJECT = """
const gd = document.querySelector('#wall-map .js-plotly-plot');
const map = gd._fullLayout.map._subplot.map;
const p = map.project([arguments[1], arguments[0]]);
const box = map.getContainer().getBoundingClientRect();
return [box.left + p.x, box.top + p.y, box.left, box.top, box.right, box.bottom];
"""


def _point(engine: Engine, code: str) -> tuple[float, float]:
    with engine.connect() as conn:
        lat, lon = conn.execute(
            text("SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) p FROM area WHERE code = :c) x"),
            {"c": code},
        ).one()
    return float(lat), float(lon)


def _create(engine: Engine, committed: list[int], code: str, description: str, *, overdue: bool = False) -> int:
    lat, lon = _point(engine, code)
    with engine.begin() as conn:
        made = create_complaint(conn, NewComplaint(category="jalan_rusak", description=description, lat=lat, lon=lon))
        if overdue:  # its handling target passed yesterday
            conn.execute(text("UPDATE complaint SET due_at = now() - interval '1 day' WHERE id = :i"), {"i": made.id})
    committed.append(made.id)
    return made.id


def _centre(element: Any) -> tuple[float, float]:
    r = element.rect
    return r["x"] + r["width"] / 2, r["y"] + r["height"] / 2


@pytest.mark.parametrize("browser", [(1920, 1080)], indirect=True)
def test_the_wall_shows_trouble_by_area_shape_and_size_readable_from_five_metres(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    late = [_create(engine, committed, TROUBLED_KEL, f"Jalan amblas {i}", overdue=True) for i in range(2)]
    _create(engine, committed, TROUBLED_KEL, "Aspal retak")
    moving = _create(engine, committed, CALM_KEL, "Lampu mati")
    with engine.begin() as conn:
        transition(conn, moving, "forward", reason="urusan dinas", kota="3671")
        troubled_name = conn.execute(text("SELECT name FROM area WHERE code = :c"), {"c": TROUBLED_KEC}).scalar_one()

    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False}
    )
    browser.get(f"{live_server}/live?kiosk=1")
    wait = WebDriverWait(browser, 90)  # patience on a busy machine; nothing here is timed
    wait.until(lambda d: d.execute_script(MAP_READY))

    # Areas are shaded green → yellow → red by the share of their open reports past target.
    areas = browser.execute_script("return document.querySelector('#wall-map .js-plotly-plot').data[0]")
    scale = [colour for _, colour in areas["colorscale"]]
    assert scale[0] == "#1e4d2b" and scale[-1] == "#d83a3a"  # dark green (none late) … red (all late)
    shade = dict(zip(areas["locations"], areas["z"], strict=True))
    assert shade[TROUBLED_KEC] == pytest.approx(2 / 3, abs=0.01)
    assert shade["367102"] == 0

    # The most troubled kecamatan's name is written on the map, where the area is, without a mouse.
    label = wait.until(
        lambda d: next(
            (e for e in d.find_elements(By.CSS_SELECTOR, ".wall-label-box") if troubled_name in e.text), None
        )
    )
    assert label.is_displayed() and "2 dari 3 lewat target" in label.text
    x, y, left, top, right, bottom = browser.execute_script(PROJECT, *_point(engine, TROUBLED_KEL))
    lx, ly = _centre(label)
    assert left <= lx <= right and top <= ly <= bottom
    assert abs(lx - x) < 200 and abs(ly - y) < 200  # near its area (a name may step aside for another)
    assert float(browser.execute_script("return getComputedStyle(arguments[0]).fontSize", label)[:-2]) >= 24

    # Markers differ by shape as well as colour: red a large dot, yellow a ring (a hole in it), green a small dot;
    # overdue is a ring beneath the red dot, which stays whole on top.
    assert browser.execute_script(TRACES_OF, late[0]) == ["halo", "red"]
    assert browser.execute_script(TRACES_OF, moving) == ["yellow", "core"]
    sizes = browser.execute_script(
        "const d = document.querySelector('#wall-map .js-plotly-plot').data;"
        "return Object.fromEntries(d.filter(t => t.type === 'scattermap').map(t => [t.uid, [t.marker.size, t.marker.color]]));"
    )
    assert sizes["red"][0] > sizes["yellow"][0] > sizes["core"][0] and sizes["red"][0] > sizes["green"][0]
    assert sizes["core"][1] == "#0b1622"  # the wall's own background: a hole
    assert sizes["halo"][0] > sizes["red"][0]
    swatch = {
        c: browser.execute_script(
            "const s = getComputedStyle(arguments[0]); return [s.width, s.backgroundColor, s.borderTopWidth];",
            browser.find_element(By.CSS_SELECTOR, f".swatch-{c}"),
        )
        for c in ("red", "yellow", "green")
    }
    assert swatch["yellow"][1] == "rgba(0, 0, 0, 0)" and float(swatch["yellow"][2][:-2]) > 0  # a ring in the legend too
    assert float(swatch["green"][0][:-2]) < float(swatch["red"][0][:-2])

    # Panel and legend text: at least 28 px at 1920×1080, every piece of it.
    measured = browser.execute_script(TEXT_SIZES)
    assert len(measured) > 20
    assert [m for m in measured if m[1] < 28] == []

    # A new report is announced: its dot pulses and its row is highlighted, then both settle after about 10 s.
    fresh = _create(engine, committed, CALM_KEL, "Pohon tumbang menutup jalan")
    pulse = WebDriverWait(browser, 30).until(
        lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, f'.wall-pulse[data-id="{fresh}"] span')), None)
    )
    row = browser.find_element(By.CSS_SELECTOR, f'#wall-newest li[data-id="{fresh}"]')
    assert "entry-new" in row.get_attribute("class")
    assert browser.execute_script("return getComputedStyle(arguments[0]).animationName", pulse) == "wall-pulse"
    highlighted = browser.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.animationName, s.backgroundColor, s.boxShadow];", row
    )
    assert highlighted[1] != "rgba(0, 0, 0, 0)", highlighted
    # The pulse is centred on its dot (its ring grows and fades around this point).
    anchor = browser.execute_script(
        "const r = arguments[0].parentNode.getBoundingClientRect(); return [r.x, r.y];", pulse
    )
    dx, dy = browser.execute_script(PROJECT, *_point(engine, CALM_KEL))[:2]
    assert abs(anchor[0] - dx) < 2 and abs(anchor[1] - dy) < 2
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "wall-new-report-announced.png"))
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".wall-pulse") == [])
    row = browser.find_element(By.CSS_SELECTOR, f'#wall-newest li[data-id="{fresh}"]')
    assert "entry-new" not in row.get_attribute("class")
    assert console_errors(browser) == []
