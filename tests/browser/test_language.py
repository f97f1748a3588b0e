"""An Indonesian page is Indonesian all through: <html lang>, the date picker and the dropdowns (issue 18 item 9)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts

pytestmark = pytest.mark.browser

DASH_ENGLISH = {"Clear Dates", "Clear date", "Previous month", "Next month", "Decrease value", "Increase value"}
# The year box is wide enough for its four digits (Dash's 5ch box, minus our padding, once showed "20").
YEAR_SHOWN_WHOLE = """
const box = document.querySelector('.dash-datepicker-controls .dash-input-element');
const style = getComputedStyle(box);
const probe = document.createElement('span');
probe.textContent = box.value;
probe.style.font = style.font;
probe.style.position = 'absolute';
document.body.appendChild(probe);
const needed = probe.getBoundingClientRect().width;
probe.remove();
const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
return [box.value, inner >= needed - 0.5];
"""


def _prefer(driver: Any, languages: str) -> None:
    """Make the browser itself prefer ``languages`` (navigator.languages), whatever the page says."""
    agent = driver.execute_script("return navigator.userAgent")
    driver.execute_cdp_cmd("Emulation.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": languages})


def _log_in(driver: Any, live_server: str, username: str, target: str) -> None:
    driver.get(f"{live_server}/login?next={target}")
    wait = WebDriverWait(driver, 20)
    wait.until(EC.element_to_be_clickable((By.ID, "login-username"))).send_keys(username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD, Keys.ENTER)
    wait.until(lambda d: "/login" not in d.current_url)


def _open_dates(driver: Any) -> list[str]:
    """Open the period's date picker; the aria-labels then on the page."""
    field = WebDriverWait(driver, 20).until(EC.element_to_be_clickable((By.ID, "pim-dates")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", field)
    field.click()
    WebDriverWait(driver, 10).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".dash-datepicker-calendar-month-header"))
    )
    return [e.get_attribute("aria-label") for e in driver.find_elements(By.CSS_SELECTOR, "[aria-label]")]


def test_every_page_names_its_language(browser: Any, live_server: str) -> None:
    for path, lang in (
        ("/lapor", "id"),  # PANTAU_LANG
        ("/lapor?lang=en", "en"),
        ("/lacak?lang=en", "en"),
        ("/login?lang=id", "id"),
        ("/tidak-ada-halaman?lang=en", "en"),
    ):
        browser.get(f"{live_server}{path}")
        WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "main")))
        assert browser.execute_script("return document.documentElement.lang") == lang, path
    # Dash's own "404 - Page not found" gave way to Pantau's page.
    assert browser.find_element(By.ID, "not-found").text == "Page not found."
    # The visitor's own choice, kept in a cookie, when the address does not say.
    browser.add_cookie({"name": "pantau_lang", "value": "en"})
    browser.get(f"{live_server}/lapor")
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.ID, "main")))
    assert browser.execute_script("return document.documentElement.lang") == "en"
    assert console_errors(browser) == []


def test_the_date_picker_and_dropdowns_speak_the_pages_language(
    browser: Any, live_server: str, accounts: Accounts
) -> None:
    leader = accounts("leader")
    _prefer(browser, "en-US,en")  # an English browser on an Indonesian page
    _log_in(browser, live_server, leader.username, "/pimpinan")
    browser.get(f"{live_server}/pimpinan?lang=id&from=2025-12-01&to=2025-12-10")
    labels = _open_dates(browser)
    months = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".dash-datepicker-calendar-month-header")]
    assert months == ["Desember 2025", "Januari 2026"]
    days = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".dash-datepicker-calendar thead th span")][:7]
    assert days == ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"]
    assert browser.find_element(By.CSS_SELECTOR, ".dash-datepicker-controls .dash-dropdown-value").text == "Desember"
    assert browser.execute_script(YEAR_SHOWN_WHOLE) == ["2025", True]
    assert not DASH_ENGLISH & set(labels), labels
    assert {"Hapus tanggal", "Bulan sebelumnya", "Bulan berikutnya"} <= set(labels)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "pimpinan-dates-id.png"))

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    browser.find_element(By.ID, "pim-kecamatan").click()
    search = WebDriverWait(browser, 10).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".dash-dropdown-search"))
    )
    assert search.get_attribute("placeholder") == "Cari"
    browser.save_screenshot(str(ARTIFACTS / "pimpinan-dropdown-id.png"))

    # And the other way round: an Indonesian browser on an English page gets English.
    _prefer(browser, "id-ID,id")
    browser.get(f"{live_server}/pimpinan?lang=en&from=2025-12-01&to=2025-12-10")
    labels = _open_dates(browser)
    assert browser.find_element(By.CSS_SELECTOR, ".dash-datepicker-calendar-month-header").text == "December 2025"
    assert "Previous month" in labels and "Bulan sebelumnya" not in labels
    browser.save_screenshot(str(ARTIFACTS / "pimpinan-dates-en.png"))
    assert console_errors(browser) == []
