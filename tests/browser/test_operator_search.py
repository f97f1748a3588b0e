"""An operator types into the queue's search box key by key: the box keeps exactly what was typed and finds the report.

Issue 18: on a busy page the box swapped letters ("berlubang besar" became "berlubang besra",
"depan SD" became "depn SDa" and found nothing). The page is made as busy as an office PC's
by slowing Chromium's CPU tenfold while the keys are pressed.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts, new_complaint

pytestmark = pytest.mark.browser

SLOW_CPU = 10  # Chromium's CPU throttling rate while typing


def _type(driver: Any, text: str, pause_ms: int) -> None:
    """Real key presses, one character at a time, ``pause_ms`` apart, on a slow CPU."""
    chain = ActionChains(driver, duration=0)
    for char in text:
        chain.send_keys(char).pause(pause_ms / 1000)
    driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": SLOW_CPU})
    try:
        chain.perform()
    finally:
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": 1})


def _shown(driver: Any) -> set[str]:
    """The codes in the queue table, read in one go (the table may be redrawn at any moment)."""
    return set(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('tr.queue-row'), function (r) { return r.dataset.code; });"
        )
    )


@pytest.mark.parametrize("pause_ms", [30, 60, 150])
def test_the_search_box_keeps_what_is_typed_and_finds_the_report(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts, pause_ms: int
) -> None:
    driver = browser
    tag = secrets.token_hex(3)
    pothole = new_complaint(engine, committed, description=f"Jalan berlubang besar depan SD Negeri 3 ({tag})")
    school = new_complaint(engine, committed, description=f"Trotoar rusak depan SD Negeri 7 ({tag})")
    small = new_complaint(engine, committed, description=f"Jalan berlubang kecil di gang buntu ({tag})")
    operator = accounts("operator")
    wait = WebDriverWait(driver, 30)

    driver.get(f"{live_server}/login?next=/operator")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(operator.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(lambda d: {pothole, school, small} <= _shown(d))  # the queue is drawn, every report in it
    box = driver.find_element(By.ID, "opf-q")

    for phrase, found, not_found in (
        ("berlubang besar", {pothole}, {school, small}),
        ("depan SD", {pothole, school}, {small}),
    ):
        box.click()
        box.send_keys(Keys.CONTROL, "a", Keys.DELETE)
        _type(driver, phrase, pause_ms)
        assert box.get_attribute("value") == phrase
        # No Enter: the search starts once typing pauses, and the text stays as typed when the answer arrives.
        wait.until(lambda d, found=found, not_found=not_found: found <= _shown(d) and not (not_found & _shown(d)))
        assert box.get_attribute("value") == phrase
        assert driver.switch_to.active_element.get_attribute("id") == "opf-q"
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"operator-search-{pause_ms}ms.png"))
    assert console_errors(driver) == []
