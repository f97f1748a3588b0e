"""/lapor's submit: every field checked on the server with Indonesian messages, photos stored, rate limited."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import Engine, text

from tests.integration.intake import (
    OUTSIDE,
    TANGERANG_BABAKAN,
    complaint,
    fresh_limits_fixture,  # noqa: F401  (fixture)
    inside,
    jpeg,
    track_ids,
)


def data_url(data: bytes, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def submit(ip: str = "10.0.0.5", lang: str = "id", form_key: str | None = None, **fields: Any) -> tuple[Any, Any, Any]:
    """Run the form's submit callback as a request from ``ip`` would (``form_key``: the form's own key)."""
    from app import server
    from callbacks.lapor import submit as submit_callback

    values: dict[str, Any] = {
        "category": None, "lat": None, "lon": None, "address": None, "description": None, "photos": None,
        "photo_names": None, "name": None, "contact": None, "anonymous": [], "confidential": [],
    }  # fmt: skip
    values.update(fields)
    with server.test_request_context("/_dash-update-component", method="POST", environ_base={"REMOTE_ADDR": ip}):
        return submit_callback(1, *values.values(), lang, form_key)


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
    assert "Uraian paling banyak 4000 karakter." in texts(errors) and "harus berupa angka" in texts(errors)
    errors, _, _ = submit(category="sampah", description="ok", lat="-95", lon="106.6", name="n" * 101)
    assert "antara -90 dan 90" in texts(errors) and "Nama: paling banyak 100 karakter." in texts(errors)
    photos = [data_url(jpeg())] * 4
    errors, _, _ = submit(
        category="sampah", description="ok", lat="-6.2", lon="106.6", photos=photos, photo_names=list("abcd")
    )
    assert "Paling banyak 3 foto." in texts(errors)
    not_photo = [data_url(b"%PDF-1.4 bukan foto", "application/pdf")]
    errors, _, _ = submit(
        category="sampah", description="ok", lat="-6.2", lon="106.6", photos=not_photo, photo_names=["surat.pdf"]
    )
    assert "surat.pdf: Berkas bukan foto JPEG, PNG, WebP atau HEIC." in texts(errors)
    errors, _, _ = submit(lang="en")
    assert "Choose the kind of problem." in texts(errors)


def test_a_report_with_photos_is_stored_routed_and_answered_with_its_tracking_link(
    engine: Engine, committed: list[int]
) -> None:
    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    form = "form-key-of-one-page-load"
    errors, receipt, hidden = submit(
        form_key=form,
        category="jalan_rusak", lat=f"{lat:.6f}", lon=f"{lon:.6f}".replace(".", ","), description="  Lubang dalam  ",
        photos=[data_url(jpeg((1, 2, 3))), data_url(jpeg((4, 5, 6)))], photo_names=["a.jpg", "b.jpg"],
        name="Siti", contact="0812", anonymous=["yes"],
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
    assert (
        row["channel"] == "web" and row["kelurahan_code"] == TANGERANG_BABAKAN and row["description"] == "Lubang dalam"
    )
    assert row["anonymous"] and row["reporter_name"] is None and row["reporter_contact"] is None
    assert sorted(tuple(p) for p in photos) == [("report", "public"), ("report", "public")]
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
