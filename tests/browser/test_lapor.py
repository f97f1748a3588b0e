"""A citizen on a 360 px phone files a report with a photo, then opens its tracking link."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ARTIFACTS, ROOT, console_errors
from tests.integration.intake import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_limits")]


def _no_sideways_scroll(driver: Any) -> None:
    width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at {width[1]} px: {width[0]} px wide"


@pytest.mark.parametrize("browser", [(360, 740)], indirect=True)
def test_file_a_report_with_a_photo_on_a_phone_and_track_it(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    wait = WebDriverWait(browser, 30)
    # Chromium will not make a window narrower than 500 px: emulate the phone's viewport instead.
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True}
    )
    browser.get(f"{live_server}/lapor")
    assert browser.execute_script("return window.innerWidth") == 360
    wait.until(EC.element_to_be_clickable((By.XPATH, "//label[contains(., 'Sampah menumpuk')]"))).click()

    # Tap the map: the pin goes where the finger was, and the coordinates fill in.
    wait.until(lambda d: d.find_element(By.ID, "lapor-map").get_attribute("data-pin-ready") == "1")
    canvas = browser.find_element(By.CSS_SELECTOR, "#lapor-map canvas")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    ActionChains(browser).move_to_element_with_offset(canvas, 5, 5).click().perform()
    wait.until(lambda d: d.find_element(By.ID, "lapor-lat").get_attribute("value"))
    lat = float(browser.find_element(By.ID, "lapor-lat").get_attribute("value"))
    lon = float(browser.find_element(By.ID, "lapor-lon").get_attribute("value"))
    assert -6.45 < lat < -6.05 and 106.5 < lon < 106.85, (lat, lon)
    # A kelurahan chosen from the list moves the pin inside it (the keyboard path).
    browser.find_element(By.ID, "lapor-kelurahan").click()
    search = wait.until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".dash-dropdown-content input[type=search]"))
    )
    search.send_keys("Cipete")
    wait.until(EC.element_to_be_clickable((By.XPATH, "//*[@role='option' and contains(., 'Cipete')]"))).click()
    wait.until(lambda d: d.find_element(By.ID, "lapor-lat").get_attribute("value") != f"{lat:.6f}")
    browser.find_element(By.ID, "lapor-address").send_keys("Gang Mawar, depan warung")  # required for a listed pin

    browser.find_element(By.ID, "lapor-description").send_keys("Sampah menumpuk di depan gang, <b>bau</b> sekali.")
    photo = Path(tempfile.mkdtemp()) / "sampah.jpg"
    photo.write_bytes(jpeg((120, 90, 30), (640, 480)))
    browser.find_element(By.CSS_SELECTOR, "#lapor-upload input[type=file]").send_keys(str(photo))
    wait.until(EC.text_to_be_present_in_element((By.ID, "lapor-photo-list"), "sampah.jpg"))
    assert browser.find_element(By.ID, "lapor-upload-msg").text == "Foto sampah.jpg siap; terkirim bersama laporan."
    _no_sideways_scroll(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "lapor-360-form.png"))

    submit = browser.find_element(By.ID, "lapor-submit")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    code = wait.until(EC.visibility_of_element_located((By.ID, "lapor-code"))).text
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT c.id, c.channel, c.status, (SELECT count(*) FROM photo p WHERE p.complaint_id = c.id) AS photos"
                 "  FROM complaint c WHERE c.tracking_code = :c"),
            {"c": code},
        ).one()  # fmt: skip
    committed.append(row.id)
    assert row.channel == "web" and row.photos == 1 and row.status == "baru"
    assert not browser.find_element(By.ID, "lapor-form").is_displayed()
    _no_sideways_scroll(browser)
    browser.save_screenshot(str(ARTIFACTS / "lapor-360-receipt.png"))

    browser.find_element(By.ID, "lapor-track-link").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "lacak-shown-code"), code))
    assert browser.find_element(By.ID, "lacak-status").text == "Baru"
    assert "Sampah menumpuk" in browser.find_element(By.ID, "lacak-category").text
    description = browser.find_element(By.ID, "lacak-description")
    assert "<b>bau</b>" in description.text and not description.find_elements(By.TAG_NAME, "b")
    _no_sideways_scroll(browser)
    assert not console_errors(browser)


@pytest.mark.parametrize("browser", [(360, 740)], indirect=True)
def test_a_photo_over_the_limit_is_named_in_the_form_and_nothing_typed_is_lost(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    from settings import get_settings

    wait = WebDriverWait(browser, 30)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True}
    )
    browser.get(f"{live_server}/lapor")
    wait.until(EC.element_to_be_clickable((By.XPATH, "//label[contains(., 'Sampah menumpuk')]"))).click()
    browser.find_element(By.ID, "lapor-lat").send_keys("-6.1783")
    browser.find_element(By.ID, "lapor-lon").send_keys("106.6319")
    description = browser.find_element(By.ID, "lapor-description")
    description.send_keys("Tumpukan sampah di ujung jalan, sudah seminggu.")
    folder = Path(tempfile.mkdtemp())
    huge = folder / "besar-sekali.jpg"
    huge.write_bytes(b"\xff\xd8" + b"\0" * int(get_settings().max_photo_mb * 1048576))  # just over the limit
    small = folder / "kecil.jpg"
    small.write_bytes(jpeg((40, 90, 30), (320, 240)))
    other = folder / "salah-pilih.jpg"
    other.write_bytes(jpeg((200, 30, 30), (320, 240)))

    picker = browser.find_element(By.CSS_SELECTOR, "#lapor-upload input[type=file]")
    # A screen reader names the file picker by the zone's visible words, and reads the hint (size, kinds) with it.
    assert wait.until(lambda _: picker.get_attribute("aria-label")) == "Ambil atau pilih foto atau PDF"
    assert picker.get_attribute("aria-describedby") == "lapor-upload-hint"
    picker.send_keys(str(huge))
    wait.until(EC.text_to_be_present_in_element((By.ID, "lapor-upload-msg"), "besar-sekali.jpg"))
    assert browser.find_element(By.ID, "lapor-upload-msg").text == (
        "besar-sekali.jpg: Foto terlalu besar (maksimal 15 MB)."
    )
    assert description.get_attribute("value") == "Tumpukan sampah di ujung jalan, sudah seminggu."
    # Another photo is still welcome, and a wrong one can be taken out again.
    for path in (small, other):
        browser.find_element(By.CSS_SELECTOR, "#lapor-upload input[type=file]").send_keys(str(path))
        wait.until(EC.text_to_be_present_in_element((By.ID, "lapor-photo-list"), path.name))
    remove = browser.find_element(By.CSS_SELECTOR, "button[aria-label='Hapus foto salah-pilih.jpg']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", remove)
    remove.click()
    wait.until(lambda d: "salah-pilih.jpg" not in d.find_element(By.ID, "lapor-photo-list").text)
    _no_sideways_scroll(browser)
    browser.save_screenshot(str(ARTIFACTS / "lapor-360-photos.png"))

    submit = browser.find_element(By.ID, "lapor-submit")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    code = wait.until(EC.visibility_of_element_located((By.ID, "lapor-code"))).text
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT c.id, c.description, (SELECT count(*) FROM photo p WHERE p.complaint_id = c.id) AS photos"
                 "  FROM complaint c WHERE c.tracking_code = :c"),
            {"c": code},
        ).one()  # fmt: skip
    committed.append(row.id)
    assert row.description == "Tumpukan sampah di ujung jalan, sudah seminggu." and row.photos == 1
    assert not console_errors(browser)


def _error_at(driver: Any, field: str) -> str:
    shown = driver.find_element(By.ID, f"lapor-{field}-error")
    return shown.text if shown.is_displayed() else ""


@pytest.mark.parametrize("browser", [(360, 740)], indirect=True)
def test_errors_show_at_their_fields_and_go_once_fixed_and_photos_add_up_with_thumbnails(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    wait = WebDriverWait(browser, 30)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True}
    )
    browser.get(f"{live_server}/lapor")
    submit = wait.until(EC.presence_of_element_located((By.ID, "lapor-submit")))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()

    # Each problem beside its field, the field marked invalid, the focus on the first; nothing listed at the bottom.
    wait.until(lambda d: _error_at(d, "category"))
    assert _error_at(browser, "category") == "Pilih kategori masalah."
    assert _error_at(browser, "location") and _error_at(browser, "description")
    assert _error_at(browser, "name") == "" and browser.find_element(By.ID, "lapor-errors").text == ""
    description = browser.find_element(By.ID, "lapor-description")
    assert description.get_attribute("aria-invalid") == "true"
    assert "lapor-description-error" in description.get_attribute("aria-describedby")
    wait.until(lambda d: d.execute_script("return !!document.activeElement.closest('#lapor-category')"))
    assert browser.switch_to.active_element.get_attribute("aria-invalid") == "true"
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "lapor-360-errors.png"))
    browser.save_screenshot(str(ROOT / "docs" / "lapor-360-errors.png"))

    # Fixed one by one, each message goes with its mark, and the others stay until their field is fixed.
    browser.find_element(By.XPATH, "//label[contains(., 'Sampah menumpuk')]").click()
    wait.until(lambda d: _error_at(d, "category") == "")
    assert _error_at(browser, "description") and _error_at(browser, "location")
    description.send_keys("Sampah menumpuk di pinggir kali, sudah tiga hari.")
    wait.until(lambda d: _error_at(d, "description") == "")
    assert description.get_attribute("aria-invalid") is None
    browser.find_element(By.ID, "lapor-lat").send_keys("-6.1783")
    browser.find_element(By.ID, "lapor-lon").send_keys("106.6319")
    wait.until(lambda d: _error_at(d, "location") == "")
    assert all(_error_at(browser, f) == "" for f in ("category", "answers", "location", "address", "description"))

    # Photos add up, each with its thumbnail and a remove button, up to three.
    folder = Path(tempfile.mkdtemp())
    for i, colour in enumerate([(200, 40, 40), (40, 160, 40), (40, 40, 200), (200, 200, 40)], start=1):
        path = folder / f"foto-{i}.jpg"
        path.write_bytes(jpeg(colour, (400, 300)))
        browser.find_element(By.CSS_SELECTOR, "#lapor-upload input[type=file]").send_keys(str(path))
        wait.until(EC.text_to_be_present_in_element((By.ID, "lapor-upload-msg"), path.name))
    items = browser.find_elements(By.CSS_SELECTOR, "#lapor-photo-list li")
    assert [i.find_element(By.CLASS_NAME, "photo-name").text for i in items] == [
        "foto-1.jpg",
        "foto-2.jpg",
        "foto-3.jpg",
    ]
    assert browser.find_element(By.ID, "lapor-upload-msg").text == "foto-4.jpg: Paling banyak 3 foto."
    for item in items:
        thumb = item.find_element(By.CSS_SELECTOR, "img.photo-thumb")
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", thumb) > 0
        assert thumb.get_attribute("alt").startswith("Pratinjau foto foto-")
    remove = browser.find_element(By.CSS_SELECTOR, "button[aria-label='Hapus foto foto-2.jpg']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", remove)
    remove.click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#lapor-photo-list img.photo-thumb")) == 2)
    _no_sideways_scroll(browser)
    browser.save_screenshot(str(ROOT / "docs" / "lapor-360-photos.png"))

    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    code = wait.until(EC.visibility_of_element_located((By.ID, "lapor-code"))).text
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT c.id, (SELECT count(*) FROM photo p WHERE p.complaint_id = c.id) AS photos"
                 "  FROM complaint c WHERE c.tracking_code = :c"),
            {"c": code},
        ).one()  # fmt: skip
    committed.append(row.id)
    assert row.photos == 2
    assert not console_errors(browser)
