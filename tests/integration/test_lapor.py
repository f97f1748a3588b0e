"""/lapor: every field checked on the server with Indonesian messages, photos sent one by one and stored with
the report, what anyone may send kept within bounds (size, pixels, rate), anonymous reports kept anonymous."""

from __future__ import annotations

import base64
import io
import random
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import Engine, text

from tests.conftest import inside
from tests.integration.intake import (
    OUTSIDE,
    TANGERANG_BABAKAN,
    complaint,
    dash_post,
    jpeg,
    send_photo,
    send_report,
    track_ids,
)

pytestmark = pytest.mark.usefixtures("fresh_limits")


def submit(ip: str = "10.0.0.5", lang: str = "id", form_key: str | None = None, **fields: Any) -> tuple[Any, Any, Any]:
    """Run the form's submit callback as a request from ``ip`` would (``form_key``: the form's own key)."""
    from app import server
    from callbacks.lapor import submit as submit_callback

    values: dict[str, Any] = {
        "category": None, "lat": None, "lon": None, "address": None, "description": None, "photos": None,
        "name": None, "contact": None, "anonymous": [], "confidential": [],
    }  # fmt: skip
    values.update(fields)
    with server.test_request_context("/_dash-update-component", method="POST", environ_base={"REMOTE_ADDR": ip}):
        general, at_fields, receipt, hidden = submit_callback(1, *values.values(), lang, form_key)
    return (
        " ".join(x for x in (general, *at_fields.values()) if x) if general or at_fields else general,
        receipt,
        hidden,
    )


def fields_refused(**fields: Any) -> dict[str, str]:
    """The form's fields a submission refuses, each with its message (shown beside it)."""
    from app import server
    from callbacks.lapor import submit as submit_callback

    values: dict[str, Any] = {
        "category": None, "lat": None, "lon": None, "address": None, "description": None, "photos": None,
        "name": None, "contact": None, "anonymous": [], "confidential": [],
    }  # fmt: skip
    values.update(fields)
    with server.test_request_context("/_dash-update-component", method="POST"):
        general, at_fields, _, _ = submit_callback(1, *values.values(), "id", None)
    assert general == ""  # nothing is left to a list below the form
    return dict(at_fields)


def test_each_problem_is_given_at_its_own_field() -> None:
    assert set(fields_refused()) == {"category", "description", "location"}
    refused = fields_refused(category="sampah", description="x" * 4001, lat="utara", lon="106.6", name="n" * 101)
    assert set(refused) == {"description", "location", "name"}
    assert "Uraian: paling banyak 4000 karakter." in refused["description"]
    assert "harus berupa angka" in refused["location"] and "Nama: paling banyak" in refused["name"]


def texts(node: Any) -> str:
    if node is None or isinstance(node, str | int | float):
        return "" if node is None else str(node)
    if isinstance(node, list | tuple):
        return " ".join(texts(c) for c in node)
    return texts(getattr(node, "children", None))


def code_of(receipt: Any) -> str:
    for child in receipt.children:
        if getattr(child, "id", None) == "lapor-code":
            return str(child.children)
    raise AssertionError("no tracking code in the receipt")


def test_every_missing_or_bad_field_is_named_in_bahasa_indonesia() -> None:
    errors, result, hidden = submit()
    shown = texts(errors)
    assert "Pilih kategori masalah." in shown and "Tuliskan uraian masalah." in shown
    assert "Tentukan lokasi" in shown and result is not None and hidden is not True
    errors, _, _ = submit(category="sampah", description="x" * 4001, lat="utara", lon="106.6")
    assert "Uraian: paling banyak 4000 karakter." in texts(errors) and "harus berupa angka" in texts(errors)
    errors, _, _ = submit(category="sampah", description="ok", lat="-95", lon="106.6", name="n" * 101)
    assert "antara -90 dan 90" in texts(errors) and "Nama: paling banyak 100 karakter." in texts(errors)
    four = [{"token": f"t{i}", "name": f"{i}.jpg"} for i in range(4)]
    errors, _, _ = submit(category="sampah", description="ok", lat="-6.2", lon="106.6", photos=four)
    assert "Paling banyak 3 foto." in texts(errors)
    errors, _, _ = submit(lang="en")
    assert "Choose the kind of problem." in texts(errors)


