"""An operator finds reports in the queue, ticks several and forwards them to another agency in one action, or
verifies and assigns many in one step after a question naming how many."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import console_errors
from tests.integration.staff import (
    PASSWORD,
    Accounts,
    new_complaint,
    status_of,
)


def _click(wait: WebDriverWait, by: str, where: str) -> None:
    """Click once the element is ready, again if Dash re-rendered it in between."""
    for _ in range(5):
        try:
            wait.until(EC.element_to_be_clickable((by, where))).click()
            return
        except StaleElementReferenceException:
            continue
    raise AssertionError(f"{where} kept being re-rendered")


def _tick(driver: Any, code: str) -> None:
    """Tick a row's box; a click that lands while the page is still drawing the table is tried again."""
    box = (By.CSS_SELECTOR, f"tr[data-code='{code}'] .row-check input")
    for _ in range(5):
        _click(WebDriverWait(driver, 20), *box)
        try:
            WebDriverWait(driver, 3).until(EC.element_located_to_be_selected(box))
            return
        except TimeoutException:
            continue
    raise AssertionError(f"the box of {code} would not tick")


@pytest.mark.browser
def test_an_operator_forwards_two_reports_in_one_bulk_action(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    marker = f"selokan-{secrets.token_hex(3)}"
    codes = [
        new_complaint(engine, committed, category="banjir_drainase", description=f"{marker} ke-{i}") for i in range(3)
    ]
    operator = accounts("operator")
    wait = WebDriverWait(driver, 20)

    driver.get(f"{live_server}/login?next=/operator")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(operator.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-count"), "pengaduan"))  # the queue is drawn

    # "/" jumps to the search box; Enter filters the queue to these three reports.
    ActionChains(driver).send_keys("/").perform()
    assert driver.switch_to.active_element.get_attribute("id") == "opf-q"
    driver.switch_to.active_element.send_keys(marker)
    wait.until(EC.text_to_be_present_in_element_value((By.ID, "opf-q"), marker))
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-count"), "3 pengaduan"))

    for ticked, code in enumerate(codes[:2], start=1):
        _tick(driver, code)
        wait.until(EC.text_to_be_present_in_element((By.ID, "op-selected-count"), f"{ticked} laporan dipilih"))

    driver.find_element(By.XPATH, "//div[@id='op-action']//label[.//input[@value='forward']]").click()
    wait.until(EC.visibility_of_element_located((By.ID, "op-opd"))).click()
    # Typed into the open list's own search box: keys sent before it has the focus would go nowhere.
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".dash-dropdown-search"))).send_keys("Selatan")
    target = "Dishub · Kota Tangerang Selatan"
    _click(wait, By.XPATH, f"//label[contains(@class, 'dash-dropdown-option')][normalize-space()='{target}']")
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-opd-value"), target))
    driver.find_element(By.ID, "op-reason").send_keys("saluran di jalan provinsi, kewenangan kota sebelah")
    wait.until(EC.element_to_be_clickable((By.ID, "op-submit"))).click()

    wait.until(EC.text_to_be_present_in_element((By.ID, "op-msg"), "2 laporan: Teruskan berhasil"))
    for code in codes[:2]:
        assert (status_of(engine, code)["status"], status_of(engine, code)["opd"]) == ("diteruskan", "3674.DISHUB")
    assert status_of(engine, codes[2])["status"] == "baru"  # not ticked, not touched
    # The table refreshes: the forwarded reports now show their new status.
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, f"tr[data-code='{codes[0]}']"), "Diteruskan"))
    assert console_errors(driver) == []


@pytest.mark.browser
def test_verify_and_assign_on_more_than_ten_reports_asks_first_naming_the_count(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    marker = f"trotoar-{secrets.token_hex(3)}"
    codes = [new_complaint(engine, committed, description=f"{marker} ke-{i}") for i in range(12)]
    supervisor = accounts("field", opd="3671.DBMSDA")  # the agency the reports are routed to
    operator = accounts("operator")
    wait = WebDriverWait(driver, 20)

    driver.get(f"{live_server}/login?next=/operator")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(operator.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-count"), "pengaduan"))
    ActionChains(driver).send_keys("/").perform()
    driver.switch_to.active_element.send_keys(marker, Keys.ENTER)
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-count"), "12 pengaduan"))

    _click(wait, By.ID, "op-select-all")
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-selected-count"), "12 laporan dipilih"))
    # "Verifikasi & tugaskan" in one step: the supervisor is chosen in the same form.
    driver.find_element(By.XPATH, "//div[@id='op-action']//label[.//input[@value='verify_assign']]").click()
    wait.until(EC.visibility_of_element_located((By.ID, "op-assignee"))).click()
    # Into the open list's search box once it is there: typed at the page while it opened, a key was lost
    # ("ui_field_…" for "uji_field_…", one fresh-clone run) and the list offered nothing.
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".dash-dropdown-search"))).send_keys(supervisor.username)
    _click(
        wait,
        By.XPATH,
        f"//label[contains(@class, 'dash-dropdown-option')][starts-with(normalize-space(), '{supervisor.username}')]",
    )

    # The question names the count and the action; "Batal" leaves every report as it was.
    wait.until(EC.element_to_be_clickable((By.ID, "op-submit"))).click()
    question = wait.until(EC.alert_is_present())
    assert question.text.startswith("Verifikasi & tugaskan untuk 12 laporan sekaligus?")
    question.dismiss()
    assert {status_of(engine, code)["status"] for code in codes} == {"baru"}

    # Asked again and answered "OK": all twelve are verified, then assigned to the supervisor.
    wait.until(EC.element_to_be_clickable((By.ID, "op-submit"))).click()
    question = wait.until(EC.alert_is_present())
    assert "12 laporan" in question.text
    question.accept()
    wait.until(EC.text_to_be_present_in_element((By.ID, "op-msg"), "12 laporan: Verifikasi & tugaskan berhasil"))
    assert {(status_of(engine, c)["status"], status_of(engine, c)["assignee"]) for c in codes} == {
        ("ditugaskan", supervisor.username)
    }
    # One transition each in the history: verified, then assigned.
    with engine.connect() as conn:
        history = conn.execute(
            text(
                "SELECT c.tracking_code, array_agg(e.to_status ORDER BY e.id) FROM complaint_event e "
                "JOIN complaint c ON c.id = e.complaint_id WHERE c.tracking_code = ANY(:codes) "
                "AND e.from_status IS NOT NULL AND e.to_status IS NOT NULL GROUP BY c.tracking_code"
            ),
            {"codes": codes},
        ).all()
    assert {code: list(steps) for code, steps in history} == {code: ["terverifikasi", "ditugaskan"] for code in codes}
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, f"tr[data-code='{codes[0]}']"), "Ditugaskan"))
    assert console_errors(driver) == []
