"""A reporter opens their own link on a phone, taps PUAS with a score, and reads what was recorded."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.intake import finish
from tests.integration.staff import new_complaint

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_limits")]


@pytest.mark.parametrize("browser", [(360, 740)], indirect=True)
def test_the_reporter_taps_puas_on_their_phone(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    from app import server
    from db.tracking import reporter_token

    code = new_complaint(engine, committed, reporter_contact="+6281299990000")
    with engine.begin() as conn:
        finish(conn, code)
    token = reporter_token(str(server.config["SECRET_KEY"]), code)
    browser.get(f"{live_server}/lacak/{code}?k={token}&lang=id")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda b: b.find_elements(By.ID, "lacak-rate-yes"))
    browser.find_element(By.CSS_SELECTOR, "#lacak-score input[value='5']").click()
    browser.find_element(By.ID, "lacak-rate-yes").click()
    wait.until(lambda b: "tercatat" in b.find_element(By.ID, "lacak-rate-message").text)
    assert browser.find_element(By.ID, "lacak-rate-message").text == "Terima kasih, tercatat: PUAS (5/5)."
    browser.execute_script("document.getElementById('lacak-rating').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "lacak-rated-phone.png"))
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT r.satisfied, r.score FROM complaint_rating r JOIN complaint c ON c.id = r.complaint_id "
                "WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).one()
    assert tuple(row) == (True, 5)
    assert not console_errors(browser)
