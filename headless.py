"""The one way Pantau starts headless Chromium: for tests, benchmarks and the README screenshot.

Debian's ``chromium`` and ``chromium-driver``, with the flags this machine needs
(no background networking: the network is closed, and Chromium would otherwise
keep trying to reach its own services).
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]


def chromium_paths() -> tuple[str, str]:
    """Chromium and chromedriver, or a clear error (never a silent skip)."""
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chrome or not driver:
        raise RuntimeError("Chromium and chromedriver are required (apt-get install chromium chromium-driver)")
    return chrome, driver


def start_chromium(
    width: int, height: int, logs: tuple[str, ...] = ("browser",), profile: str = "pantau-chrome-"
) -> Any:
    """A fresh headless Chromium with an empty profile and a window of ``width`` × ``height``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chrome, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chrome
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix=profile)}")
    options.set_capability("goog:loggingPrefs", dict.fromkeys(logs, "ALL"))
    return webdriver.Chrome(service=Service(driver), options=options)
