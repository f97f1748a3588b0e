"""Completion photos through the API: what is refused (and changes nothing), what is kept, what is served."""

from __future__ import annotations

import base64
import io
from typing import Any

import pillow_heif
import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import Engine, text

from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    dash_call,
    jpeg,
    new_complaint,
    point_in,
    render_page,
    session_login,
    text_of,
    upload,
)

GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    degrees, minutes = int(value), int((abs(value) - int(value)) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(round(seconds * 10000), 10000)


def phone_photo(lon: float, lat: float) -> bytes:
    """A 200×100 JPEG as a phone writes it: rotated by EXIF orientation, with GPS and the camera's make."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored sideways; shown upright as 100×200
    exif[MAKE] = "KameraHP"
    exif[GPS_IFD] = {1: "S" if lat < 0 else "N", 2: _dms(lat), 3: "E" if lon > 0 else "W", 4: _dms(lon)}
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (120, 90, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (250, 0, 0)).save(out, "GIF")
    return out.getvalue()


@pytest.fixture
def job(client: Any, engine: Engine, committed: list[int], accounts: Accounts) -> dict[str, Any]:
    """A complaint assigned to a field supervisor, who is ready to upload."""
    code = new_complaint(engine, committed)
    operator = bearer(client, accounts("operator"))
    field = accounts("field")
    assert act(client, operator, code, action="verify").status_code == 200
    assert act(client, operator, code, action="assign", assignee=field.username).status_code == 200
    return {"code": code, "field": bearer(client, field), "operator": operator}


def _photos(engine: Engine, code: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT p.id, p.kind, p.mime_type, p.width, p.height, p.storage_key, p.distance_m, "
                    "ST_X(p.gps) AS lon, ST_Y(p.gps) AS lat, "
                    "(SELECT count(*) FROM complaint_event e WHERE e.complaint_id = c.id AND e.kind = 'photo_added') AS events "
                    "FROM photo p JOIN complaint c ON c.id = p.complaint_id WHERE c.tracking_code = :c ORDER BY p.id"
                ),
                {"c": code},
            ).mappings()
        ]


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("laporan.txt", b"bukan foto sama sekali", 415, "JPEG, PNG, WebP or HEIC"),
        ("foto.jpg", _gif(), 415, "found GIF"),  # a GIF named .jpg: judged by content, not name
        ("kosong.jpg", b"", 400, "empty"),
        ("terpotong.jpg", jpeg()[:200], 415, "not a readable"),
    ],
)
def test_a_bad_upload_is_refused_clearly_and_nothing_changes(
    client: Any, engine: Engine, job: dict[str, Any], name: str, data: bytes, status: int, message: str
) -> None:
    response = upload(client, job["field"], job["code"], data, name=name)
    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert response.get_json()["message"]  # the translated sentence the app shows
    assert _photos(engine, job["code"]) == []
    assert act(client, job["field"], job["code"], action="complete").status_code == 409


def test_a_photo_over_the_limit_is_refused_with_413(client: Any, engine: Engine, job: dict[str, Any]) -> None:
    from settings import get_settings

    limit = int(get_settings().max_photo_mb * 1024 * 1024)
    over = jpeg() + b"\0" * (limit + 1)
    response = upload(client, job["field"], job["code"], over)
    assert response.status_code == 413
    assert response.get_json()["message"] == f"Foto terlalu besar (maksimal {get_settings().max_photo_mb:g} MB)."
    # A request larger than the server accepts at all gets the same clear JSON answer.
    huge = upload(client, job["field"], job["code"], b"\xff" * (limit * 3 + 3 * 1024 * 1024))
    assert huge.status_code == 413
    assert "at most" in huge.get_json()["error"]
    assert _photos(engine, job["code"]) == []


def _bomb() -> bytes:
    """The issue's decompression bomb: a 58 KB PNG of 7740×7740 pixels (60 MP, 0.4 GB once decoded)."""
    out = io.BytesIO()
    Image.new("1", (7740, 7740)).save(out, "PNG")
    return out.getvalue()


BOMB_MESSAGE = "Resolusi foto terlalu besar (60 megapiksel; untuk PNG paling besar 16 megapiksel)."


def test_a_decompression_bomb_is_refused_from_its_header_through_the_api(
    client: Any, engine: Engine, job: dict[str, Any]
) -> None:
    response = upload(client, job["field"], job["code"], _bomb(), name="bom.png")
    assert response.status_code == 413
    assert response.get_json()["message"] == BOMB_MESSAGE
    assert "60 megapixels; at most 16 for a PNG" in response.get_json()["error"]
    assert _photos(engine, job["code"]) == []


def test_a_decompression_bomb_is_refused_by_the_upload_widget_of_the_staff_pages(
    client: Any, engine: Engine, accounts: Accounts, job: dict[str, Any]
) -> None:
    from settings import get_settings

    session_login(client, accounts("operator"))
    contents = "data:image/png;base64," + base64.b64encode(_bomb()).decode()
    response = dash_call(
        client,
        {
            "output": "..cp-photos.children...cp-upload-msg.children...cp-photo-count.data...cp-upload.contents..",
            "outputs": [
                {"id": "cp-photos", "property": "children"},
                {"id": "cp-upload-msg", "property": "children"},
                {"id": "cp-photo-count", "property": "data"},
                {"id": "cp-upload", "property": "contents"},
            ],
            "inputs": [{"id": "cp-pending", "property": "data", "value": {"name": "bom.png", "contents": contents}}],
            "changedPropIds": ["cp-pending.data"],
            "state": [
                {
                    "id": "cp-ctx",
                    "property": "data",
                    "value": {
                        "code": job["code"],
                        "lang": "id",
                        "max_bytes": int(get_settings().max_photo_mb * 1048576),
                    },
                }
            ],
        },
    )
    assert response.status_code == 200, response.data[:300]
    assert response.get_json()["response"]["cp-upload-msg"]["children"]["props"]["children"] == BOMB_MESSAGE
    assert _photos(engine, job["code"]) == []


def test_a_phone_photo_of_40_megapixels_is_stored_at_2560_pixels_upright(
    client: Any, engine: Engine, job: dict[str, Any]
) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 8  # stored sideways: shown upright as 5000×8000
    out = io.BytesIO()
    Image.new("RGB", (8000, 5000), (40, 90, 160)).save(out, "JPEG", exif=exif)
    response = upload(client, job["field"], job["code"], out.getvalue(), name="IMG_40MP.jpg")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["photo"]["width"], response.get_json()["photo"]["height"]) == (1600, 2560)


