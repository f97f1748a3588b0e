"""PDF supporting documents: a real PDF is kept and listed, anything else refused by its bytes, a confidential
report's documents stay private, and an anonymous reporter's name does not survive in a stored document."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import Engine, text

from tests.conftest import inside
from tests.integration.intake import TANGERANG_BABAKAN, send_photo, send_report, track_ids
from tests.integration.staff import (
    Accounts,
    bearer,
    new_complaint,
    render_page,
    session_login,
    text_of,
    upload,
)

pytestmark = pytest.mark.usefixtures("fresh_limits")


AUTHOR = "Budi Santoso Rahasia"


def pdf(pages: int = 2, author: str | None = None) -> bytes:
    """A real PDF of ``pages`` blank A4 pages, with an author in its document information when given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if author:
        writer.add_metadata({"/Author": author, "/Title": f"Surat dari {author}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _documents(engine: Engine, code: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(
                    "SELECT d.id, d.page_count, d.uploader_id, d.uploader_role, d.storage_key FROM document d "
                    "JOIN complaint c ON c.id = d.complaint_id WHERE c.tracking_code = :c ORDER BY d.id"
                ),
                {"c": code},
            ).mappings()
        ]


def test_a_real_pdf_is_accepted_listed_and_served(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator = accounts("operator")
    response = upload(client, bearer(client, operator), code, pdf(3), "surat-warga.pdf", kind="document")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()["document"]
    assert body["pages"] == 3 and body["url"] == f"/documents/{body['id']}"
    # Sent again: the same document, not a copy.
    again = upload(client, bearer(client, operator), code, pdf(3), "lagi.pdf", kind="document")
    assert again.status_code == 200 and again.get_json()["document"]["id"] == body["id"]
    assert [d["page_count"] for d in _documents(engine, code)] == [3]

    # The staff API, the complaint page and the public tracking page list it beside the photos.
    detail = client.get(f"/api/v1/complaints/{code}", headers=bearer(client, operator)).get_json()
    assert [d["url"] for d in detail["documents"]] == [body["url"]]
    session_login(client, operator)
    page = text_of(render_page(client, f"/pengaduan/{code}"))
    assert "Dokumen pendukung" in page and "Dokumen PDF 1" in page and "3 halaman" in page
    assert f"/documents/{body['id']}" in page
    public = text_of(render_page(client, f"/lacak/{code}"))
    assert f"/documents/{body['id']}" in public

    served = client.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert len(PdfReader(io.BytesIO(served.data)).pages) == 3


def test_a_renamed_executable_is_refused_and_nothing_is_stored(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    program = b"\x7fELF\x02\x01\x01\x00" + bytes(4096)  # a Linux program, named as a letter
    response = upload(client, bearer(client, accounts("operator")), code, program, "surat.pdf", kind="document")
    assert response.status_code == 415
    assert response.get_json()["message"] == "Berkas bukan dokumen PDF yang dapat dibaca."
    # Bytes that start like a PDF but are not one are refused too.
    fake = b"%PDF-1.7\n" + b"MZ" + bytes(2048)
    assert upload(client, bearer(client, accounts("operator")), code, fake, "x.pdf", kind="document").status_code == 415
    assert _documents(engine, code) == []


def test_an_oversized_or_too_long_document_is_refused(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from photos.document import MAX_DOCUMENT_BYTES, MAX_PAGES

    code = new_complaint(engine, committed)
    headers = bearer(client, accounts("operator"))
    big = pdf(1) + b"%" + b"x" * MAX_DOCUMENT_BYTES  # a comment after the end makes it a valid, oversized PDF
    response = upload(client, headers, code, big, "besar.pdf", kind="document")
    assert response.status_code == 413
    assert "Dokumen terlalu besar (maksimal 10 MB)" in response.get_json()["message"]
    long = upload(client, headers, code, pdf(MAX_PAGES + 1), "panjang.pdf", kind="document")
    assert long.status_code == 400 and f"{MAX_PAGES + 1} halaman" in long.get_json()["message"]
    assert _documents(engine, code) == []


def test_a_confidential_reports_document_is_hidden_from_every_public_surface(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from db.tracking import reporter_token

    code = new_complaint(engine, committed, confidential=True)
    response = upload(client, bearer(client, accounts("operator")), code, pdf(1), "ktp.pdf", kind="document")
    assert response.status_code == 201
    url = response.get_json()["document"]["url"]
    # The public: the file, the tracking page, Open311 (by id and in the listing) show nothing of it.
    assert client.get(url).status_code == 404
    assert client.get(f"{url}?k=aaaaaaaaaaaaaaaa").status_code == 404
    public = text_of(render_page(client, f"/lacak/{code}"))
    assert "/documents/" not in public and "Dokumen pendukung" not in public
    for path in (f"/open311/v2/requests/{code}.json", "/open311/v2/requests.json?extensions=true"):
        assert "/documents/" not in client.get(path).get_data(as_text=True)
    # Its reporter's own link opens it, privately; the staff who reach the report see it.
    token = reporter_token(client.application.config["SECRET_KEY"], code)
    own = text_of(render_page(client, f"/lacak/{code}", f"?k={token}"))
    assert f"{url}?k={token}" in own
    served = client.get(f"{url}?k={token}")
    assert served.status_code == 200 and "private" in served.headers["Cache-Control"]
    session_login(client, accounts("operator"))
    assert client.get(url).status_code == 200


def test_an_anonymous_reports_document_keeps_no_identity(
    client: Any, engine: Engine, committed: list[int], fresh_limits: None
) -> None:
    from photos.store import get_store

    with engine.connect() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
    original = pdf(1, author=AUTHOR)
    assert AUTHOR.encode() in original  # the file as the reporter's computer wrote it names them
    staged, message = send_photo(client, original, "surat-budi-santoso.pdf")
    assert message == "Dokumen surat-budi-santoso.pdf siap; terkirim bersama laporan."
    assert staged[0]["kind"] == "document"
    response = send_report(
        client, category="jalan_rusak", lat=f"{lat:.6f}", lon=f"{lon:.6f}", description="Jalan berlubang",
        photos=staged, name="Budi Santoso", contact="0812 1111", anonymous=["yes"],
    )  # fmt: skip
    assert response.status_code == 200
    with engine.connect() as conn:
        code = conn.execute(
            text("SELECT tracking_code FROM complaint WHERE description = 'Jalan berlubang' ORDER BY id DESC LIMIT 1")
        ).scalar_one()
    track_ids(engine, committed, code)
    [stored] = _documents(engine, code)
    assert (stored["uploader_id"], stored["uploader_role"]) == (None, "public")
    kept = get_store().get(stored["storage_key"])
    reader = PdfReader(io.BytesIO(kept))
    assert len(reader.pages) == 1 and not reader.metadata and reader.xmp_metadata is None
    assert b"Budi" not in kept and b"Santoso" not in kept
    with engine.connect() as conn:
        everything = conn.execute(
            text(
                "SELECT row_to_json(c)::text || coalesce((SELECT string_agg(row_to_json(e)::text, '') "
                "FROM complaint_event e WHERE e.complaint_id = c.id), '') "
                "|| coalesce((SELECT string_agg(row_to_json(d)::text, '') FROM document d WHERE d.complaint_id = c.id), '') "
                "FROM complaint c WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).scalar_one()
    assert "Budi" not in everything and "santoso" not in everything.lower()


@pytest.mark.parametrize("count", [3])
def test_a_form_takes_at_most_two_documents_beside_its_photos(client: Any, fresh_limits: None, count: int) -> None:
    staged: list[dict[str, str]] = []
    messages = []
    for n in range(count):
        staged, message = send_photo(client, pdf(n + 1), f"d{n}.pdf", staged)
        messages.append(message)
    assert [p["kind"] for p in staged] == ["document", "document"]
    assert messages[-1] == "d2.pdf: Paling banyak 2 dokumen PDF."
