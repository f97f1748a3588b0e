"""/statistik in a real browser, without a log-in: the figures arrive, a phone reads them, and it embeds."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import new_complaint

pytestmark = pytest.mark.browser


@pytest.fixture
def reports(engine: Engine, committed: list[int]) -> None:
    for n, category in enumerate(("jalan_rusak", "sampah", "jalan_rusak", "penerangan_jalan", "sampah")):
        new_complaint(engine, committed, category=category, east_m=40.0 * n)


@pytest.mark.parametrize("browser", [(1440, 1000)], indirect=True)
def test_a_citizen_reads_the_agencies_statistics(browser: Any, live_server: str, reports: None) -> None:
    browser.get(f"{live_server}/statistik?lang=id&period=all")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda b: b.find_element(By.ID, "st-kpi-reports").text not in ("", "…", "0"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Statistik layanan pengaduan"
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#st-map .maplibregl-canvas, #st-map .main-svg"))
    assert browser.find_elements(By.CSS_SELECTOR, 'header a[href^="/statistik"]')  # in the menu
    browser.save_screenshot(str(ARTIFACTS / "statistik-1440.png"))
    assert not console_errors(browser)

    browser.get(f"{live_server}/statistik?lang=id&embed=1")
    wait.until(lambda b: b.find_element(By.ID, "st-kpi-reports").text not in ("", "…"))
    assert not browser.find_elements(By.CSS_SELECTOR, "header")  # the city's own site has its own
    browser.save_screenshot(str(ARTIFACTS / "statistik-embed.png"))
