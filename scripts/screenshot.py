"""``make screenshot``: the wall screen with demo data in kiosk mode at 1920×1080, saved as docs/wall.png.

Uses the dev database (``DATABASE_URL``, or the project-local cluster, which it
starts and stops again when it was not running), brought up to date the way
``make run`` does (``flask bootstrap``: migrations, boundaries, catalogue, demo
complaints on an empty database). The README shows the result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from headless import start_chromium  # noqa: E402

OUT = ROOT / "docs" / "wall.png"
SIZE = (1920, 1080)
DRAWN = """
const done = arguments[arguments.length - 1];
(function check() {
  const gd = document.querySelector('#wall-map .js-plotly-plot');
  const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot.map;
  if (map && map.loaded() && map.areTilesLoaded()) setTimeout(() => done(true), 1500);
  else setTimeout(check, 50);
})();
"""


def _browser():  # type: ignore[no-untyped-def]
    driver = start_chromium(*SIZE, profile="pantau-shot-")
    # The window includes no browser chrome in headless mode, but pin the viewport to exactly 1920×1080.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": SIZE[0], "height": SIZE[1], "deviceScaleFactor": 1, "mobile": False},
    )
    driver.set_script_timeout(120)
    return driver


def main() -> None:
    from bench.common import served
    from db.engine import database_url
    from settings import get_settings

    started_pg = False
    if not os.environ.get("DATABASE_URL"):
        if subprocess.run([str(ROOT / "scripts/pg.sh"), "status"], capture_output=True).returncode != 0:
            started_pg = True
        subprocess.run([str(ROOT / "scripts/pg.sh"), "start"], check=True)
        subprocess.run([str(ROOT / "scripts/pg.sh"), "createdb", "pantau"], check=True)
    try:
        subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "app", "bootstrap"], cwd=ROOT, check=True)
        url = database_url(get_settings())
        with served(url) as base:
            driver = _browser()
            try:
                driver.get(f"{base}/live?kiosk=1")
                driver.execute_async_script(DRAWN)
                time.sleep(0.5)
                OUT.parent.mkdir(exist_ok=True)
                driver.save_screenshot(str(OUT))
            finally:
                driver.quit()
        print(f"saved {OUT.relative_to(ROOT)}")
    finally:
        if started_pg:
            subprocess.run([str(ROOT / "scripts/pg.sh"), "stop"], check=False)


if __name__ == "__main__":
    main()
