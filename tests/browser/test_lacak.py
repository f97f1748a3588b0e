"""The reporter's receipt on /lapor and the tracking page /lacak, in headless Chromium.

The receipt says what the reporter's link is worth and copies or shares it;
/lacak says what a status means without contradicting its timeline, and shows
the reporter their own photo (of a confidential report, only to them).
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from db.complaints import Actor, NewComplaint, create_complaint
from photos.store import get_store
from photos.upload import save_photo
from tests.conftest import ARTIFACTS, console_errors, inside
from tests.integration.intake import TANGERANG_BABAKAN, finish, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_limits")]

# Before any page script runs: a device that can share (desktop Chromium cannot), recording what it is given,
# and a record of what the page copies.
DEVICE = """
window.__shared = null;
window.__copied = null;
navigator.share = function (data) { window.__shared = data; return Promise.resolve(); };
if (navigator.clipboard) {
  const write = navigator.clipboard.writeText.bind(navigator.clipboard);
  navigator.clipboard.writeText = function (value) { window.__copied = value; return write(value); };
}
"""


def _token(code: str) -> str:
    from app import server
    from db.tracking import reporter_token

    return reporter_token(server.config["SECRET_KEY"], code)


def _report(engine: Engine, committed: list[int], description: str, confidential: bool = False) -> Any:
    with engine.begin() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
        made = create_complaint(
            conn,
            NewComplaint(category="jalan_rusak", description=description, lat=lat, lon=lon, confidential=confidential),
            Actor(role="public"),
        )
    committed.append(made.id)
    return made


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))


def test_the_receipt_warns_about_the_link_and_copies_and_shares_it(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DEVICE})
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": live_server, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    browser.get(f"{live_server}/lapor")
    wait = WebDriverWait(browser, 30)
    wait.until(EC.element_to_be_clickable((By.XPATH, "//label[contains(., 'Sampah menumpuk')]"))).click()
    browser.find_element(By.ID, "lapor-lat").send_keys(f"{lat:.6f}")
    browser.find_element(By.ID, "lapor-lon").send_keys(f"{lon:.6f}")
    browser.find_element(By.ID, "lapor-description").send_keys("Sampah menumpuk di depan gang.")
    submit = browser.find_element(By.ID, "lapor-submit")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    code = wait.until(EC.visibility_of_element_located((By.ID, "lapor-code"))).text
    with engine.connect() as conn:
        committed.append(
            conn.execute(text("SELECT id FROM complaint WHERE tracking_code = :c"), {"c": code}).scalar_one()
        )
    link = browser.find_element(By.ID, "lapor-track-link")
    url = link.text
    assert url == f"{live_server}/lacak/{code}?k={_token(code)}&lang=id"
    warning = browser.find_element(By.ID, "lapor-link-warning")
    assert warning.is_displayed() and "Siapa pun yang memegang tautan ini" in warning.text
    assert "mengajukan keberatan" in warning.text

    copy = browser.find_element(By.ID, "lapor-copy")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", copy)
    copy.click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "lapor-copy-status"), "Tautan disalin."))
    assert browser.execute_script("return window.__copied") == url
    pasted = browser.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done('error: ' + e));"
    )
    assert pasted == url

    share = browser.find_element(By.ID, "lapor-share")
    assert share.is_displayed()  # only where the device can share
    share.click()
    wait.until(lambda d: d.execute_script("return window.__shared"))
    assert browser.execute_script("return window.__shared.url") == url
    _shot(browser, "lapor-receipt-copy-share.png")
    assert console_errors(browser) == []


def test_lacak_says_what_a_status_means_without_contradicting_itself(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    new = _report(engine, committed, "Lubang besar di tikungan")
    done = _report(engine, committed, "Jalan amblas dekat jembatan")
    with engine.begin() as conn:
        finish(conn, done.tracking_code)
    wait = WebDriverWait(browser, 30)

    browser.get(f"{live_server}/lacak/{new.tracking_code}")
    status = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".lacak-status")))
    assert status.text.split("\n") == ["Baru", "Diterima, menunggu diperiksa operator."]
    timeline = browser.find_element(By.ID, "lacak-timeline").text
    assert "Masuk antrean Dinas Bina Marga" in timeline and "Diteruskan" not in timeline
    _shot(browser, "lacak-new-report.png")

    browser.get(f"{live_server}/lacak/{done.tracking_code}")
    status = wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".lacak-status")))
    assert status.text.split("\n") == ["Selesai", "Pekerjaan sudah selesai."]  # once, not "Selesai Selesai"
    _shot(browser, "lacak-finished-report.png")
    assert console_errors(browser) == []


def _loaded_images(driver: Any) -> list[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll('#lacak-evidence img')].filter(i => i.complete && i.naturalWidth > 0)"
        ".map(i => i.getAttribute('src'))"
    )


def test_the_reporter_sees_their_own_photo_of_a_confidential_report_and_nobody_else_does(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    secret = _report(engine, committed, "Pungli di loket kelurahan", confidential=True)
    with engine.begin() as conn:
        photo = save_photo(conn, get_store(), secret.id, jpeg((200, 120, 40), (320, 240)), "report",
                           Actor(role="public"), 10**7)  # fmt: skip
    token = _token(secret.tracking_code)
    wait = WebDriverWait(browser, 30)

    browser.get(f"{live_server}/lacak/{secret.tracking_code}?k={token}")
    wait.until(lambda d: _loaded_images(d))
    assert _loaded_images(browser) == [f"/photos/{photo.id}/thumb?k={token}"]
    assert "Pungli" in browser.find_element(By.ID, "lacak-description").text
    evidence = browser.find_element(By.ID, "lacak-evidence")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", evidence)
    _shot(browser, "lacak-reporter-own-photo.png")

    browser.get(f"{live_server}/lacak/{secret.tracking_code}")
    wait.until(EC.visibility_of_element_located((By.ID, "lacak-confidential")))
    assert browser.find_elements(By.CSS_SELECTOR, "#lacak-evidence img") == []
    assert "Pungli" not in browser.find_element(By.TAG_NAME, "body").text
    assert console_errors(browser) == []
    # Nor does the photo's own address answer without the link's key.
    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done(r.status));",
        f"/photos/{photo.id}/thumb",
    )
    assert status == 404
    _shot(browser, "lacak-confidential-others.png")
