"""/operator/baru in Chromium: an operator logs a phone call with the keyboard alone, and it is in the queue."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts

pytestmark = pytest.mark.browser


def _active(browser: Any) -> Any:
    return browser.switch_to.active_element


def _pick(browser: Any, typed: str) -> None:
    """On a dropdown: Enter opens it, typing searches, Enter takes the first match, Tab goes on."""
    _active(browser).send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".dash-dropdown-search"))
    _active(browser).send_keys(typed)
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"))
    browser.save_screenshot(str(ARTIFACTS / "intake-dropdown.png"))
    _active(browser).send_keys(Keys.ENTER)
    _active(browser).send_keys(Keys.TAB)


@pytest.mark.parametrize("browser", [(1440, 1000)], indirect=True)
def test_a_phone_call_is_logged_with_the_keyboard_alone(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    operator = accounts("operator")
    wait = WebDriverWait(browser, 20)
    browser.get(f"{live_server}/login?lang=id&next=/operator/baru")
    wait.until(lambda b: b.find_elements(By.ID, "login-username"))
    browser.find_element(By.ID, "login-username").send_keys(operator.username, Keys.TAB, PASSWORD, Keys.ENTER)
    wait.until(lambda b: b.find_elements(By.ID, "oi-channel"))
    # From the channel radios (Telepon is chosen) on, Tab moves field to field: the keyboard does everything.
    browser.find_element(By.CSS_SELECTOR, "#oi-channel input[value='telepon']").send_keys(Keys.TAB)
    _active(browser).send_keys(Keys.TAB)  # past the post link: not a social-media report
    _pick(browser, "Sukarasa")
    _active(browser).send_keys(Keys.TAB)  # no coordinates: the kelurahan places it
    _active(browser).send_keys("depan SD Negeri 3", Keys.TAB)
    _pick(browser, "Jalan rusak")
    _active(browser).send_keys("Lubang besar di tengah jalan, sudah dua minggu", Keys.TAB)
    _active(browser).send_keys("Bu Ani", Keys.TAB, "0812 3456 7002")
    browser.find_element(By.ID, "oi-description").send_keys(Keys.CONTROL, Keys.ENTER)
    wait.until(lambda b: b.find_elements(By.ID, "oi-created"))
    code = browser.find_element(By.ID, "oi-created").get_attribute("data-code")
    browser.save_screenshot(str(ARTIFACTS / "intake-saved.png"))
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.id, c.channel, c.status, c.address, c.reporter_name, cat.code AS category, kel.name "
                "FROM complaint c JOIN category cat ON cat.id = c.category_id "
                "LEFT JOIN area kel ON kel.id = c.kelurahan_id WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).one()
    committed.append(row.id)
    assert (row.channel, row.status, row.category, row.name) == ("call_centre", "baru", "jalan_rusak", "Sukarasa")
    assert (row.address, row.reporter_name) == ("depan SD Negeri 3", "Bu Ani")
    assert browser.find_element(By.ID, "oi-description").get_attribute("value") == ""  # ready for the next call
    assert not console_errors(browser)
