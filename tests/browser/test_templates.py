"""An admin writes a reply template on /templat; an operator starts a reply from it on /pengaduan, changes it,
and the reporter reads it on /lacak (with the neutral word where the reporter's name goes)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts, new_complaint

pytestmark = pytest.mark.browser


@pytest.fixture
def templates(engine: Engine) -> Iterator[None]:
    with engine.connect() as conn:
        before = conn.execute(text("SELECT coalesce(max(id), 0) FROM response_template")).scalar_one()
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM response_template WHERE id > :b"), {"b": before})


def _login(driver: Any, wait: WebDriverWait, live_server: str, username: str, path: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{live_server}/login?next={path}")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()


def test_an_operator_replies_from_a_template_an_admin_wrote(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts, templates: None
) -> None:
    driver = browser
    wait = WebDriverWait(driver, 20)
    title = f"Terima kasih {secrets.token_hex(3)}"
    _login(driver, wait, live_server, accounts("admin").username, "/templat")
    wait.until(EC.presence_of_element_located((By.ID, "tpl-title"))).send_keys(title)
    driver.find_element(By.ID, "tpl-body").send_keys("Yth. {nama}, laporan {kode} kami teruskan ke {kantor}.")
    driver.find_element(By.ID, "tpl-save").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "tpl-list"), title))
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "templates-admin.png"))
    assert console_errors(driver) == []

    code = new_complaint(engine, committed, reporter_name="Budi Santoso", reporter_contact="budi@example.org")
    _login(driver, wait, live_server, accounts("operator").username, f"/pengaduan/{code}")
    picker = wait.until(EC.presence_of_element_located((By.ID, "cp-note-template")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", picker)
    picker.click()
    search = wait.until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".dash-dropdown-content input[type=search]"))
    )
    search.send_keys(title[:12])
    wait.until(EC.element_to_be_clickable((By.XPATH, f"//*[@role='option' and contains(., '{title}')]"))).click()
    box = driver.find_element(By.ID, "cp-note-text")
    wait.until(lambda d: code in (box.get_attribute("value") or ""))
    assert box.get_attribute("value").startswith("Yth. {nama}, laporan")
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-note-who"), "Pelapor membaca balasan ini"))
    box.send_keys(" Tim datang besok.")
    driver.save_screenshot(str(ARTIFACTS / "templates-complaint.png"))
    button = driver.find_element(By.ID, "cp-note-submit")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "timeline"), "Tim datang besok."))
    assert console_errors(driver) == []

    driver.get(f"{live_server}/lacak/{code}")
    wait.until(EC.presence_of_element_located((By.ID, "lacak-status")))
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "Yth. Bapak/Ibu, laporan" in body and "Tim datang besok." in body and "Budi" not in body
