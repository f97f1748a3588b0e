"""An operator replies to the reporter from /pengaduan and the reply is on /lacak; an internal note is not."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts, new_complaint

pytestmark = pytest.mark.browser

INTERNAL = "Anggaran perbaikan baru turun bulan depan"
REPLY = "Terima kasih, tim kami datang besok pagi"


def _write(driver: Any, wait: WebDriverWait, note: str, reply: bool) -> None:
    box = wait.until(EC.presence_of_element_located((By.ID, "cp-note-text")))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.send_keys(note)
    if reply:
        driver.find_element(By.XPATH, "//div[@id='cp-note-public']//label[contains(., 'Balas ke pelapor')]").click()
        driver.save_screenshot(str(ARTIFACTS / "notes-reply-box.png"))
        wait.until(EC.text_to_be_present_in_element((By.ID, "cp-note-who"), "Pelapor membaca balasan ini"))
    else:
        assert "Hanya petugas" in driver.find_element(By.ID, "cp-note-who").text
    button = driver.find_element(By.ID, "cp-note-submit")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "timeline"), note))


def test_a_reply_typed_on_the_complaint_page_is_read_on_lacak(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    code = new_complaint(engine, committed, description="Lubang besar di depan pasar")
    wait = WebDriverWait(driver, 20)
    driver.get(f"{live_server}/login?next=/pengaduan/{code}")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(accounts("operator").username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()

    _write(driver, wait, INTERNAL, reply=False)
    _write(driver, wait, REPLY, reply=True)
    history = driver.find_element(By.ID, "timeline")
    for note, mark in ((INTERNAL, "Catatan internal: hanya petugas"), (REPLY, "Balasan ke pelapor")):
        assert mark in history.find_element(By.XPATH, f".//li[contains(., '{note}')]").text
    ARTIFACTS.mkdir(exist_ok=True)
    driver.execute_script("arguments[0].scrollIntoView({block: 'end'})", history)
    driver.save_screenshot(str(ARTIFACTS / "notes-complaint.png"))
    assert console_errors(driver) == []

    driver.get(f"{live_server}/lacak/{code}")
    page = wait.until(EC.presence_of_element_located((By.ID, "lacak-status")))
    body = driver.find_element(By.TAG_NAME, "body").text
    assert REPLY in body and INTERNAL not in body, page.text
    driver.save_screenshot(str(ARTIFACTS / "notes-lacak.png"))
