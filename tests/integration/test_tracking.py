"""/lacak: what the holder of a tracking code sees, what stays private, and disputing a finished report."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from db.complaints import Actor, NewComplaint, create_complaint, transition
from tests.conftest import inside
from tests.integration.intake import TANGERANG_BABAKAN, complaint, finish, jpeg

pytestmark = pytest.mark.usefixtures("fresh_limits")


def texts(node: Any) -> list[str]:
    """Every piece of text a component tree shows."""
    if node is None:
        return []
    if isinstance(node, str | int | float):
        return [str(node)]
    if isinstance(node, list | tuple):
        return [s for child in node for s in texts(child)]
    return texts(getattr(node, "children", None))


def find(node: Any, component_id: str) -> Any:
    if isinstance(node, list | tuple):
        return next((f for child in node if (f := find(child, component_id)) is not None), None)
    if node is None or isinstance(node, str | int | float):
        return None
    if getattr(node, "id", None) == component_id:
        return node
    return find(getattr(node, "children", None), component_id)


@pytest.fixture
def page_of() -> Iterator[Any]:
    """Render /lacak/<code> (optionally with the reporter's token) as a component tree."""
    from app import server
    from layouts.lacak import tracked

    def render(code: str, token: str | None = None, lang: str = "id", **query: Any) -> Any:
        with server.test_request_context(f"/lacak/{code}"):
            return tracked(code, lang=lang, k=token, **query)

    yield render


def token_for(code: str) -> str:
    from app import server
    from db.tracking import reporter_token

    return reporter_token(server.config["SECRET_KEY"], code)


def report(
    engine: Engine, committed: list[int], confidential: bool = False, description: str = "Jalan berlubang"
) -> str:
    with engine.begin() as conn:
        lat, lon = inside(conn, TANGERANG_BABAKAN)
        created = create_complaint(
            conn,
            NewComplaint(
                category="jalan_rusak", description=description, lat=lat, lon=lon, reporter_name="Siti Rahma",
                reporter_contact="0812-5555-0101", confidential=confidential,
            ),
            Actor(role="public"),
        )  # fmt: skip
    committed.append(created.id)
    return created.tracking_code


def test_a_new_report_shows_its_status_office_and_history_but_nothing_private(
    engine: Engine, committed: list[int], page_of: Any
) -> None:
    code = report(engine, committed, description="<b>Lubang</b> besar\nbaris kedua")
    tree = page_of(code.lower())  # codes are read case-insensitively
    shown = " ".join(texts(tree))
    assert find(tree, "lacak-status").children == "Baru" and "badge-red" in find(tree, "lacak-status").className
    # What "Baru" means, and a timeline that agrees with it: queued for the office, not "forwarded" yet.
    assert find(tree, "lacak-meaning").children == "Diterima, menunggu diperiksa operator."
    assert find(tree, "lacak-office").children == "Dinas Bina Marga dan Sumber Daya Air Kota Tangerang"
    assert "Babakan" in find(tree, "lacak-place").children
    # User text is shown as text (Dash never renders it as HTML), line breaks kept by CSS.
    assert find(tree, "lacak-description").children == "<b>Lubang</b> besar\nbaris kedua"
    assert "Laporan diterima" in shown and "Masuk antrean Dinas Bina Marga dan Sumber Daya Air" in shown
    assert "Diteruskan" not in shown and "Belum ditangani" not in shown
    assert "Siti" not in shown and "0812" not in shown
    assert find(tree, "lacak-dispute") is None and find(tree, "lacak-evidence") is None  # no photo yet


def test_the_reporter_sees_their_photo_from_the_start(engine: Engine, committed: list[int], page_of: Any) -> None:
    from photos.store import get_store
    from photos.upload import save_photo

    code = report(engine, committed)
    with engine.begin() as conn:
        photo = save_photo(
            conn, get_store(), complaint(conn, code)["id"], jpeg(), "report", Actor(role="public"), 10**7
        )
    for token in (token_for(code), None):  # not confidential: whoever has the code sees it too
        evidence = find(page_of(code, token), "lacak-evidence")
        assert evidence is not None and f"/photos/{photo.id}/thumb" in str(evidence)


def test_staff_names_and_internal_notes_stay_out_of_the_timeline(
    engine: Engine, committed: list[int], page_of: Any
) -> None:
    from db.accounts import create_user

    code = report(engine, committed)
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM app_user WHERE username = 'pak_joko_lapangan'")).first() is None:
            create_user(conn, "pak_joko_lapangan", "sandi-rahasia-1", "field")
        transition(conn, code, "verify", Actor(role="operator"))
        transition(conn, code, "assign", Actor(role="operator"), assignee="pak_joko_lapangan")
    shown = " ".join(texts(page_of(code)))
    assert "Diverifikasi operator" in shown and "Ditugaskan ke petugas lapangan" in shown
    assert "joko" not in shown.lower()
    assert find(page_of(code), "lacak-status").children == "Ditugaskan"


def test_unknown_code_says_so_and_offers_the_form(page_of: Any) -> None:
    tree = page_of("ZZZZ-ZZZZ-ZZZZ")
    assert find(tree, "lacak-not-found") is not None and find(tree, "lacak-code") is not None


def test_a_finished_report_shows_before_and_after_and_its_reporter_can_dispute_it(
    engine: Engine, committed: list[int], page_of: Any
) -> None:
    from app import server
    from callbacks.lacak import submit_dispute

    code = report(engine, committed)
    with engine.begin() as conn:
        finish(conn, code)
    token = token_for(code)
    tree = page_of(code, token)
    assert find(tree, "lacak-status").children == "Selesai" and "badge-green" in find(tree, "lacak-status").className
    assert find(tree, "lacak-meaning").children == "Pekerjaan sudah selesai."  # not "Selesai Selesai"
    evidence = find(tree, "lacak-evidence")
    assert evidence is not None and "Sesudah" in " ".join(texts(evidence))
    assert find(tree, "lacak-reason") is not None

    # Without the reporter's link, the page explains instead of offering the form.
    public = page_of(code)
    assert find(public, "lacak-reason") is None and "tautan lengkap" in " ".join(texts(find(public, "lacak-dispute")))

    ref = {"code": code, "token": token, "lang": "id"}
    with server.test_request_context("/_dash-update-component", method="POST"):
        assert submit_dispute(1, "   ", ref)[0] == "Tuliskan alasan keberatan."
        forged = submit_dispute(1, "tidak beres", {**ref, "token": "aaaaaaaaaaaaaaaa"})
        assert "tautan lengkap" in forged[0]
        message, reload_to = submit_dispute(1, "Lubangnya masih ada, hanya ditimbun tanah.", ref)
    assert message == "" and reload_to.startswith(f"/lacak/{code}?k={token}") and "disputed=1" in reload_to
    with engine.connect() as conn:
        row = complaint(conn, code)
        kinds = conn.execute(
            text("SELECT kind, actor_role FROM complaint_event WHERE complaint_id = :i ORDER BY id"), {"i": row["id"]}
        ).all()
    assert row["status"] == "terverifikasi" and row["completed_at"] is None
    assert ("disputed", "public") in [tuple(k) for k in kinds]
    after = page_of(code, token, disputed="1")
    shown = " ".join(texts(after))
    assert find(after, "lacak-status").children == "Terverifikasi" and find(after, "lacak-disputed") is not None
    assert "Dibuka kembali atas keberatan pelapor" in shown and "Pelapor mengajukan keberatan" in shown
    assert "ditimbun" not in shown  # the reporter's words stay with the staff


def test_disputes_close_fourteen_days_after_completion(engine: Engine, committed: list[int]) -> None:
    from db.tracking import DisputeError, dispute

    code = report(engine, committed)
    secret = "test-secret"
    from db.tracking import reporter_token

    with engine.begin() as conn:
        finish(conn, code)
        completed = complaint(conn, code)["completed_at"]
        with pytest.raises(DisputeError) as late:
            dispute(conn, code, "masih rusak", token=reporter_token(secret, code), secret=secret,
                    now=completed + timedelta(days=14, minutes=1))  # fmt: skip
        assert late.value.reason == "too_late"
        dispute(conn, code, "masih rusak", token=reporter_token(secret, code), secret=secret,
                now=completed + timedelta(days=13, hours=23))  # fmt: skip
        assert complaint(conn, code)["status"] == "terverifikasi"
        with pytest.raises(DisputeError) as again:
            dispute(conn, code, "lagi", token=reporter_token(secret, code), secret=secret)
        assert again.value.reason == "not_finished"


def test_a_confidential_report_shows_its_text_photos_and_notes_only_to_its_reporter(
    engine: Engine, committed: list[int], page_of: Any
) -> None:
    code = report(engine, committed, confidential=True, description="Pungli di loket, saya di rumah nomor 7")
    with engine.begin() as conn:
        transition(conn, code, "verify", Actor(role="operator"), note="Pelapor sudah kami telepon", note_public=True)
        finish(conn, code)
    public = page_of(code)
    shown = " ".join(texts(public))
    assert find(public, "lacak-status").children == "Selesai" and "Laporan rahasia" in shown
    assert "Pungli" not in shown and "telepon" not in shown and "ditangani dinas" not in shown
    assert find(public, "lacak-description") is None and "/photos/" not in str(find(public, "lacak-evidence"))

    token = token_for(code)
    own = page_of(code, token)
    shown = " ".join(texts(own))
    assert find(own, "lacak-description").children.startswith("Pungli") and "Pelapor sudah kami telepon" in shown
    assert f"/thumb?k={token}" in str(find(own, "lacak-evidence"))  # the completion photo, opened by the link


def test_a_merged_report_follows_the_one_it_was_merged_into(engine: Engine, committed: list[int], page_of: Any) -> None:
    survivor = report(engine, committed, description="Jalan rusak di depan sekolah")
    duplicate = report(engine, committed, description="Jalan berlubang dekat SD")
    with engine.begin() as conn:
        transition(conn, duplicate, "duplicate", Actor(role="operator"), reason="sama", of=survivor)
        finish(conn, survivor)
    tree = page_of(duplicate, token_for(duplicate))
    shown = " ".join(texts(tree))
    assert find(tree, "lacak-status").children == "Selesai"
    assert "digabung dengan laporan lain" in shown
    assert survivor not in shown and "depan sekolah" not in shown  # nothing of the other reporter
    assert find(tree, "lacak-reason") is not None  # the outcome can be disputed from either report
