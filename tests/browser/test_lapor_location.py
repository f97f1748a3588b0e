"""/lapor on a 360×740 phone: the kelurahan the pin is in is named under the map however the pin got there,
and a pin from the kelurahan list asks for an address or landmark before the report goes (issue 18 item 11)."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine, text

from tests.conftest import ARTIFACTS, console_errors, inside

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fresh_limits")]
WIDTH, HEIGHT = 360, 740
SUKARASA = "3671011001"


def _routed_name(engine: Engine, lat: float, lon: float) -> str:
    """What routing says about a point, in the page's words (the page must agree with where the report goes)."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT kel.name, kec.name, kota.name FROM pantau_route_point(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) r"
                "  JOIN area kel ON kel.id = r.kelurahan_id JOIN area kec ON kec.id = r.kecamatan_id"
                "  JOIN area kota ON kota.id = r.jurisdiction_id"
            ),
            {"lat": lat, "lon": lon},
        ).one()
    return f"Pin berada di Kelurahan {row[0]}, Kecamatan {row[1]}, {row[2]}."


def _place(driver: Any, expected: str) -> None:
    WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "lapor-place").text == expected)


def _show(driver: Any, element_id: str) -> Any:
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    return element


@pytest.mark.parametrize("browser", [(WIDTH, HEIGHT)], indirect=True)
def test_the_pin_names_its_kelurahan_and_a_listed_one_asks_for_an_address(
    browser: Any, live_server: str, engine: Engine, committed: list[int]
) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True}
    )
    with engine.connect() as conn:
        here = inside(conn, SUKARASA)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"], "origin": live_server})
    browser.execute_cdp_cmd(
        "Emulation.setGeolocationOverride", {"latitude": here[0], "longitude": here[1], "accuracy": 15}
    )
    wait = WebDriverWait(browser, 30)
    browser.get(f"{live_server}/lapor")
    wait.until(EC.element_to_be_clickable((By.XPATH, "//label[contains(., 'Jalan rusak')]"))).click()

    # A tap: the pin goes there and the kelurahan under it is named.
    wait.until(lambda d: d.find_element(By.ID, "lapor-map").get_attribute("data-pin-ready") == "1")
    canvas = browser.find_element(By.CSS_SELECTOR, "#lapor-map canvas")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    ActionChains(browser).move_to_element_with_offset(canvas, 5, 5).click().perform()
    wait.until(lambda d: d.find_element(By.ID, "lapor-lat").get_attribute("value"))
    lat = float(browser.find_element(By.ID, "lapor-lat").get_attribute("value"))
    lon = float(browser.find_element(By.ID, "lapor-lon").get_attribute("value"))
    _place(browser, _routed_name(engine, lat, lon))
    assert browser.find_element(By.ID, "lapor-address-label").text == "Alamat atau patokan (tidak wajib)"
    _show(browser, "lapor-place")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "lapor-360-tap-named.png"))

    # "Pakai lokasi saya": the device's position, named too.
    _show(browser, "lapor-locate").click()
    _place(browser, _routed_name(engine, *here))

    # The kelurahan list: the pin sits in its middle, so the form asks where exactly.
    _show(browser, "lapor-kelurahan").click()
    search = wait.until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".dash-dropdown-content input[type=search]"))
    )
    search.send_keys("Cipete")
    wait.until(EC.element_to_be_clickable((By.XPATH, "//*[@role='option' and contains(., 'Cipete')]"))).click()
    wait.until(lambda d: "Kelurahan Cipete," in d.find_element(By.ID, "lapor-place").text)
    wait.until(lambda d: d.find_element(By.ID, "lapor-address-label").text == "Alamat atau patokan (wajib)")
    message = browser.find_element(By.ID, "lapor-address-message")
    assert message.is_displayed() and "Tuliskan alamat atau patokan" in message.text
    browser.find_element(By.ID, "lapor-description").send_keys("Jalan berlubang dalam, motor sering jatuh.")
    submit = _show(browser, "lapor-submit")
    submit.click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "lapor-address-error"), "Tuliskan alamat atau patokan"))
    assert browser.switch_to.active_element.get_attribute("id") == "lapor-address"  # the focus is on it
    assert not browser.find_elements(By.ID, "lapor-code")
    _show(browser, "lapor-address-message")
    browser.save_screenshot(str(ARTIFACTS / "lapor-360-address-needed.png"))

    # A landmark given: the message goes, and the report is stored with it.
    browser.find_element(By.ID, "lapor-address").send_keys("Depan Pasar Cipete, dekat halte")
    wait.until(lambda d: not d.find_element(By.ID, "lapor-address-message").is_displayed())
    _show(browser, "lapor-submit").click()
    code = wait.until(EC.visibility_of_element_located((By.ID, "lapor-code"))).text
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.id, c.address, kel.name FROM complaint c JOIN area kel ON kel.id = c.kelurahan_id"
                " WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).one()
    committed.append(row.id)
    assert (row.address, row.name) == ("Depan Pasar Cipete, dekat halte", "Cipete")
    assert console_errors(browser) == []
