"""Staff are told that the note they type is shown to the reporter, wherever they type one.

The note or reason given with a status change is published on /lacak (for a
confidential report only through the reporter's own link), so every staff form
with a note field says so, and the history on the complaint page marks the
notes the reporter can read.
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
from tests.integration.staff import accounts as accounts_fixture

accounts = accounts_fixture  # the fixture, under the name the tests ask for

SHOWN_ID = "ditampilkan kepada pelapor"


def test_every_note_field_says_the_reporter_sees_it(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    field_user = accounts("field")
    code = new_complaint(engine, committed)
    operator_token = bearer(client, accounts("operator"))
    assert act(client, operator_token, code, action="verify", note="Sudah dicek ke lokasi").status_code == 200
    assert act(client, operator_token, code, action="assign", assignee=field_user.username).status_code == 200

    session_login(client, accounts("operator"))
    queue = text_of(render_page(client, "/operator"))  # the bulk actions' reason field
    assert f"Alasan atau catatan, {SHOWN_ID}" in queue
    detail = text_of(render_page(client, f"/pengaduan/{code}"))  # the complaint page's actions and history
    assert f"Alasan atau catatan, {SHOWN_ID}" in detail
    assert "Sudah dicek ke lokasi" in detail and "Ditampilkan kepada pelapor" in detail

    session_login(client, field_user)
    job = text_of(render_page(client, "/field", f"?job={code}"))
    assert f"Catatan (opsional), {SHOWN_ID}" in job


def test_the_history_marks_only_the_notes_the_reporter_reads(
    client: FlaskClient, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    field_user = accounts("field")
    code = new_complaint(engine, committed)
    operator_token = bearer(client, accounts("operator"))
    assert act(client, operator_token, code, action="verify").status_code == 200
    # An assignment's note is not published on /lacak: not marked.
    assert (
        act(client, operator_token, code, action="assign", assignee=field_user.username, note="Bawa tangga").status_code
        == 200
    )
    session_login(client, accounts("operator"))
    detail: Any = text_of(render_page(client, f"/pengaduan/{code}"))
    assert "Bawa tangga" in detail and "Ditampilkan kepada pelapor" not in detail
    lacak = text_of(render_page(client, f"/lacak/{code}"))
    assert "Bawa tangga" not in lacak