def test_a_report_with_photos_is_stored_routed_and_answered_with_its_tracking_link(
    client: Any, engine: Engine, committed: list[int]
) -> None:
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    form = "form-key-of-one-page-load"
    staged, message = send_photo(client, jpeg((1, 2, 3)), "a.jpg")
    assert message == "Foto a.jpg siap; terkirim bersama laporan."
    staged, _ = send_photo(client, jpeg((4, 5, 6)), "b.jpg", staged)
    assert [p["name"] for p in staged] == ["a.jpg", "b.jpg"]
    errors, receipt, hidden = submit(
        form_key=form,
        category="jalan_rusak", lat=f"{lat:.6f}", lon=f"{lon:.6f}".replace(".", ","), description="  Lubang dalam  ",
        photos=staged, name="Siti", contact="0812", anonymous=["yes"],
    )  # fmt: skip
    assert errors == "" and hidden is True
    code = code_of(receipt)
    track_ids(engine, committed, code)
    shown = texts(receipt)
    assert "Laporan terkirim" in shown and f"/lacak/{code}?k=" in shown
    with engine.connect() as conn:
        row = complaint(conn, code)
        photos = conn.execute(
            text("SELECT kind, uploader_role FROM photo WHERE complaint_id = :i"), {"i": row["id"]}
        ).all()
        waiting = conn.execute(
            text("SELECT count(*) FROM photo_upload WHERE token = ANY(:t)"), {"t": [p["token"] for p in staged]}
        ).scalar_one()
    assert (
        row["channel"] == "web" and row["kelurahan_code"] == TANGERANG_BABAKAN and row["description"] == "Lubang dalam"
    )
    assert row["anonymous"] and row["reporter_name"] is None and row["reporter_contact"] is None
    assert sorted(tuple(p) for p in photos) == [("report", "public"), ("report", "public")]
    assert waiting == 0  # stored with the report, no longer waiting
    # The same form sent twice (a double tap) is one report.
    _, again, _ = submit(
        form_key=form,
        category="jalan_rusak", lat=f"{lat:.6f}", lon=f"{lon:.6f}", description="Lubang dalam", anonymous=["yes"],
    )  # fmt: skip
    assert code_of(again) == code and "sudah kami terima" in texts(again)


