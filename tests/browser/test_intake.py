"""/operator/baru in Chromium: an operator logs a phone call with the keyboard alone, it is stored as theirs, and
the wall open in another tab shows it arriving, as a phone report, without being reloaded."""

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
    # The live room's wall, open before the call comes in.
    form_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    browser.get(f"{live_server}/live?lang=id")
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#wall-newest"))
    wall_tab = browser.current_window_handle
    assert not browser.find_element(By.CSS_SELECTOR, ".wall-emerging").is_displayed()  # a kiosk's panel only
    browser.execute_script("window.__sameDocument = true")
    browser.switch_to.window(form_tab)
    # From the channel radios (Telepon is chosen) on, Tab moves field to field: the keyboard does everything.
    browser.find_element(By.CSS_SELECTOR, "#oi-channel input[value='telepon']").send_keys(Keys.TAB)
    _active(browser).send_keys(Keys.TAB)  # past the post link: not a social-media report
    _pick(browser, "Sukarasa")
    _active(browser).send_keys(Keys.TAB)  # no coordinates: the kelurahan places it
    _active(browser).send_keys("depan SD Negeri 3", Keys.TAB)
    _active(browser).send_keys(Keys.ENTER)  # the category, as _pick does, but its question comes next
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".dash-dropdown-search"))
    _active(browser).send_keys("Jalan rusak")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option"))
    _active(browser).send_keys(Keys.ENTER)
    wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "#oi-questions input[type=radio]"))
    # The category's question, answered with the arrow keys: from "Kecil" down to "Sedang".
    _active(browser).send_keys(Keys.TAB)
    _active(browser).send_keys(Keys.ARROW_DOWN, Keys.TAB)
    _active(browser).send_keys("Lubang besar di tengah jalan, sudah dua minggu", Keys.TAB)
    _active(browser).send_keys("Bu Ani", Keys.TAB, "0812 3456 7002")
    browser.find_element(By.ID, "oi-description").send_keys(Keys.CONTROL, Keys.ENTER)
    wait.until(lambda b: b.find_elements(By.ID, "oi-created"))
    code = browser.find_element(By.ID, "oi-created").get_attribute("data-code")
    browser.save_screenshot(str(ARTIFACTS / "intake-saved.png"))
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.id, c.channel, c.status, c.address, c.reporter_name, cat.code AS category, kel.name, "
                "c.attributes -> 'open311_attributes' AS answers "
                "FROM complaint c JOIN category cat ON cat.id = c.category_id "
                "LEFT JOIN area kel ON kel.id = c.kelurahan_id WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).one()
    committed.append(row.id)
    assert (row.channel, row.status, row.category, row.name) == ("call_centre", "baru", "jalan_rusak", "Sukarasa")
    assert (row.address, row.reporter_name) == ("depan SD Negeri 3", "Bu Ani")
    assert row.answers == {"ukuran_kerusakan": "sedang"}
    assert browser.find_element(By.ID, "oi-description").get_attribute("value") == ""  # ready for the next call
    assert not console_errors(browser)

    # On the wall: the new report at the top of the newest reports, said to have come by phone (call centre).
    browser.switch_to.window(wall_tab)
    entry = f"#wall-newest li[data-id='{row.id}']"
    WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, entry))  # polled every 2 s
    shown = browser.find_element(By.CSS_SELECTOR, entry).text
    assert "Jalan rusak" in shown and "Sukarasa" in shown and "Call center" in shown
    assert browser.execute_script("return window.__sameDocument") is True  # it arrived, the wall was not reloaded
    browser.save_screenshot(str(ARTIFACTS / "intake-on-the-wall.png"))
    assert not console_errors(browser)
