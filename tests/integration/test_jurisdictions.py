"""No wrong door beyond the city: every jurisdiction of Indonesia is a destination of ``forward``.

A city Pantau serves routes the report to its agency; any other kabupaten, kota or province is a manual
handover, kept yellow with a follow-up day; an unknown code is a 400 naming ``kota``. A report outside every
loaded boundary is shown the served city that contains it, or the nearest one.
"""

from __future__ import annotations

import io
import json
import secrets
from typing import Any

from shapely.geometry import shape
from sqlalchemy import Engine, text

from db.scope import Scope
from db.workflow import QueueFilter, queue
from i18n import t
from layouts._when import wib_date
from settings import get_settings
from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    new_complaint,
    render_page,
    session_login,
    site_photo,
    status_of,
    text_of,
)

MONAS = (106.8272, -6.1754)  # Jakarta: outside both cities Pantau serves
REASON = "lokasi di Jakarta Pusat, bukan wilayah kota"
# Whom a report handed over by hand is given to (services.actions asks for it).
HANDED = {"office": "Dinas Bina Marga DKI Jakarta", "office_person": "Ibu Sari", "office_contact": "+62 21 3822255"}


def export_of(client: Any, headers: dict[str, str], code: str, fmt: str) -> Any:
    return client.get(f"/api/v1/complaints/{code}/handover.{fmt}?lang=id", headers=headers)