def test_another_reporters_identical_report_is_their_own_with_their_own_link(
    engine: Engine, committed: list[int]
) -> None:
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    report = {"category": "sampah", "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "description": "Sampah menumpuk"}
    _, first, _ = submit(form_key="first-neighbours-form-key", **report)
    # A neighbour on another phone (another form) sends the very same words for the same place.
    _, second, _ = submit(ip="10.0.0.6", form_key="second-neighbours-form", **report)
    # The first one again, now ticking "rahasia": a new confidential report, not the earlier public one.
    _, secret, _ = submit(form_key="first-neighbours-form-key", confidential=["yes"], **report)
    # A request without the form's key (or with a forged one) matches nobody.
    _, keyless, _ = submit(ip="10.0.0.7", **report)
    codes = [code_of(r) for r in (first, second, secret, keyless)]
    track_ids(engine, committed, *codes)
    assert len(set(codes)) == 4
    for receipt, code in zip((second, secret, keyless), codes[1:], strict=True):
        assert "sudah kami terima" not in texts(receipt) and f"/lacak/{code}?k=" in texts(receipt)
        assert codes[0] not in texts(receipt)
    with engine.connect() as conn:
        assert complaint(conn, codes[2])["confidential"] and not complaint(conn, codes[0])["confidential"]


def test_a_place_outside_every_boundary_is_accepted_and_said_to_be_forwarded(
    engine: Engine, committed: list[int]
) -> None:
    errors, receipt, _ = submit(category="sampah", lat=str(OUTSIDE[0]), lon=str(OUTSIDE[1]), description="Sampah")
    code = code_of(receipt)
    track_ids(engine, committed, code)
    assert errors == "" and "Operator akan meneruskan laporan Anda" in texts(receipt)
    with engine.connect() as conn:
        assert complaint(conn, code)["status"] == "luar_wilayah"


def test_one_address_may_submit_only_so_often(engine: Engine, committed: list[int]) -> None:
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    for i in range(10):
        errors, receipt, _ = submit(category="sampah", lat=str(lat), lon=str(lon), description=f"laporan ke-{i}")
        assert errors == ""
        track_ids(engine, committed, code_of(receipt))
    errors, receipt, _ = submit(category="sampah", lat=str(lat), lon=str(lon), description="laporan ke-11")
    assert "Terlalu banyak laporan" in texts(errors)
    # Other addresses are not affected.
    _, receipt, _ = submit(ip="10.0.0.99", category="sampah", lat=str(lat), lon=str(lon), description="dari tetangga")
    track_ids(engine, committed, code_of(receipt))


# --- photos: each sent on its own, within bounds ----------------------------------------------------------


def _noise_jpeg(size_bytes: int, seed: int) -> bytes:
    """A real photo-like JPEG (random pixels, so it barely compresses) of exactly ``size_bytes``."""
    side = 1700
    picture = Image.frombytes("RGB", (side, side), random.Random(seed).randbytes(side * side * 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=98, subsampling=0)
    data = out.getvalue()
    assert len(data) <= size_bytes, len(data)
    return data + b"\0" * (size_bytes - len(data))  # what a camera appends after the picture (maker notes, previews)


def _gps_jpeg(lon: float, lat: float) -> bytes:
    """A JPEG as a phone writes it, with the place it was taken in its EXIF."""

    def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
        value = abs(value)
        minutes = (value - int(value)) * 60
        return (
            IFDRational(int(value), 1),
            IFDRational(int(minutes), 1),
            IFDRational(round((minutes % 1) * 600000), 10000),
        )

    exif = Image.Exif()
    exif[0x8825] = {1: "S" if lat < 0 else "N", 2: dms(lat), 3: "E" if lon > 0 else "W", 4: dms(lon)}
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (90, 60, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _bomb() -> bytes:
    """The issue's decompression bomb: a 58 KB PNG of 7740×7740 pixels (60 MP, 0.4 GB once decoded)."""
    out = io.BytesIO()
    Image.new("1", (7740, 7740)).save(out, "PNG")
    return out.getvalue()


def _waiting(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM photo_upload")).scalar_one())


def test_three_photos_of_11_8_mb_each_are_one_stored_report(client: Any, engine: Engine, committed: list[int]) -> None:
    """Each is under PANTAU_MAX_PHOTO_MB (15); together, base64-encoded, they were more than one request could carry."""
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    size = int(11.8 * 1048576)
    staged: list[dict[str, str]] = []
    for i in range(3):
        staged, message = send_photo(client, _noise_jpeg(size, i), f"besar-{i}.jpg", staged)
        assert message == f"Foto besar-{i}.jpg siap; terkirim bersama laporan."
    response = send_report(
        client, category="sampah", lat=str(lat), lon=str(lon), description="tiga foto besar", photos=staged
    )
    assert response.status_code == 200, response.data[:300]
    result = response.get_json()["response"]
    code = texts_of_json(result["lapor-result"]["children"])
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.id, c.tracking_code, count(p.id) AS photos, min(p.width) AS w FROM complaint c "
                "JOIN photo p ON p.complaint_id = c.id WHERE c.description = 'tiga foto besar' GROUP BY c.id"
            )
        ).one()
    committed.append(row.id)
    assert row.tracking_code in code and row.photos == 3 and row.w == 1700


def texts_of_json(node: Any) -> str:
    """The text of a component tree as Dash sends it (JSON)."""
    if node is None or isinstance(node, str | int | float):
        return "" if node is None else str(node)
    if isinstance(node, list):
        return " ".join(texts_of_json(c) for c in node)
    return texts_of_json(node.get("props", {}).get("children"))


def test_a_photo_over_the_limit_is_named_in_the_form_and_a_request_over_it_gets_413_not_500(
    client: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    from settings import get_settings

    limit = int(get_settings().max_photo_mb * 1048576)
    staged, message = send_photo(client, b"\xff\xd8" + b"\0" * (limit - 1), "pas-lewat.jpg")
    assert staged == [] and message == "pas-lewat.jpg: Foto terlalu besar (maksimal 15 MB)."
    # A browser that skipped its own size check sends more than a request may carry.
    over = b"\xff\xd8" + b"\0" * (limit + 1048576)
    contents = "data:image/jpeg;base64," + base64.b64encode(over).decode()
    capfd.readouterr()
    response = dash_post(
        client,
        ["lapor-photo-tokens.data", "lapor-upload-msg.children", "lapor-upload.contents"],
        {"lapor-pending.data": {"name": "raksasa.jpg", "bytes": len(over), "contents": contents, "at": 1}},
        {"lapor-photo-tokens.data": [], "lapor-ctx.data": {"lang": "id", "max_bytes": limit}},
    )
    assert response.status_code == 413
    body = response.get_json()
    assert body["reason"] == "too_large"
    assert body["error"] == "Kiriman terlalu besar: satu foto paling besar 15 MB. Isian formulir Anda tetap ada."
    assert "Traceback" not in capfd.readouterr().err


def test_a_decompression_bomb_is_refused_from_its_header(client: Any, engine: Engine) -> None:
    before = _waiting(engine)
    staged, message = send_photo(client, _bomb(), "bom.png")
    assert staged == []
    assert message == "bom.png: Resolusi foto terlalu besar (60 megapiksel; untuk PNG paling besar 16 megapiksel)."
    out = io.BytesIO()
    Image.new("1", (15000, 15000)).save(out, "PNG")  # past Pillow's own limit, which stops it as it opens
    _, message = send_photo(client, out.getvalue(), "bom-raksasa.png")
    assert message == "bom-raksasa.png: Resolusi foto jauh terlalu besar untuk diproses."
    assert _waiting(engine) == before


def test_a_phone_photo_of_40_megapixels_is_kept_and_a_progressive_one_is_not(client: Any, engine: Engine) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8000, 5000), (200, 120, 40)).save(out, "JPEG")  # a phone's largest photo, baseline
    staged, message = send_photo(client, out.getvalue(), "kamera.jpg")
    assert message == "Foto kamera.jpg siap; terkirim bersama laporan."
    with engine.begin() as conn:
        size = conn.execute(
            text("SELECT width, height FROM photo_upload WHERE token = :t"), {"t": staged[0]["token"]}
        ).one()
        conn.execute(text("DELETE FROM photo_upload WHERE token = :t"), {"t": staged[0]["token"]})
    assert tuple(size) == (2560, 1600)
    out = io.BytesIO()
    Image.new("RGB", (5000, 4000)).save(out, "JPEG", progressive=True)  # decoded whole whatever its scale
    _, message = send_photo(client, out.getvalue(), "web.jpg")
    assert (
        message
        == "web.jpg: Resolusi foto terlalu besar (20 megapiksel; untuk JPEG progresif paling besar 16 megapiksel)."
    )


@pytest.fixture
def slow_rate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One report a minute per address: three photos a minute."""
    from settings import get_settings

    monkeypatch.setenv("PANTAU_SUBMIT_RATE", "1/minute")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("PANTAU_SUBMIT_RATE")
    get_settings.cache_clear()


def test_every_photo_sent_counts_against_the_limit_before_it_is_decoded(client: Any, slow_rate: None) -> None:
    from photos.document import MAX_DOCUMENTS

    for _ in range(3 + MAX_DOCUMENTS):  # what one report may bring: its photos and its documents
        _, message = send_photo(client, _bomb(), "bom.png", ip="10.0.0.66")
        assert "Resolusi foto terlalu besar" in message
    staged, message = send_photo(client, jpeg(), "asli.jpg", ip="10.0.0.66")
    assert (
        staged == [] and message == "asli.jpg: Terlalu banyak foto dari perangkat ini. Coba lagi beberapa menit lagi."
    )
    _, message = send_photo(client, jpeg(), "tetangga.jpg", ip="10.0.0.67")
    assert message == "Foto tetangga.jpg siap; terkirim bersama laporan."


def test_a_fourth_photo_or_a_file_that_is_no_photo_is_refused_when_chosen(client: Any) -> None:
    staged: list[dict[str, str]] = []
    for i in range(3):
        staged, _ = send_photo(client, jpeg((i, 9, 9)), f"{i}.jpg", staged)
    still, message = send_photo(client, jpeg((7, 7, 7)), "keempat.jpg", staged)
    assert still == staged and message == "keempat.jpg: Paling banyak 3 foto."
    _, message = send_photo(client, b"Surat pengantar RT 03", "surat.jpg")
    assert message == "surat.jpg: Berkas bukan foto JPEG, PNG, WebP atau HEIC."
    # What starts as a PDF is checked as a document (tests/integration/test_documents.py): this one is not.
    _, message = send_photo(client, b"%PDF-1.4 bukan foto", "surat.pdf")
    assert message == "surat.pdf: Berkas bukan dokumen PDF yang dapat dibaca."


def test_a_photo_that_waited_over_a_day_is_named_and_the_report_is_not_half_stored(client: Any, engine: Engine) -> None:
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    staged, _ = send_photo(client, jpeg((3, 3, 3)), "kemarin.jpg")
    staged, _ = send_photo(client, jpeg((4, 4, 4)), "hari-ini.jpg", staged)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE photo_upload SET created_at = now() - interval '25 hours' WHERE token = :t"),
            {"t": staged[0]["token"]},
        )
    response = send_report(
        client, category="sampah", lat=str(lat), lon=str(lon), description="foto lama", photos=staged
    )
    body = response.get_json()["response"]
    assert response.status_code == 200 and "lapor-result" not in body and "lapor-form" not in body
    assert body["lapor-field-errors"]["data"]["photos"] == (
        "kemarin.jpg: foto ini sudah tidak tersimpan (lebih dari sehari). Hapus, lalu tambahkan lagi."
    )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1 FROM complaint WHERE description = 'foto lama'")).first() is None
        assert (
            conn.execute(
                text("SELECT count(*) FROM photo_upload WHERE token = :t"), {"t": staged[1]["token"]}
            ).scalar_one()
            == 1
        )  # the other photo still waits for the report
    # The next photo chosen by anyone clears out what waited too long.
    send_photo(client, jpeg((5, 5, 5)), "baru.jpg")
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM photo_upload WHERE token = :t"), {"t": staged[0]["token"]}
            ).scalar_one()
            == 0
        )


@pytest.mark.parametrize("anonymous", [True, False])
def test_an_anonymous_reports_photos_keep_no_position(
    client: Any, engine: Engine, committed: list[int], anonymous: bool
) -> None:
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    home = (lon + 0.01, lat + 0.01)  # where the reporter took the photo: about 1.5 km away
    staged, _ = send_photo(client, _gps_jpeg(*home), "dari-rumah.jpg")
    response = send_report(
        client, category="sampah", lat=str(lat), lon=str(lon), description=f"anonim {anonymous}", photos=staged,
        name="Budi", contact="0813", anonymous=["yes"] if anonymous else [],
    )  # fmt: skip
    assert response.status_code == 200
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.id, c.reporter_name, ST_X(p.gps) AS lon, p.distance_m, "
                "(SELECT data FROM complaint_event e WHERE e.complaint_id = c.id AND e.kind = 'photo_added') AS event "
                "FROM complaint c JOIN photo p ON p.complaint_id = c.id WHERE c.description = :d"
            ),
            {"d": f"anonim {anonymous}"},
        ).one()
    committed.append(row.id)
    if anonymous:
        assert row.reporter_name is None and row.lon is None and row.distance_m is None
        assert row.event["distance_m"] is None
    else:
        assert row.reporter_name == "Budi" and row.lon == pytest.approx(home[0]) and row.distance_m > 1000
