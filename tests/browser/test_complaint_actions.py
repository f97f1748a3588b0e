"""An operator verifies and assigns a new report in one step, by keyboard to the action panel, and the page
changes in place: no reload (issue 18, items 7 and 8); then hands it over by hand to a region without a door,
naming the office (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts, new_complaint, status_of

pytestmark = pytest.mark.browser


def _choose(driver: Any, wait: WebDriverWait, dropdown: str, label: str) -> None:
    driver.find_element(By.ID, dropdown).click()
    search = wait.until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".dash-dropdown-content input[type=search]"))
    )
    search.send_keys(label)
    wait.until(EC.element_to_be_clickable((By.XPATH, f"//*[@role='option' and contains(., '{label}')]"))).click()


def test_verify_and_assign_in_one_step_reached_by_keyboard_and_shown_in_place(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    supervisor = accounts("field", opd="3671.DBMSDA")
    code = new_complaint(engine, committed, description="Lubang besar di tikungan, motor sering jatuh")
    operator = accounts("operator")
    wait = WebDriverWait(driver, 20)

    driver.get(f"{live_server}/login?next=/pengaduan/{code}")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(operator.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-badge"), "Baru"))
    driver.execute_script("window.__sameDocument = true")  # gone if the page reloads

    # The page says how to reach the actions by keyboard; the key A gets there from anywhere but a text box.
    hint = driver.find_element(By.ID, "cp-to-actions")
    assert hint.is_displayed() and "tekan A" in hint.text
    driver.find_element(By.TAG_NAME, "body").click()
    ActionChains(driver).send_keys("a").perform()
    wait.until(lambda d: d.execute_script("return !!document.activeElement.closest('#cp-action')"))
    focused = driver.switch_to.active_element
    assert focused.get_attribute("type") == "radio"
    # The first choice is the common job in one step: Space picks it.
    assert driver.execute_script("return document.activeElement.closest('label').textContent") == (
        "Verifikasi & tugaskan"
    )
    focused.send_keys(Keys.SPACE)
    wait.until(EC.visibility_of_element_located((By.ID, "cp-assignee")))
    _choose(driver, wait, "cp-assignee", supervisor.username)
    save = wait.until(EC.element_to_be_clickable((By.ID, "cp-submit")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", save)
    save.click()

    # In place: the badge, the history and the actions change; the document is the same one.
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-badge"), "Ditugaskan"))
    assert driver.execute_script("return window.__sameDocument") is True
    assert "Tersimpan: Verifikasi & tugaskan." in driver.find_element(By.ID, "cp-saved").text
    offered = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#cp-action label")]
    assert offered and "Verifikasi" not in offered and "Verifikasi & tugaskan" not in offered
    history = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".timeline-what")]
    assert history[-2:] == ["Diverifikasi", f"Ditugaskan kepada {supervisor.username}"], history
    driver.save_screenshot(str(ARTIFACTS / "complaint-verify-assign.png"))

    # Two transitions in the history, one each.
    kept = status_of(engine, code)
    assert (kept["status"], kept["assignee"]) == ("ditugaskan", supervisor.username)
    with engine.connect() as conn:
        steps = (
            conn.execute(
                text(
                    "SELECT e.to_status FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                    "WHERE c.tracking_code = :c AND e.to_status IS NOT NULL AND e.from_status IS NOT NULL ORDER BY e.id"
                ),
                {"c": code},
            )
            .scalars()
            .all()
        )
    assert steps == ["terverifikasi", "ditugaskan"]

    # Forwarded to a region without a door, it is handed over by hand: the form asks whom it is given to.
    driver.find_element(By.XPATH, "//*[@id='cp-action']//label[normalize-space()='Teruskan']").click()
    wait.until(EC.visibility_of_element_located((By.ID, "cp-kota")))
    assert not driver.find_element(By.ID, "cp-office").is_displayed()  # asked only for a region without a door
    _choose(driver, wait, "cp-kota", "Jakarta Pusat")
    wait.until(EC.visibility_of_element_located((By.ID, "cp-office")))
    driver.find_element(By.ID, "cp-reason").send_keys("Lokasi di Jakarta Pusat")
    driver.find_element(By.ID, "cp-submit").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-msg"), "isi kantor penerima"))
    driver.execute_script("document.getElementById('cp-handover').scrollIntoView({block: 'center'})")
    driver.save_screenshot(str(ARTIFACTS / "complaint-handover-form.png"))
    driver.find_element(By.ID, "cp-office").send_keys("Dinas Bina Marga DKI Jakarta")
    driver.find_element(By.ID, "cp-office-contact").send_keys("+62 21 3822255")
    driver.find_element(By.ID, "cp-submit").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-badge"), "Diteruskan"))
    handed = driver.find_element(By.ID, "cp-handed-to").text
    assert handed == "Diserahkan kepada Dinas Bina Marga DKI Jakarta (+62 21 3822255)."
    assert driver.find_element(By.ID, "cp-handover-pdf").get_attribute("href").endswith(f"{code}/handover.pdf?lang=id")
    driver.execute_script("document.getElementById('cp-handover').scrollIntoView({block: 'start'})")
    driver.save_screenshot(str(ARTIFACTS / "complaint-handover.png"))
    assert console_errors(driver) == []


def test_the_key_a_does_nothing_while_typing_in_a_text_box(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    code = new_complaint(engine, committed)
    operator = accounts("operator")
    wait = WebDriverWait(driver, 20)
    driver.get(f"{live_server}/login?next=/pengaduan/{code}")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(operator.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    box = wait.until(EC.element_to_be_clickable((By.ID, "cp-note-text")))
    box.send_keys("ada warga")
    assert box.get_attribute("value") == "ada warga"
    assert driver.switch_to.active_element.get_attribute("id") == "cp-note-text"