def pdf_text(data: bytes, images: int = 0) -> str:
    """The text of a one-page PDF holding ``images`` pictures (the report photos' thumbnails)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1  # one page for the office
    assert len(reader.pages[0].images) == images
    return reader.pages[0].extract_text()


def with_photo(engine: Engine, code: str) -> None:
    """A report photo on complaint ``code``, as the reporter sent it."""
    from db.complaints import SYSTEM
    from photos.store import get_store
    from photos.upload import save_photo

    with engine.begin() as conn:
        complaint_id = conn.execute(text("SELECT id FROM complaint WHERE tracking_code = :c"), {"c": code}).scalar_one()
        save_photo(conn, get_store(), complaint_id, site_photo(conn, code), "report", SYSTEM, 10_000_000)


def report_at(engine: Engine, committed: list[int], lon: float, lat: float, **fields: Any) -> str:
    from db.complaints import NewComplaint, create_complaint

    with engine.begin() as conn:
        created = create_complaint(
            conn,
            NewComplaint(
                category="jalan_rusak", description=f"uji wilayah {secrets.token_hex(4)}", lon=lon, lat=lat, **fields
            ),
        )
    committed.append(created.id)
    return created.tracking_code


def handover_of(engine: Engine, code: str) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT c.handover_to, c.opd_id, c.jurisdiction_id, "
                    "c.handover_due = pantau_add_working_days(e.at, 5) AS due_in_five_working_days, e.data "
                    "FROM complaint c JOIN complaint_event e ON e.complaint_id = c.id AND e.kind = 'forwarded' "
                    "WHERE c.tracking_code = :c ORDER BY e.id DESC LIMIT 1"
                ),
                {"c": code},
            )
            .mappings()
            .one()
        )


def test_every_province_kabupaten_and_kota_is_loaded_from_the_shared_list(engine: Engine) -> None:
    with engine.connect() as conn:
        levels = dict(conn.execute(text("SELECT level, count(*) FROM jurisdiction GROUP BY level")).all())
        jakarta = conn.execute(text("SELECT name, province_code FROM jurisdiction WHERE code = '3171'")).one()
    lines = get_settings().jurisdictions_file.read_text(encoding="utf-8").splitlines()
    assert levels == {"provinsi": 38, "kabupaten": 416, "kota": 98} and sum(levels.values()) == len(lines) - 1
    assert tuple(jakarta) == ("Kota Administrasi Jakarta Pusat", "31")


def test_a_report_in_jakarta_is_handed_over_by_hand_and_stays_in_sight(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = report_at(engine, committed, *MONAS, reporter_contact="+6281298765432")
    with_photo(engine, code)
    assert status_of(engine, code)["status"] == "luar_wilayah"
    operator = accounts("operator")
    session_login(client, operator)
    before = text_of(render_page(client, f"/pengaduan/{code}"))
    assert "Di luar wilayah yang dilayani. Kota terdekat yang dikenal: Kota Tangerang" in before
    assert "Kota Administrasi Jakarta Pusat (3171, Daerah Khusus Ibukota Jakarta) · serah terima manual" in before

    token = bearer(client, operator)
    # Handed over by hand: the office and a phone or e-mail there are needed, and checked.
    for given, field in (({}, "office"), ({"office": "Dinas Bina Marga"}, "office_contact")):
        refused = act(client, token, code, action="forward", kota=3171, reason=REASON, **given)
        assert refused.status_code == 400 and refused.get_json()["field"] == field, refused.get_json()
        assert "handed over by hand" in refused.get_json()["error"]
    for contact in ("bukan kontak", "12", "x@y"):
        refused = act(
            client, token, code, action="forward", kota=3171, reason=REASON, **{**HANDED, "office_contact": contact}
        )
        assert refused.status_code == 400 and refused.get_json()["field"] == "office_contact", refused.get_json()
        assert "phone number" in refused.get_json()["error"]
    bulk = client.post(
        "/api/v1/complaints/bulk",
        json={"action": "forward", "ids": [code], "kota": "3171", "reason": REASON},
        headers=token,
    )
    assert bulk.status_code == 400 and bulk.get_json()["field"] == "office"
    # The forms (queue's bulk bar, complaint page) say it in the user's words.
    from callbacks._actions import form_args, refusal_text
    from db.accounts import StaffUser, load_user
    from services.actions import Refused, act_many

    with engine.connect() as conn:
        user = StaffUser.from_row(load_user(conn, user_id=operator.id))
    for handed, key in (
        ((None, None, None), "action.need_office"),
        (("Dinas", None, "bukan"), "action.bad_office_contact"),
    ):
        try:
            act_many(
                user, [code], "forward", form_args("forward", None, "3171", None, None, None, REASON, handed=handed)
            )
            raise AssertionError("refused")
        except Refused as exc:
            assert refusal_text(exc, "id") == t(key, "id")
    assert status_of(engine, code)["status"] == "luar_wilayah"

    answer = act(client, token, code, action="forward", kota=3171, reason=REASON, **HANDED)
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["status"], answer.get_json()["colour"], answer.get_json()["opd"]) == (
        "diteruskan",
        "yellow",
        None,
    )
    handover = handover_of(engine, code)
    assert handover["handover_to"] == "3171" and handover["due_in_five_working_days"]
    assert handover["data"]["to_name"] == "Kota Administrasi Jakarta Pusat" and handover["data"]["handover"] == "manual"
    assert handover["data"]["office"] == HANDED["office"] and handover["data"]["office_contact"] == "+62 21 3822255"

    rendered = render_page(client, f"/pengaduan/{code}")
    page = text_of(rendered)
    assert "Diserahkan secara manual ke Kota Administrasi Jakarta Pusat (3171); tindak lanjut paling lambat" in page
    assert "Diserahkan kepada Dinas Bina Marga DKI Jakarta (Ibu Sari, +62 21 3822255)." in page
    assert "Diteruskan ke Kota Administrasi Jakarta Pusat · diserahkan kepada Dinas Bina Marga" in page  # history
    assert f"/api/v1/complaints/{code}/handover.pdf" in str(rendered)  # the export, a click away for staff

    # The export for that office: one PDF page with the code, the office and the report; a GeoJSON point.
    pdf = export_of(client, token, code, "pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = " ".join(pdf_text(pdf.data, images=1).split())  # with the report photo's thumbnail
    assert code in words and "Dinas Bina Marga DKI Jakarta" in words and "Ibu Sari, +62 21 3822255" in words
    assert "uji wilayah" in words and "jalan rusak" in words.lower()  # its description and category
    assert "6281298765432" not in words  # never the reporter
    geojson = export_of(client, token, code, "geojson")
    assert geojson.status_code == 200 and geojson.mimetype == "application/geo+json"
    feature = json.loads(geojson.data)
    point = shape(feature["geometry"])
    assert feature["type"] == "Feature" and point.geom_type == "Point" and point.is_valid
    assert (round(point.x, 4), round(point.y, 4)) == MONAS
    assert feature["properties"]["handed_to"]["office"] == HANDED["office"] and feature["properties"]["code"] == code
    assert "6281298765432" not in geojson.get_data(as_text=True)
    # Another city's operator may not export it; nor may a leader; nor anyone without a log-in.
    tangsel = bearer(client, accounts("operator", kota=["3674"]))
    assert export_of(client, tangsel, code, "pdf").status_code == 403
    assert export_of(client, tangsel, code, "geojson").status_code == 403
    assert export_of(client, bearer(client, accounts("leader")), code, "pdf").status_code == 403
    assert client.application.test_client().get(f"/api/v1/complaints/{code}/handover.pdf").status_code == 401
    with engine.connect() as conn:
        listed = {r["tracking_code"]: r for r in queue(conn, Scope(), QueueFilter(q=code))}
    assert listed[code]["opd_short"] == "→ Kota Administrasi Jakarta Pusat"  # the queue says where it went
    from layouts._queue import queue_table

    row = str(queue_table([listed[code]], "id")["rows"][0]["follow_up"])
    assert "Tindak lanjut serah terima:" in row and wib_date(listed[code]["handover_due"], "id") in row  # and when
    with engine.connect() as conn:
        message = conn.execute(
            text(
                "SELECT n.kind, n.facts FROM notification n JOIN complaint c ON c.id = n.complaint_id "
                "WHERE c.tracking_code = :c ORDER BY n.id DESC LIMIT 1"
            ),
            {"c": code},
        ).one()
    assert message.kind == "forwarded" and message.facts["kota"] == "3171"  # the reporter is told where it went


def test_the_reporter_sees_the_office_it_was_handed_to(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from app import server
    from layouts.lacak import tracked

    code = report_at(
        engine,
        committed,
        *MONAS,
        confidential=True,
        address="Jl. Rahasia No. 7",
        reporter_name="Budi Pelapor",
        reporter_contact="budi@example.org",
    )
    with_photo(engine, code)
    operator = bearer(client, accounts("operator"))
    assert act(client, operator, code, action="forward", kota="31", reason=REASON, **HANDED).status_code == 200
    assert handover_of(engine, code)["data"]["to_name"] == "Provinsi Daerah Khusus Ibukota Jakarta"
    with server.test_request_context(f"/lacak/{code}"):
        shown = str(tracked(code, lang="id"))
    assert "Provinsi Daerah Khusus Ibukota Jakarta" in shown and "Di luar wilayah" not in shown
    assert "uji wilayah" not in shown  # confidential: the public page still carries no description
    assert "Dinas Bina Marga" not in shown  # whom it was given to is for staff
    # Its export leaves the building like a door's handover: place and category, never its words or reporter.
    words = " ".join(pdf_text(export_of(client, operator, code, "pdf").data, images=0).split())  # nor its photos
    feature = export_of(client, operator, code, "geojson").get_data(as_text=True)
    for exported in (words, feature):
        assert code in exported and "Dinas Bina Marga DKI Jakarta" in exported
        for secret in ("uji wilayah", "Rahasia No. 7", "Budi", "budi@example.org"):
            assert secret not in exported
    assert "Gambir" in words or "Jakarta" in words  # its place
    assert json.loads(feature)["properties"]["confidential"] is True


def test_an_unknown_code_is_a_400_naming_the_field_and_changes_nothing(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = report_at(engine, committed, *MONAS)
    operator = bearer(client, accounts("operator"))
    for body, field in (
        ({"kota": "9999"}, "kota"),
        ({"kota": "317"}, "kota"),
        ({"opd": "3671.TIDAKADA"}, "opd"),
    ):
        answer = act(client, operator, code, action="forward", reason=REASON, **body)
        assert answer.status_code == 400 and answer.get_json()["field"] == field, answer.get_json()
        assert "unknown" in answer.get_json()["error"]
    bulk = client.post(
        "/api/v1/complaints/bulk",
        json={"action": "forward", "ids": [code], "kota": "9999", "reason": REASON},
        headers=operator,
    )
    assert bulk.status_code == 400 and bulk.get_json()["field"] == "kota"
    assert status_of(engine, code)["status"] == "luar_wilayah"


def test_a_served_city_still_routes_and_a_later_forward_ends_the_handover(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    operator = bearer(client, accounts("operator"))
    code = new_complaint(engine, committed)  # Sukarasa, Kota Tangerang
    assert act(client, operator, code, action="forward", kota="3171", reason=REASON, **HANDED).status_code == 200
    assert handover_of(engine, code)["handover_to"] == "3171"
    answer = act(client, operator, code, action="forward", kota="3674", reason="ternyata di Tangsel")
    assert answer.status_code == 200 and answer.get_json()["opd"].startswith("3674."), answer.get_json()
    after = handover_of(engine, code)
    assert after["handover_to"] is None and after["opd_id"] is not None
    # No longer handed over by hand: nothing to export for an office (409), as for a report that never was.
    gone = client.get(f"/api/v1/complaints/{code}/handover.pdf", headers=operator)
    assert gone.status_code == 409 and gone.get_json()["status"] == "diteruskan", gone.get_json()
    assert client.get("/api/v1/complaints/TIDAK-ADA-0000/handover.geojson", headers=operator).status_code == 404
    with engine.connect() as conn:
        kota = conn.execute(text("SELECT code FROM area WHERE id = :i"), {"i": after["jurisdiction_id"]}).scalar()
    assert kota == "3674"


def test_a_point_just_outside_the_city_is_shown_its_nearest_served_city(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Project(d.geom::geography, 1000, 3 * pi() / 2)::geometry p "
                "FROM area a, ST_DumpPoints(a.geom) d WHERE a.code = '3671' AND a.level = 'kota' "
                "ORDER BY ST_X(d.geom) LIMIT 1) x"
            )
        ).one()
    code = report_at(engine, committed, lon, lat, anonymous=True)
    assert status_of(engine, code)["status"] == "luar_wilayah"
    session_login(client, accounts("operator"))
    page = text_of(render_page(client, f"/pengaduan/{code}"))
    assert "Kota terdekat yang dikenal: Kota Tangerang (3671), 1,0 km" in page or (
        "Kota terdekat yang dikenal: Kota Tangerang (3671), 0," in page
    )