def test_a_jpeg_with_extra_pictures_is_a_jpeg(client: Any, engine: Engine, job: dict[str, Any]) -> None:
    """Some cameras append pictures (a second eye, a depth map) after the first: Pillow calls that MPO."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (90, 60), (10, 90, 200)), Image.new("RGB", (90, 60), (200, 90, 10))
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    response = upload(client, job["field"], job["code"], out.getvalue(), name="DSCF0001.JPG")
    assert response.status_code == 201, response.get_json()
    assert [(p["mime_type"], p["width"]) for p in _photos(engine, job["code"])] == [("image/jpeg", 90)]


def test_heic_png_and_webp_are_accepted_and_stored_as_jpeg(client: Any, engine: Engine, job: dict[str, Any]) -> None:
    pillow_heif.register_heif_opener()
    sent = []
    for fmt, name in (("HEIF", "IMG_0001.HEIC"), ("PNG", "layar.png"), ("WEBP", "foto.webp")):
        out = io.BytesIO()
        Image.new("RGBA" if fmt == "PNG" else "RGB", (80, 60), (20, 120, 200, 255)).save(out, format=fmt)
        sent.append(out.getvalue())
        response = upload(client, job["field"], job["code"], out.getvalue(), name=name)
        assert response.status_code == 201, (fmt, response.get_json())
    stored = _photos(engine, job["code"])
    assert [(p["mime_type"], p["width"], p["height"]) for p in stored] == [("image/jpeg", 80, 60)] * 3
    served = client.get(f"/photos/{stored[0]['id']}")
    assert served.status_code == 200 and Image.open(io.BytesIO(served.data)).format == "JPEG"


def test_gps_is_kept_in_the_database_and_stripped_from_the_served_file(
    client: Any, engine: Engine, accounts: Accounts, job: dict[str, Any]
) -> None:
    lon, lat = point_in(engine, east_m=40)  # the complaint is at east_m=0
    response = upload(client, job["field"], job["code"], phone_photo(lon, lat), name="IMG_2024.jpg")
    assert response.status_code == 201
    assert 35 <= response.get_json()["photo"]["distance_m"] <= 45

    (stored,) = _photos(engine, job["code"])
    assert stored["lon"] == pytest.approx(lon, abs=1e-5) and stored["lat"] == pytest.approx(lat, abs=1e-5)
    assert (stored["width"], stored["height"]) == (100, 200)  # EXIF orientation applied

    for path in (f"/photos/{stored['id']}", f"/photos/{stored['id']}/thumb"):
        served = client.get(path)
        assert served.status_code == 200
        image = Image.open(io.BytesIO(served.data))
        exif = image.getexif()
        assert len(exif) == 0 and not exif.get_ifd(GPS_IFD), path
        assert b"KameraHP" not in served.data
    assert Image.open(io.BytesIO(client.get(f"/photos/{stored['id']}").data)).size == (100, 200)

    # The operator sees how far from the report the photo was taken.
    session_login(client, accounts("operator"))
    page = text_of(render_page(client, f"/pengaduan/{job['code']}"))
    assert f"foto diambil {round(stored['distance_m'])} m dari lokasi laporan" in page


def test_a_retried_upload_is_not_duplicated(client: Any, engine: Engine, job: dict[str, Any]) -> None:
    data = jpeg(colour=(200, 200, 10))
    first = upload(client, job["field"], job["code"], data)
    again = upload(client, job["field"], job["code"], data, name="coba-lagi.jpg")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["photo"]["id"] == first.get_json()["photo"]["id"]
    assert again.get_json()["photo"]["duplicate"] is True
    stored = _photos(engine, job["code"])
    assert len(stored) == 1 and stored[0]["events"] == 1


def test_photos_of_a_confidential_complaint_stay_off_public_views(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from db.engine import get_engine
    from db.workflow import evidence
    from layouts._evidence import evidence_panel

    code = new_complaint(engine, committed, confidential=True)
    operator = bearer(client, accounts("operator"))
    assert upload(client, operator, code, jpeg(), kind="report").status_code == 201
    with get_engine().connect() as conn:
        complaint_id = conn.execute(text("SELECT id FROM complaint WHERE tracking_code = :c"), {"c": code}).scalar()
        staff_rows = evidence(conn, complaint_id)
        assert len(staff_rows) == 1
        assert evidence(conn, complaint_id, public=True) == []
    # Even handed the staff rows, the public panel leaves them out.
    assert "/photos/" not in str(evidence_panel(staff_rows, "id", public=True))
    assert "/photos/" in str(evidence_panel(staff_rows, "id"))
