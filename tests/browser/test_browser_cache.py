"""A signed-in staff member's browser keeps Dash's scripts and Pantau's assets from one page load to the next
(api/browser_cache.py): before, their answers varied on a session cookie signed anew every second, and every
load fetched 1.2 MB of scripts again."""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import console_errors
from tests.integration.staff import PASSWORD, Accounts

pytestmark = pytest.mark.browser

# Each script and style sheet the page named (not the lazily loaded chunks), with how it arrived.
_LOADED = """
return performance.getEntriesByType('resource')
  .filter(r => ['script', 'link'].includes(r.initiatorType)
               && (/[.]v[0-9_]+m[0-9]+/.test(r.name) || r.name.includes('/assets/') && r.name.includes('?m=')))
  .map(r => [r.name.split('/').pop(), r.transferSize]);
"""


def test_a_signed_in_browser_takes_the_pages_scripts_from_its_cache(
    browser: Any, live_server: str, accounts: Accounts
) -> None:
    operator = accounts("operator")
    wait = WebDriverWait(browser, 20)
    browser.get(f"{live_server}/login?lang=id&next=/operator")
    wait.until(EC.element_to_be_clickable((By.ID, "login-username"))).send_keys(operator.username)
    browser.find_element(By.ID, "login-password").send_keys(PASSWORD, Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#op-table-el, .queue-empty")))
    # A later visit: the session cookie is signed with the time in seconds, so it is another cookie by now.
    time.sleep(1.1)
    browser.get(f"{live_server}/operator?lang=id")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#op-table-el, .queue-empty")))
    loaded = browser.execute_script(_LOADED)
    assert len(loaded) > 10, loaded  # Dash's scripts and Pantau's assets were all there
    assert [name for name, size in loaded if size > 0] == [], "fetched again over the network"
    assert console_errors(browser) == []
