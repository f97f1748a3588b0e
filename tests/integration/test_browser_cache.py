"""What browsers may keep: static files and public photos answer without the session, so a signed-in
staff member's browser reuses them instead of fetching Dash's scripts on every page load."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image
from sqlalchemy import Engine

from db.complaints import Actor, NewComplaint, create_complaint
from photos.store import get_store
from photos.upload import save_photo
from tests.conftest import inside
from tests.integration.staff import PASSWORD, Accounts, dash_call, ids_in, login_callback, render_page


def _signed_in(client: Any, accounts: Accounts) -> None:
    operator = accounts("operator")
    answer = dash_call(client, login_callback(operator.username, PASSWORD))
    assert answer.get_json()["response"]["login-redirect"]["href"] == "/operator?lang=en"


def _without_session(response: Any) -> bool:
    vary = {part.strip().lower() for part in response.headers.get("Vary", "").split(",")}
    return not response.headers.getlist("Set-Cookie") and "cookie" not in vary


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_static_files_answer_a_signed_in_browser_without_the_session_and_fingerprinted_ones_for_a_year(
    client: Any, accounts: Accounts
) -> None:
    _signed_in(client, accounts)
    page = client.get("/operator")
    # A page is still the signed-in staff member's own: it varies on the session and refreshes it.
    assert page.status_code == 200 and "cookie" in page.headers["Vary"].lower()
    assert any(c.startswith("session=") for c in page.headers.getlist("Set-Cookie"))
    html = page.get_data(as_text=True)
    script = re.search(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+\.v[^"]+)"', html)
    asset = re.search(r'src="(/assets/live\.js\?m=[0-9.]+)"', html)
    assert script and asset, "the page names Dash's renderer and live.js with their fingerprints"

    renderer = client.get(script.group(1))
    assert renderer.status_code == 200 and _without_session(renderer)
    assert "max-age=31536000" in renderer.headers["Cache-Control"]

    kept = client.get(asset.group(1))
    assert kept.status_code == 200 and _without_session(kept)
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"

    # Without its fingerprint the same file may change under the same address: the browser asks each time.
    plain = client.get("/assets/live.js")
    assert plain.status_code == 200 and _without_session(plain)
    assert plain.headers["Cache-Control"] == "no-cache" and plain.headers["ETag"]
    again = client.get("/assets/live.js", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and _without_session(again)

    # The session still opens the staff pages after all those answers.
    assert "op-table" in ids_in(render_page(client, "/operator"))


def test_a_public_photo_is_kept_and_a_confidential_one_stays_private_to_the_staff_who_see_it(
    client: Any, engine: Engine, accounts: Accounts, committed: list[int]
) -> None:
    with engine.begin() as conn:
        lat, lon = inside(conn, "3671011001")
        made = {}
        for confidential in (False, True):
            complaint = create_complaint(
                conn,
                NewComplaint(
                    category="sampah",
                    description=f"Sampah menumpuk {confidential}",
                    lat=lat,
                    lon=lon,
                    confidential=confidential,
                ),
            )
            committed.append(complaint.id)
            made[confidential] = save_photo(
                conn, get_store(), complaint.id, _jpeg(), "report", Actor(role="public"), 10_000_000
            ).id
    admin = accounts("admin")
    answer = dash_call(client, login_callback(admin.username, PASSWORD))
    assert answer.status_code == 200

    public = client.get(f"/photos/{made[False]}/thumb")
    assert public.status_code == 200 and _without_session(public)
    assert public.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # A confidential complaint's photo is the staff member's own answer: private, and it varies on the session.
    private = client.get(f"/photos/{made[True]}/thumb")
    assert private.status_code == 200 and private.headers["Cache-Control"] == "private, max-age=600"
    assert "cookie" in private.headers["Vary"].lower()
    client.post("/logout", data={"csrf_token": client.get_cookie("_csrf_token").value})
    assert client.get(f"/photos/{made[True]}/thumb").status_code == 404
