"""An operator merges a new report into the job a field supervisor already has: the job stays theirs (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts, new_complaint, status_of

pytestmark = pytest.mark.browser


def _assign(engine: Engine, code: str, username: str) -> None:
    from db.complaints import Actor, transition

    with engine.begin() as conn:
        transition(conn, code, "verify", Actor(role="operator"))
        transition(conn, code, "assign", Actor(role="operator"), assignee=username)


def _supervisor_has(engine: Engine, supervisor_id: int, code: str) -> bool:
    from db.workflow import Scope, jobs

    with engine.connect() as conn:
        return code in {j["tracking_code"] for j in jobs(conn, Scope(assignee_id=supervisor_id))}


def test_merging_keeps_the_assigned_job_and_asks_first(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    supervisor = accounts("field", opd="3671.DBMSDA")
    assigned = new_complaint(engine, committed, description="Jalan berlubang dalam di depan pasar")
    _assign(engine, assigned, supervisor.username)
    fresh = new_complaint(engine, committed, east_m=23, description="Ada lubang besar dekat pasar")
    operator = accounts("operator")
    wait = WebDriverWait(driver, 20)

    driver.get(f"{live_server}/login?next=/pengaduan/{fresh}")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(operator.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()

    # "Kemungkinan duplikat" shows who carries each report's work.
    candidate = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f".dup-item[data-code='{assigned}']")))
    assert "Ditugaskan" in candidate.text and f"petugas: {supervisor.username}" in candidate.text
    this = driver.find_element(By.CSS_SELECTOR, ".dup-this").text
    assert fresh in this and "Baru" in this and "belum ada petugas" in this
    # Only the merge that loses nothing is offered, as the primary button; the other way round is explained.
    buttons = candidate.find_elements(By.CSS_SELECTOR, ".dup-buttons button")
    assert [b.text for b in buttons] == [f"Gabungkan {fresh} ke {assigned}"]
    assert "button-secondary" not in (buttons[0].get_attribute("class") or "")
    assert f"{assigned} tidak bisa digabungkan ke {fresh}" in candidate.text
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", candidate)
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "merge-candidates.png"))

    # The button asks first, naming both reports, and nothing changes until the answer is yes.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", buttons[0])
    buttons[0].click()
    ask = wait.until(EC.visibility_of_element_located((By.ID, "cp-merge-ask")))
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-merge-q"), f"Gabungkan {fresh} ke {assigned}?"))
    assert f"petugas: {supervisor.username}" in ask.text and "belum ada petugas" in ask.text
    assert driver.switch_to.active_element.get_attribute("id") == "cp-merge-yes"
    driver.save_screenshot(str(ARTIFACTS / "merge-question.png"))
    assert (status_of(engine, fresh)["status"], status_of(engine, assigned)["status"]) == ("baru", "ditugaskan")
    # Escape (or "Batal") closes the question, the focus goes back to the button, and nothing is merged.
    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait.until(EC.invisibility_of_element_located((By.ID, "cp-merge-ask")))
    wait.until(lambda d: d.switch_to.active_element == buttons[0])
    assert status_of(engine, fresh)["status"] == "baru"

    buttons[0].click()
    yes = wait.until(EC.visibility_of_element_located((By.ID, "cp-merge-yes")))
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-merge-yes"), f"Ya, gabungkan {fresh} ke {assigned}"))
    yes.click()

    # The answer says which report absorbed which; the job is still the supervisor's, at the same stage.
    wait.until(EC.text_to_be_present_in_element((By.ID, "cp-merged"), f"{fresh} digabungkan ke {assigned}."))
    assert driver.find_element(By.ID, "cp-badge").text == "Duplikat"
    driver.save_screenshot(str(ARTIFACTS / "merge-done.png"))
    kept = status_of(engine, assigned)
    assert (kept["status"], kept["assignee"]) == ("ditugaskan", supervisor.username)
    assert status_of(engine, fresh)["status"] == "duplikat"
    assert _supervisor_has(engine, supervisor.id, assigned)

    # The first reporter's tracking page still says "Ditugaskan"; so does the second's, following the job.
    from db.workflow import public_status

    with engine.connect() as conn:
        for code in (assigned, fresh):
            seen = public_status(conn, code)
            assert seen is not None and seen["status"] == "ditugaskan"
    assert console_errors(driver) == []
