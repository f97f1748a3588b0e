"""Staff are told who reads the note they type, wherever they type one.

A note is internal unless the staff member ticks "tampilkan ke pelapor" (a reply); the reason for a
rejection, a duplicate or a forward is the reporter's. Only those reach /lacak (for a confidential report
only through the reporter's own link), and the history on the complaint page marks each note for what it is.
"""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine

from tests.integration.staff import (
    Accounts,
    act,
    bearer,
    new_complaint,
    render_page,
    session_login,
    text_of,
)


def test_every_note_field_says_who_reads_it(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    field_user = accounts("field")
    code = new_complaint(engine, committed)
    operator_token = bearer(client, accounts("operator"))
    assert act(client, operator_token, code, action="verify", note="Sudah dicek ke lokasi").status_code == 200
    assert act(client, operator_token, code, action="assign", assignee=field_user.username).status_code == 200

    session_login(client, accounts("operator"))
    queue = text_of(render_page(client, "/operator"))  # the bulk actions' reason field
    assert "alasan teruskan, tolak dan duplikat ditampilkan kepada pelapor, catatan lain internal" in queue
    detail = text_of(render_page(client, f"/pengaduan/{code}"))  # the complaint page's actions, note box, history
    assert "catatan lain internal kecuali dicentang" in detail and "Tampilkan ke pelapor" in detail
    assert "Catatan internal" in detail and "Balas ke pelapor" in detail
    assert "Hanya petugas yang melihat catatan internal" in detail
    # The verification's note was given without the tick: internal, marked so, and not on /lacak.
    assert "Sudah dicek ke lokasi" in detail and "Catatan internal: hanya petugas" in detail
    assert "Sudah dicek ke lokasi" not in text_of(render_page(client, f"/lacak/{code}"))

    session_login(client, field_user)
    job = text_of(render_page(client, "/field", f"?job={code}"))
    assert "Catatan (opsional), internal: hanya petugas yang melihat" in job


def test_the_history_marks_replies_and_reasons_the_reporter_reads(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    code = new_complaint(engine, committed)
    operator_token = bearer(client, accounts("operator"))
    assert (
        act(client, operator_token, code, action="verify", note="Segera kami tangani", public=True).status_code == 200
    )
    assert act(client, operator_token, code, action="reject", reason="Jalan milik provinsi").status_code == 200
    session_login(client, accounts("operator"))
    detail: Any = text_of(render_page(client, f"/pengaduan/{code}"))
    assert detail.count("Balasan ke pelapor: ditampilkan kepada pelapor") == 1
    assert detail.count("Alasan, ditampilkan kepada pelapor") == 1
    assert "Catatan internal: hanya petugas" not in detail
    lacak = text_of(render_page(client, f"/lacak/{code}"))
    assert "Segera kami tangani" in lacak and "Jalan milik provinsi" in lacak
