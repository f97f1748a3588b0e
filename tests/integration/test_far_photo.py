"""A completion photo far from the report (or without GPS) does not close it: an operator confirms first.

The distance is the photo's EXIF GPS position against the report's place, measured in PostGIS; the limit is
PANTAU_PHOTO_MAX_DISTANCE_M (200 m by default).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db import wall
from db.status import COLOUR, Status
from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    dash_call,
    jpeg,
    new_complaint,
    render_page,
    session_login,
    site_photo,
    status_of,
    text_of,
    upload,
)

PHONE = "081234567890"


def _job(client: Any, engine: Engine, committed: list[int], accounts: Accounts) -> dict[str, Any]:
    """A report with a phone number (so the reporter is told each step), assigned to a field supervisor who started."""
    code = new_complaint(engine, committed, reporter_contact=PHONE)
    operator_account = accounts("operator")
    operator = bearer(client, operator_account)
    field_account = accounts("field")
    field = bearer(client, field_account)
    assert act(client, operator, code, action="verify").status_code == 200
    assert act(client, operator, code, action="assign", assignee=field_account.username).status_code == 200
    assert act(client, field, code, action="start").status_code == 200
    return {"code": code, "field": field, "operator": operator, "operator_account": operator_account}


def _finished_messages(engine: Engine, code: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                    "WHERE c.tracking_code = :c AND n.kind = 'finished'"
                ),
                {"c": code},
            ).scalar_one()
        )


def _wall_colour(engine: Engine, code: str) -> str | None:
    """The colour of the report's dot on the city's wall screen (None: not drawn)."""
    with engine.connect() as conn:
        cid = conn.execute(text("SELECT id FROM complaint WHERE tracking_code = :c"), {"c": code}).scalar_one()
        drawn = [m for m in wall.markers(conn, wall.Resolved("all")) if m.id == cid]
    return COLOUR[Status(drawn[0].status)].value if drawn else None


def _find(layout: Any, component_id: str) -> Any:
    """The component with this id in a rendered layout, or None."""
    if isinstance(layout, dict):
        if isinstance(layout.get("props"), dict) and layout["props"].get("id") == component_id:
            return layout
        children: Any = layout.values()
    elif isinstance(layout, list):
        children = layout
    else:
        return None
    for child in children:
        found = _find(child, component_id)
        if found is not None:
            return found
    return None


def _lacak_text(client: Any, code: str) -> str:
    return text_of(render_page(client, f"/lacak/{code}"))


def test_a_completion_photo_11_km_away_is_not_green_until_an_operator_confirms(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    job = _job(client, engine, committed, accounts)
    code = job["code"]
    with engine.connect() as conn:
        far = site_photo(conn, code, east_m=11_000)
    stored = upload(client, job["field"], code, far)
    assert stored.status_code == 201, stored.get_json()

    # Without a reason, finishing is refused, naming the distance, and nothing changes.
    refused = act(client, job["field"], code, action="complete")
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "reason"
    assert "11,000 m" in refused.get_json()["error"]
    assert status_of(engine, code)["status"] == "dikerjakan"

    # With a reason it waits, yellow, for an operator; the reporter hears nothing of it being finished.
    waiting = act(client, job["field"], code, action="complete", reason="Titik GPS kamera meleset, foto di lokasi")
    assert waiting.status_code == 200, waiting.get_json()
    assert (waiting.get_json()["status"], waiting.get_json()["colour"]) == ("perlu_konfirmasi", "yellow")
    assert _wall_colour(engine, code) == "yellow"
    assert _finished_messages(engine, code) == 0
    with engine.connect() as conn:  # not finished yet for the leaders' figures either
        assert (
            conn.execute(text("SELECT completed_at FROM complaint WHERE tracking_code = :c"), {"c": code}).scalar()
            is None
        )
    tracking = _lacak_text(client, code)
    assert "sedang diperiksa operator" in tracking and "Pekerjaan sudah selesai" not in tracking
    # The field supervisor may not confirm their own work.
    assert act(client, job["field"], code, action="confirm").status_code == 403

    # The operators' queue lists it under "waiting for confirmation"; its page shows the distance and the reason.
    session_login(client, job["operator_account"])
    page = text_of(render_page(client, f"/pengaduan/{code}", "?lang=id"))
    assert "Menunggu konfirmasi operator" in page
    assert "11,0 km dari lokasi laporan (batas 200 m)" in page
    assert "Titik GPS kamera meleset, foto di lokasi" in page
    assert "Konfirmasi selesai" in page

    # "Konfirmasi selesai", as the page's button calls it.
    version = status_of(engine, code)["version"]
    spec = next(c for c in client.get("/_dash-dependencies").get_json() if c["output"].startswith("..cp-confirm-msg"))
    outputs = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in spec["output"].strip(".").split("...")]
    pressed = dash_call(
        client,
        {
            "output": spec["output"],
            "outputs": outputs,
            "inputs": [{"id": "cp-confirm", "property": "n_clicks", "value": 1}],
            "state": [{"id": "cp-ctx", "property": "data", "value": {"code": code, "version": version, "lang": "id"}}],
            "changedPropIds": ["cp-confirm.n_clicks"],
        },
    )
    assert pressed.status_code == 200, pressed.data[:300]
    # The page is drawn again in place, saying it was saved, with the new status.
    redrawn = json.dumps(pressed.get_json()["response"]["cp-body"]["children"])
    assert "Tersimpan: Konfirmasi selesai." in redrawn and '"id": "cp-badge"' in redrawn
    assert status_of(engine, code)["status"] == "selesai"
    # Confirming again (a second tab) is refused: it is finished already.
    again = act(client, job["operator"], code, action="confirm")
    assert again.status_code == 409 and again.get_json()["colour"] == "green"
    assert _wall_colour(engine, code) == "green"
    assert _finished_messages(engine, code) == 1
    assert "Pekerjaan sudah selesai" in _lacak_text(client, code)
    with engine.connect() as conn:
        who, completed = conn.execute(
            text(
                "SELECT u.username, c.completed_at FROM complaint_event e JOIN complaint c ON c.id = e.complaint_id "
                "JOIN app_user u ON u.id = e.actor_id WHERE c.tracking_code = :c AND e.to_status = 'selesai'"
            ),
            {"c": code},
        ).one()
    assert who == job["operator_account"].username  # the history names who confirmed
    assert completed is not None
    history = text_of(_find(render_page(client, f"/pengaduan/{code}", "?lang=en"), "timeline"))
    assert f"Operator ({job['operator_account'].username})" in history


def test_a_photo_taken_near_the_report_closes_it_at_once(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    job = _job(client, engine, committed, accounts)
    code = job["code"]
    with engine.connect() as conn:
        near = site_photo(conn, code, east_m=150)
    assert upload(client, job["field"], code, near).status_code == 201
    done = act(client, job["field"], code, action="complete")
    assert (done.status_code, done.get_json()["status"], done.get_json()["colour"]) == (200, "selesai", "green")
    assert _finished_messages(engine, code) == 1
    assert _wall_colour(engine, code) == "green"


def test_a_photo_without_gps_needs_a_reason_and_an_operator(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    job = _job(client, engine, committed, accounts)
    code = job["code"]
    assert upload(client, job["field"], code, jpeg(colour=(200, 10, 10))).status_code == 201
    refused = act(client, job["field"], code, action="complete", note="sudah")
    assert refused.status_code == 400 and "no completion photo has a GPS position" in refused.get_json()["error"]
    waiting = act(client, job["field"], code, action="complete", reason="HP tanpa GPS")
    assert waiting.get_json()["status"] == "perlu_konfirmasi"
    session_login(client, job["operator_account"])
    assert "Tidak ada foto penyelesaian dengan data lokasi" in text_of(
        render_page(client, f"/pengaduan/{code}", "?lang=id")
    )

    # Sent back with a reason: to the live room, off the supervisor's list, and the reporter was never told it
    # was finished, so is not told it was reopened either.
    back = act(client, job["operator"], code, action="reopen", reason="foto tidak menunjukkan lokasi")
    assert back.status_code == 200 and back.get_json()["status"] == "terverifikasi"
    assert status_of(engine, code)["assignee"] is None
    assert _finished_messages(engine, code) == 0
    with engine.connect() as conn:
        reopened = conn.execute(
            text(
                "SELECT count(*) FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                "WHERE c.tracking_code = :c AND n.kind = 'reopened'"
            ),
            {"c": code},
        ).scalar_one()
    assert reopened == 0


def test_the_operators_queue_offers_the_reports_waiting_for_confirmation(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    job = _job(client, engine, committed, accounts)
    code = job["code"]
    with engine.connect() as conn:
        far = site_photo(conn, code, east_m=11_000)
    assert upload(client, job["field"], code, far).status_code == 201
    assert act(client, job["field"], code, action="complete", reason="jauh").status_code == 200

    from db.accounts import StaffUser, load_user
    from db.workflow import QueueFilter, queue
    from services.permissions import scope_of

    with engine.connect() as conn:
        user = StaffUser.from_row(load_user(conn, user_id=job["operator_account"].id))
        listed = queue(conn, scope_of(user), QueueFilter(statuses=("perlu_konfirmasi",)))
    assert code in [r["tracking_code"] for r in listed]
    assert {r["status"] for r in listed} == {"perlu_konfirmasi"}
    session_login(client, job["operator_account"])
    page = render_page(client, "/operator", "?lang=id&status=perlu_konfirmasi")
    assert "Menunggu konfirmasi selesai" in text_of(page)  # the tab
    assert '"value": ["perlu_konfirmasi"]' in text_of(page)  # the status filter it opens


def test_the_distance_allowed_is_a_setting(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from settings import get_settings

    job = _job(client, engine, committed, accounts)
    with engine.connect() as conn:
        photo = site_photo(conn, job["code"], east_m=150)  # near enough by default, not under a 100 m limit
    assert upload(client, job["field"], job["code"], photo).status_code == 201
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PANTAU_PHOTO_MAX_DISTANCE_M", "100")
        get_settings.cache_clear()
        try:
            refused = act(client, job["field"], job["code"], action="complete")
        finally:
            patch.undo()
            get_settings.cache_clear()  # the environment as it was, read afresh
    assert refused.status_code == 400 and "150 m from the report" in refused.get_json()["error"]
    done = act(client, job["field"], job["code"], action="complete")  # back to 200 m: it closes
    assert done.get_json()["status"] == "selesai"


def test_a_confidential_or_anonymous_report_waiting_for_confirmation_shows_nothing_more_in_public(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    field_account, operator_account = accounts("field"), accounts("operator")
    field, operator = bearer(client, field_account), bearer(client, operator_account)
    codes = {
        "confidential": new_complaint(engine, committed, reporter_contact=PHONE, confidential=True),
        "anonymous": new_complaint(engine, committed, reporter_contact=PHONE, anonymous=True),
    }
    for kind, code in codes.items():
        for body in ({"action": "verify"}, {"action": "assign", "assignee": field_account.username}):
            assert act(client, operator, code, **body).status_code == 200
        with engine.connect() as conn:
            assert upload(client, field, code, site_photo(conn, code, east_m=11_000)).status_code == 201
        reason = f"alasan rahasia {kind} petugas"
        assert act(client, field, code, action="complete", reason=reason).get_json()["status"] == "perlu_konfirmasi"
        tracking = _lacak_text(client, code)
        if kind == "confidential":
            assert reason not in tracking  # only the reporter's own link shows a confidential report's notes
            assert _wall_colour(engine, code) is None  # never a dot on the wall
        assert act(client, operator, code, action="confirm").get_json()["status"] == "selesai"
    with engine.connect() as conn:
        messages = dict(
            conn.execute(
                text(
                    "SELECT c.tracking_code, array_agg(n.facts::text) FROM notification n "
                    "JOIN complaint c ON c.id = n.complaint_id WHERE c.tracking_code = ANY(:codes) "
                    "AND n.kind = 'finished' GROUP BY c.tracking_code"
                ),
                {"codes": list(codes.values())},
            ).all()
        )
    assert codes["anonymous"] not in messages  # an anonymous report keeps no contact: it is told nothing
    assert len(messages[codes["confidential"]]) == 1
    assert "alasan rahasia" not in messages[codes["confidential"]][0]
