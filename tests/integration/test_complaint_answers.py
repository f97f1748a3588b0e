"""Staff see what the reporter answered to the category's questions: on the complaint page and in the staff API
(the exports are tests/integration/test_export.py's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from tests.integration.staff import Accounts, bearer, new_complaint, render_page, session_login, text_of


def test_the_complaint_page_and_the_api_show_the_answers(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    answered = new_complaint(
        engine, committed, category="pohon_tumbang", attributes={"open311_attributes": {"menutup_jalan": "ya"}}
    )
    plain = new_complaint(engine, committed, category="pohon_tumbang")
    operator = accounts("operator")
    session_login(client, operator)
    page = text_of(render_page(client, f"/pengaduan/{answered}"))
    assert "Jawaban pertanyaan kategori" in page and "Apakah pohon menutup jalan?: Ya" in page
    assert "Jawaban pertanyaan kategori" not in text_of(render_page(client, f"/pengaduan/{plain}"))
    english = text_of(render_page(client, f"/pengaduan/{answered}", "?lang=en"))
    assert "Answers to the category's questions" in english
    detail = client.get(f"/api/v1/complaints/{answered}", headers=bearer(client, operator)).get_json()
    assert detail["answers"] == {"menutup_jalan": "ya"}
