"""A confidential ("rahasia") report is neither identifiable nor readable from a public page.

The probe's path was: open the wall as an anonymous visitor, click the
confidential report's dot, read its tracking code from the card, open
``/lacak/<code>`` and read the description and the staff's notes. Each step is
closed: the wall draws no confidential report (it is only counted in the area
shading and the legend), the card callback answers only for ids the wall would
draw on that screen, and ``/lacak`` shows a confidential report's description,
photos and notes only through the reporter's own link (``k``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from db import wall
from db.complaints import Actor, NewComplaint, create_complaint, transition
from db.engine import data_version
from photos.store import get_store
from photos.upload import save_photo
from tests.conftest import inside
from tests.integration.staff import dash_call, jpeg, render_page, text_of

KECAMATAN = "367101"  # Tangerang, Kota Tangerang
KELURAHAN = "3671011001"  # a kelurahan of it
ELSEWHERE = "3674011001"  # a kelurahan of Tangerang Selatan
SECRET_TEXT = "Pungli oleh oknum di kantor kelurahan, saya tinggal di Gang Mawar 7"
SECRET_NOTE = "Sudah kami hubungi Bu Sari di rumahnya"
SECRET_ADDRESS = "Gang Mawar 7, rumah pagar hijau"


def _point(engine: Engine, code: str) -> tuple[float, float]:
    with engine.connect() as conn:
        return inside(conn, code)


def _report(engine: Engine, committed: list[int], description: str, code: str = KELURAHAN, **extra: Any) -> Any:
    lat, lon = _point(engine, code)
    with engine.begin() as conn:
        made = create_complaint(
            conn,
            NewComplaint(category="sampah", description=description, lat=lat, lon=lon, reporter_name="Sari", **extra),
            Actor(role="public"),
        )
    committed.append(made.id)
    return made


@pytest.fixture
def reports(engine: Engine, committed: list[int]) -> Iterator[dict[str, Any]]:
    """A public report, a confidential one with a photo and a staff note, a rejected one and one elsewhere."""
    public = _report(engine, committed, "Sampah menumpuk di pinggir kali")
    secret = _report(engine, committed, SECRET_TEXT, confidential=True, address=SECRET_ADDRESS)
    rejected = _report(engine, committed, "Laporan iseng saja")
    elsewhere = _report(engine, committed, "Sampah di Tangsel", code=ELSEWHERE)
    with engine.begin() as conn:
        photo = save_photo(conn, get_store(), secret.id, jpeg(), "report", Actor(role="public"), 10**7)
        transition(conn, secret.id, "verify", Actor(role="operator"), note=SECRET_NOTE, note_public=True)
        transition(conn, rejected.id, "reject", Actor(role="operator"), reason="bukan pengaduan")
    yield {"public": public, "secret": secret, "rejected": rejected, "elsewhere": elsewhere, "photo": photo.id}


def _card(client: FlaskClient, complaint_id: Any, kecamatan: Any = KECAMATAN, grey: bool = False) -> str:
    """The card the wall's marker-click callback answers for ``complaint_id``, as JSON text."""
    state = {"scope": {"kota": None, "kecamatan": kecamatan}, "lang": "id", "theme": "light", "version": 0}
    response = dash_call(
        client,
        {
            "output": "..wall-card-body.children...wall-card.hidden..",
            "outputs": [{"id": "wall-card-body", "property": "children"}, {"id": "wall-card", "property": "hidden"}],
            "inputs": [
                {
                    "id": "wall-map",
                    "property": "clickData",
                    "value": {
                        "points": [{"curveNumber": 5, "lat": -6.2, "lon": 106.6, "customdata": [complaint_id, 9]}]
                    },
                }
            ],
            "state": [
                {"id": "wall-state", "property": "data", "value": state},
                {"id": "wall-grey", "property": "value", "value": ["grey"] if grey else []},
            ],
            "changedPropIds": ["wall-map.clickData"],
        },
    )
    assert response.status_code == 200, response.data[:500]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def _drawn_ids(layout: Any) -> set[int]:
    """The complaint ids of every marker in the rendered wall figure."""
    found: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "scattermap":
                found.update(int(cd[0]) for cd in node.get("customdata") or [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    return found


def test_the_wall_draws_and_lists_nothing_of_a_confidential_report(
    client: FlaskClient, reports: dict[str, Any]
) -> None:
    secret, public = reports["secret"], reports["public"]
    page = render_page(client, "/live", "?kecamatan=367101")
    shown = text_of(page)
    drawn = _drawn_ids(page)
    assert public.id in drawn and secret.id not in drawn
    # Not in the newest-reports panel either, nor anywhere on the page by id, code or text.
    assert f'"data-id": "{public.id}"' in shown and f'"data-id": "{secret.id}"' not in shown
    assert secret.tracking_code not in shown and "Pungli" not in shown and "Gang Mawar" not in shown
    # It still counts: in the legend (red) and in its kecamatan's shading.
    with client.application.app_context():
        where = wall.cached_resolve(wall.WallArea(kecamatan=KECAMATAN))
    from db.engine import get_engine

    with get_engine().connect() as conn:
        counts = wall.colour_counts(conn, where)
        fresh = conn.execute(
            text("SELECT count(*) FROM complaint c JOIN area a ON a.id = c.kecamatan_id WHERE a.code = :k "
                 "AND c.status IN ('baru', 'terverifikasi', 'luar_wilayah')"),
            {"k": KECAMATAN},
        ).scalar_one()  # fmt: skip
        areas = wall.area_counts(conn, "kecamatan", where)
    assert counts["red"] == fresh and areas[KECAMATAN] >= 2


def test_live_changes_carry_no_confidential_marker_but_move_its_area(engine: Engine, committed: list[int]) -> None:
    everything = wall.Resolved("all")
    with engine.connect() as conn:
        seen = data_version(conn)
    public = _report(engine, committed, "Lampu jalan mati")
    secret = _report(engine, committed, SECRET_TEXT, confidential=True)
    with engine.connect() as conn:
        now = data_version(conn)
        changed = wall.changes(conn, seen, now, everything)
        kelurahan_id = conn.execute(text("SELECT id FROM area WHERE code = :c"), {"c": KELURAHAN}).scalar_one()
    assert [e.id for e in changed.entries] == [public.id]
    assert secret.id not in [e.id for e in changed.entries] and changed.count == 2
    assert kelurahan_id in [kelurahan for _, kelurahan in changed.areas]


def test_the_card_answers_only_for_what_the_screen_draws(client: FlaskClient, reports: dict[str, Any]) -> None:
    public, secret = reports["public"], reports["secret"]
    card = _card(client, public.id)
    assert public.tracking_code in card and "Sampah menumpuk di pinggir kali" in card

    # The confidential report: the card is refused, exactly as for an id that does not exist.
    refused = _card(client, secret.id)
    assert secret.tracking_code not in refused and "Pungli" not in refused
    assert "tidak ditemukan" in refused and refused == _card(client, 2_000_000_000)
    assert secret.tracking_code not in _card(client, secret.id, kecamatan=None, grey=True)

    # Ids the screen does not draw: another kecamatan's report, a rejected one while grey is hidden.
    elsewhere, rejected = reports["elsewhere"], reports["rejected"]
    assert elsewhere.tracking_code not in _card(client, elsewhere.id)
    assert elsewhere.tracking_code in _card(client, elsewhere.id, kecamatan=None)
    assert rejected.tracking_code not in _card(client, rejected.id)
    assert rejected.tracking_code in _card(client, rejected.id, grey=True)


def test_the_tracking_page_of_a_confidential_report_needs_the_reporters_link(
    client: FlaskClient, reports: dict[str, Any]
) -> None:
    from db.tracking import reporter_token

    secret, photo = reports["secret"], reports["photo"]
    # Whoever has only the code: status and area, nothing the reporter wrote, no photo, no staff note.
    page = text_of(render_page(client, f"/lacak/{secret.tracking_code}"))
    assert "Terverifikasi" in page and "Diverifikasi operator" in page
    for private in ("Pungli", "Gang Mawar", SECRET_NOTE, f"/photos/{photo}"):
        assert private not in page, private
    assert client.get(f"/photos/{photo}/thumb").status_code == 404
    assert client.get(f"/photos/{photo}/thumb?k=aaaaaaaaaaaaaaaa").status_code == 404

    # The reporter's own link: their words, their photo and the note on their report.
    token = reporter_token(client.application.config["SECRET_KEY"], secret.tracking_code)
    own = text_of(render_page(client, f"/lacak/{secret.tracking_code}", f"?k={token}"))
    assert "Pungli" in own and SECRET_NOTE in own and f"/photos/{photo}/thumb?k={token}" in own
    response = client.get(f"/photos/{photo}/thumb?k={token}")
    assert response.status_code == 200 and response.data[:2] == b"\xff\xd8"
    assert "private" in response.headers["Cache-Control"]
    # That token opens only this report's photos.
    other = reporter_token(client.application.config["SECRET_KEY"], reports["public"].tracking_code)
    assert client.get(f"/photos/{photo}/thumb?k={other}").status_code == 404


def test_a_forged_click_gets_not_found_never_an_error(client: FlaskClient) -> None:
    for complaint_id, kecamatan in (("1; DROP TABLE complaint", KECAMATAN), (10**40, None), (1, "999999"), (1, 5)):
        assert "tidak ditemukan" in _card(client, complaint_id, kecamatan=kecamatan)
