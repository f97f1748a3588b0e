"""A field supervisor finishes a job on a 360×740 phone screen: start, add a photo, finish, and it is green."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ROOT, console_errors
from tests.integration.staff import (
    PASSWORD,
    Accounts,
    new_complaint,
    point_in,
    site_photo,
    status_of,
)

WIDTH, HEIGHT = 360, 740
DOCS = ROOT / "docs"


def _assign(engine: Engine, code: str, username: str) -> None:
    from db.complaints import Actor, transition

    with engine.begin() as conn:
        transition(conn, code, "verify", Actor(role="operator"))
        transition(conn, code, "assign", Actor(role="operator"), assignee=username)


@pytest.mark.browser
@pytest.mark.parametrize("browser", [(WIDTH, HEIGHT)], indirect=True)
def test_a_field_supervisor_finishes_a_job_with_a_photo_on_a_phone(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    # A phone: 360 CSS px wide, touch, and a position near the job.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 2, "mobile": True}
    )
    lon, lat = point_in(engine, east_m=30)
    driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"], "origin": live_server})
    driver.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": lat, "longitude": lon, "accuracy": 15})

    supervisor = accounts("field", opd="3671.DBMSDA")
    code = new_complaint(engine, committed, address="Jl. Uji Coba No. 3")
    _assign(engine, code, supervisor.username)
    # Two more of their jobs: the nearer one is offered next once this one is finished.
    far = new_complaint(engine, committed, east_m=2500, address="Jl. Jauh No. 9")
    near = new_complaint(engine, committed, east_m=400, address="Jl. Dekat No. 1")
    for other in (far, near):
        _assign(engine, other, supervisor.username)
    wait = WebDriverWait(driver, 20)

    driver.get(f"{live_server}/login?next=/field")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(supervisor.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()

    # My jobs, nearest first, with how far each is from me.
    card = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, f".job-card[data-code='{code}']")))
    assert "m dari Anda" in card.text
    assert driver.execute_script("return window.innerWidth") == WIDTH
    card.find_element(By.CSS_SELECTOR, "a.job-open").click()

    start = wait.until(EC.element_to_be_clickable((By.ID, "fj-start")))
    finish = driver.find_element(By.ID, "fj-finish")
    assert not finish.is_enabled()  # no photo yet
    start.click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "fj-badge"), "Dikerjakan"))
    assert status_of(engine, code)["status"] == "dikerjakan"

    photo = Path(tempfile.mkdtemp()) / "selesai.jpg"
    with engine.connect() as conn:
        photo.write_bytes(site_photo(conn, code, east_m=20))  # taken at the spot: finishing closes the job at once
    driver.find_element(By.CSS_SELECTOR, "#fj-upload input[type=file]").send_keys(str(photo))
    wait.until(EC.text_to_be_present_in_element((By.ID, "fj-upload-msg"), "tersimpan"))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#fj-photos img")))
    assert status_of(engine, code)["status"] == "dikerjakan"  # a photo alone does not finish the job

    driver.find_element(By.ID, "fj-note").send_keys("Lubang sudah ditambal.")
    wait.until(EC.element_to_be_clickable((By.ID, "fj-finish"))).click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "fj-msg"), "Laporan kini hijau"))
    assert driver.find_element(By.ID, "fj-badge").text == "Selesai"
    assert "badge-green" in driver.find_element(By.ID, "fj-badge").get_attribute("class")

    assert status_of(engine, code)["status"] == "selesai"
    with engine.connect() as conn:
        note = conn.execute(
            text(
                "SELECT e.note FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                "WHERE c.tracking_code = :c AND e.to_status = 'selesai'"
            ),
            {"c": code},
        ).scalar()
        photos = conn.execute(
            text("SELECT count(*) FROM photo p JOIN complaint c ON c.id = p.complaint_id WHERE c.tracking_code = :c"),
            {"c": code},
        ).scalar()
    assert (note, photos) == ("Lubang sudah ditambal.", 1)
    _finished_job_reads_as_finished(driver, wait, near)
    driver.execute_script("document.getElementById('fj-next').scrollIntoView({block: 'end'})")
    driver.save_screenshot(str(DOCS / "field-finished-360.png"))
    # Nothing sticks out sideways on a 360 px screen.
    assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH
    assert console_errors(driver) == []

    # Opened again later, the finished job reads the same; "Pekerjaan berikutnya" leads to the nearest open job.
    driver.get(f"{live_server}/field?job={code}")
    _finished_job_reads_as_finished(driver, wait, near)
    driver.find_element(By.ID, "fj-next").click()
    wait.until(EC.element_to_be_clickable((By.ID, "fj-start")))
    assert near in driver.find_element(By.CSS_SELECTOR, ".job-code").text
    assert console_errors(driver) == []


def _finished_job_reads_as_finished(driver: Any, wait: WebDriverWait, next_code: str) -> None:
    """Green, read-only (no upload box, note or Finish button), its photo shown, and the nearest open job next."""
    from geo.colours import marker_colour

    wait.until(EC.visibility_of_element_located((By.ID, "fj-next")))
    badge = driver.find_element(By.ID, "fj-badge")
    assert badge.text == "Selesai" and "badge-green" in badge.get_attribute("class")
    dot = driver.execute_script(
        "const gd = document.querySelector('#fj-job-map .js-plotly-plot');"
        "const c = gd.data[0].marker.color; return Array.isArray(c) ? c[0] : c;"
    )
    assert dot == marker_colour("selesai")
    for gone in ("fj-upload", "fj-note", "fj-finish", "fj-finish-hint"):
        shown = driver.find_elements(By.ID, gone)
        assert not shown or not shown[0].is_displayed(), gone
    assert driver.find_element(By.CSS_SELECTOR, "#fj-done-photos img").is_displayed()
    following = driver.find_element(By.ID, "fj-next")
    assert following.text.startswith("Pekerjaan berikutnya") and next_code in following.text
    assert "m" in following.text.splitlines()[-1]  # how far it is from this job


@pytest.mark.browser
@pytest.mark.parametrize("browser", [(WIDTH, HEIGHT)], indirect=True)
def test_finishing_with_a_photo_taken_far_away_asks_why_and_waits_for_an_operator(
    browser: Any, live_server: str, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    driver = browser
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 2, "mobile": True}
    )
    supervisor = accounts("field", opd="3671.DBMSDA")
    code = new_complaint(engine, committed, address="Jl. Uji Jauh No. 11")
    _assign(engine, code, supervisor.username)
    wait = WebDriverWait(driver, 20)

    driver.get(f"{live_server}/login?next=/field%3Fjob%3D{code}")
    wait.until(EC.presence_of_element_located((By.ID, "login-username"))).send_keys(supervisor.username)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    wait.until(EC.element_to_be_clickable((By.ID, "fj-start"))).click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "fj-badge"), "Dikerjakan"))

    photo = Path(tempfile.mkdtemp()) / "jauh.jpg"
    with engine.connect() as conn:
        photo.write_bytes(site_photo(conn, code, east_m=11_000))  # taken 11 km east of the report
    driver.find_element(By.CSS_SELECTOR, "#fj-upload input[type=file]").send_keys(str(photo))
    wait.until(EC.text_to_be_present_in_element((By.ID, "fj-upload-msg"), "tersimpan"))
    assert "11,0 km" in driver.find_element(By.ID, "fj-upload-msg").text

    # Finishing without a note: the page asks why, and the job stays as it was.
    wait.until(EC.element_to_be_clickable((By.ID, "fj-finish"))).click()
    wait.until(EC.presence_of_element_located((By.ID, "fj-need-reason")))
    assert "lebih dari 200 m" in driver.find_element(By.ID, "fj-msg").text
    assert status_of(engine, code)["status"] == "dikerjakan"

    driver.find_element(By.ID, "fj-note").send_keys("GPS kamera meleset; foto diambil di lokasi.")
    driver.find_element(By.ID, "fj-finish").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "fj-msg"), "Menunggu konfirmasi operator"))
    badge = driver.find_element(By.ID, "fj-badge")
    assert badge.text == "Menunggu konfirmasi" and "badge-yellow" in badge.get_attribute("class")
    assert status_of(engine, code)["status"] == "perlu_konfirmasi"
    assert driver.find_element(By.CSS_SELECTOR, "#fj-done-photos img").is_displayed()  # the photo stays in view
    assert not driver.find_element(By.ID, "fj-upload").is_displayed()  # read-only now
    driver.execute_script("document.getElementById('fj-badge').scrollIntoView()")  # the screenshot shows the outcome
    assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTH
    assert console_errors(driver) == []
