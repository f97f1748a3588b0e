"""The header on a 360×740 phone: each visitor sees the pages of their role, the rest one tap away in the menu.

Which staff page a role may open is services/permissions.py's to say; this checks what a person sees and that
every page the bar offers opens for them (issue 18 item 10).
"""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import ARTIFACTS, console_errors
from tests.integration.staff import PASSWORD, Accounts

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 360, 740
PUBLIC = ["Lapor", "Lacak", "Statistik", "Live Room"]
# role: (links in the bar, links in the menu), in Bahasa Indonesia.
SEEN = {
    None: (["Lapor", "Lacak"], ["Statistik", "Live Room"]),
    "field": (["Lapangan"], PUBLIC),
    "leader": (["Pimpinan"], PUBLIC),
    "opd": (["Operator", "Pimpinan"], PUBLIC),
    "operator": (["Operator", "Pimpinan"], PUBLIC),
    # The admin's own pages too: the doors to other jurisdictions' systems (/pintu).
    "admin": (["Operator", "Lapangan", "Pimpinan", "Pintu"], PUBLIC),
}
ONE_ROW_PX = 64  # the bar's own height: brand, links and menu side by side


def _texts(driver: Any, selector: str) -> list[str]:
    return [e.get_attribute("textContent").strip() for e in driver.find_elements(By.CSS_SELECTOR, selector)]


@pytest.mark.parametrize("browser", [(WIDTH, HEIGHT)], indirect=True)
@pytest.mark.parametrize("role", list(SEEN), ids=lambda r: r or "citizen")
def test_each_visitor_sees_their_own_pages_on_a_phone(
    browser: Any, live_server: str, accounts: Accounts, role: str | None
) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": True}
    )
    # /field asks for the phone's position: give it one, as a phone would (the network has none to look up).
    browser.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"], "origin": live_server})
    browser.execute_cdp_cmd(
        "Emulation.setGeolocationOverride", {"latitude": -6.18, "longitude": 106.63, "accuracy": 20}
    )
    wait = WebDriverWait(browser, 20)
    if role is not None:
        account = accounts(role)
        browser.get(f"{live_server}/login?lang=id&next=/lacak")
        wait.until(EC.element_to_be_clickable((By.ID, "login-username"))).send_keys(account.username)
        browser.find_element(By.ID, "login-password").send_keys(PASSWORD, Keys.ENTER)
        wait.until(lambda d: "/login" not in d.current_url)
    browser.get(f"{live_server}/lacak?lang=id")
    wait.until(EC.presence_of_element_located((By.ID, "nav-bar")))
    bar, menu = SEEN[role]
    assert _texts(browser, "#nav-bar a") == bar
    header = browser.find_element(By.CSS_SELECTOR, ".site-header").size["height"]
    assert header <= (2 * ONE_ROW_PX if len(bar) > 2 else ONE_ROW_PX), f"the header is {header} px tall"

    # The rest is in the menu: the public pages, and the account (or the staff log-in).
    assert not browser.find_element(By.CSS_SELECTOR, ".nav-menu-panel").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "#nav-menu summary").click()
    wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".nav-menu-panel")))
    assert _texts(browser, ".nav-menu-links a") == menu
    if role is None:
        assert _texts(browser, ".nav-menu-account a") == ["Masuk"]
        assert browser.find_element(By.ID, "lang-switch").is_displayed()  # a citizen's language, in the bar
    else:
        assert browser.find_element(By.ID, "nav-user").text == f"Masuk sebagai {account.username}"
        assert browser.find_element(By.CSS_SELECTOR, ".logout-form button").is_displayed()
    panel = browser.find_element(By.CSS_SELECTOR, ".nav-menu-panel").rect
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= WIDTH  # all of it on the screen
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"header-360-{role or 'citizen'}.png"))
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".nav-menu-panel")))

    # Every page the bar offers opens for this visitor: no log-in prompt, no refusal.
    for href in [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#nav-bar a")]:
        browser.get(href)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#main > *")))
        assert not browser.find_elements(By.ID, "guard-login") and not browser.find_elements(By.ID, "guard-forbidden")
    assert console_errors(browser) == []
