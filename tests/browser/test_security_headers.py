"""The pages work under Pantau's Content-Security-Policy, and say so plainly when the database is away."""

from __future__ import annotations

import contextlib
import time

import dash
import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from settings import get_settings
from tests.conftest import ARTIFACTS, console_errors

pytestmark = pytest.mark.browser


def wait_for_page(browser, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    WebDriverWait(browser, timeout).until(
        lambda d: d.execute_script(
            "var c = document.getElementById('_pages_content');"
            "return document.readyState === 'complete' && c && c.children.length > 0"
            " && !document.querySelector('._dash-loading, [data-dash-is-loading=\"true\"]');"
        )
    )


def test_every_page_renders_without_a_content_security_policy_violation(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    paths = sorted({page["path"] for page in dash.page_registry.values() if not page.get("path_template")})
    assert "/login" in paths
    violations: dict[str, list[str]] = {}
    for path in paths:
        browser.get(f"{live_server}{path}?lang=en")
        # A page broken for another reason still shows whether the policy refused anything.
        with contextlib.suppress(TimeoutException):
            wait_for_page(browser, 10)
        if browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot"):
            time.sleep(1.5)  # let MapLibre start its blob: workers and draw
        errors = [e for e in console_errors(browser) if "Content Security Policy" in e or "Refused to" in e]
        if errors:
            violations[path] = errors
    assert not violations, violations
    # The last check, on the page that matters most for staff: the log-in form is there and usable.
    browser.get(f"{live_server}/login?lang=en")
    wait_for_page(browser)
    assert browser.find_element(By.ID, "login-username").is_displayed()
    assert browser.find_element(By.ID, "login-password").get_attribute("type") == "password"
    assert not console_errors(browser)


def test_when_the_database_goes_away_the_page_says_so_and_recovers(  # type: ignore[no-untyped-def]
    browser, live_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    browser.get(f"{live_server}/login?lang=en")
    wait_for_page(browser)
    browser.find_element(By.ID, "login-username").send_keys("operator-one")
    browser.find_element(By.ID, "login-password").send_keys("whatever it is")
    # The live server runs in this process: point it at a socket folder with no database in it.
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@/pantau?host={tmp_path}&port=5999")
    get_settings.cache_clear()
    try:
        browser.find_element(By.ID, "login-submit").click()
        banner = WebDriverWait(browser, 15).until(EC.visibility_of_element_located((By.ID, "pantau-unavailable")))
        assert banner.get_attribute("role") == "alert"
        assert banner.text == "The database cannot be reached right now. The page will try again shortly."
        assert "Traceback" not in browser.page_source
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / "database-away-banner.png"))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    # Back again: the page notices by itself and takes the banner down; what was typed is still there.
    WebDriverWait(browser, 20).until(EC.invisibility_of_element_located((By.ID, "pantau-unavailable")))
    assert browser.find_element(By.ID, "login-username").get_attribute("value") == "operator-one"
