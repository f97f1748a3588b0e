"""The leaders' dashboard in a real browser: pick a kecamatan and the KPI cards change to its numbers; the
comparison table sorts by a column; a period without reports draws its charts without invented axes."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ARTIFACTS, console_errors, purge
from tests.integration.leaders_data import add

pytestmark = pytest.mark.browser
WINDOW = "from=2025-06-02&to=2025-06-05"


@pytest.fixture
def reports(engine: Engine) -> Iterator[None]:
    """Three reports in Kecamatan Tangerang (one finished) and two in Jatiuwung, in the first days of June 2025."""
    from db.accounts import create_user

    with engine.begin() as c:
        ids = [
            add(c, "BR-1", "selesai", "2025-06-02 08:00+07", "2025-06-02 14:00+07", "2025-06-03 08:00+07"),
            add(c, "BR-2", "baru", "2025-06-03 09:00+07"),
            add(c, "BR-3", "diteruskan", "2025-06-04 09:00+07", "2025-06-04 12:00+07"),
            add(c, "BR-4", "baru", "2025-06-03 10:00+07", kelurahan="3671021001"),
            add(c, "BR-5", "baru", "2025-06-05 10:00+07", kelurahan="3671021001"),
        ]
        if not c.execute(text("SELECT 1 FROM app_user WHERE username = 'walikota'")).first():
            create_user(c, "walikota", "rahasia-123", "leader")
    yield
    purge(engine, ids)


def _log_in(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{live_server}/login?lang=en&next=/pimpinan")
    wait = WebDriverWait(browser, 20)
    wait.until(ec.element_to_be_clickable((By.ID, "login-username"))).send_keys("walikota")
    browser.find_element(By.ID, "login-password").send_keys("rahasia-123", Keys.ENTER)
    wait.until(lambda b: urlparse(b.current_url).path == "/pimpinan")


def _card(browser, key: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    WebDriverWait(browser, 20).until(ec.text_to_be_present_in_element((By.ID, f"pim-kpi-{key}"), expected))


def test_picking_a_kecamatan_changes_the_kpi_cards_and_the_url(browser, live_server: str, reports: None) -> None:  # type: ignore[no-untyped-def]
    _log_in(browser, live_server)
    browser.get(f"{live_server}/pimpinan?{WINDOW}&lang=en")
    _card(browser, "reports", "5")
    _card(browser, "finished", "20.00%")
    _card(browser, "open", "4")
    # The kecamatan table: the busiest first (Tangerang, 3 reports; Jatiuwung, 2); its name column sorts A to Z.
    order = "return Array.from(document.querySelectorAll('#pim-kecamatan-table tbody tr'), r => r.dataset.code);"
    WebDriverWait(browser, 10).until(lambda b: {"367101", "367102"} <= set(b.execute_script(order)))
    codes = [c for c in browser.execute_script(order) if c in ("367101", "367102")]
    assert codes == ["367101", "367102"]
    browser.find_element(By.CSS_SELECTOR, "#pim-kecamatan-table button.pim-sort[data-col='name']").click()
    name = browser.find_element(By.CSS_SELECTOR, "#pim-kecamatan-table thead th:first-child")
    assert name.get_attribute("aria-sort") == "ascending"
    assert [c for c in browser.execute_script(order) if c in ("367101", "367102")] == ["367102", "367101"]

    browser.find_element(By.ID, "pim-kecamatan").click()
    search = WebDriverWait(browser, 10).until(ec.element_to_be_clickable((By.CSS_SELECTOR, ".dash-dropdown-search")))
    search.send_keys("Tangerang")
    browser.find_element(By.CSS_SELECTOR, '.dash-dropdown-option input[value="367101"]').find_element(
        By.XPATH, "./ancestor::label"
    ).click()

    # Three reports in Tangerang, one of them finished, 2 of 3 followed up.
    _card(browser, "reports", "3")
    _card(browser, "finished", "33.33%")
    _card(browser, "followed", "66.67%")
    _card(browser, "open", "2")
    WebDriverWait(browser, 10).until(lambda b: "kecamatan=367101" in b.current_url)
    query = parse_qs(urlparse(browser.current_url).query)
    assert query["kecamatan"] == ["367101"] and query["from"] == ["2025-06-02"] and query["kota"] == ["3671"]

    # The URL is the view: reloading it restores the filter and the same figures.
    browser.refresh()
    _card(browser, "reports", "3")
    assert "Tangerang" in browser.find_element(By.ID, "pim-kecamatan").text
    assert browser.find_element(By.ID, "pim-export-csv").get_attribute("href").find("kecamatan=367101") > 0
    assert not console_errors(browser)


def test_a_period_without_reports_says_so_and_draws_no_axes(browser, live_server: str, reports: None) -> None:  # type: ignore[no-untyped-def]
    _log_in(browser, live_server)
    browser.get(f"{live_server}/pimpinan?{WINDOW}&lang=en")
    _card(browser, "reports", "5")
    ticks = "return document.querySelectorAll('#pim-per-day .xtick, #pim-by-category .ytick').length"
    WebDriverWait(browser, 10).until(lambda b: b.execute_script(ticks) > 0)  # the days and categories of June
    browser.get(f"{live_server}/pimpinan?from=2025-07-01&to=2025-07-04&lang=en")
    _card(browser, "reports", "0")
    for chart in ("pim-per-day", "pim-by-category"):
        WebDriverWait(browser, 10).until(
            ec.text_to_be_present_in_element((By.ID, f"{chart}-summary"), "No reports match these filters.")
        )
    # Plotly would otherwise invent a range for an empty chart (1 to 11 January, 0 to 4 reports).
    WebDriverWait(browser, 10).until(lambda b: b.execute_script(ticks) == 0)
    browser.execute_script("document.getElementById('pim-per-day-title').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "pimpinan-no-reports.png"))
    assert not console_errors(browser)
