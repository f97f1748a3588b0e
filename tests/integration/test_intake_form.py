"""/operator/baru: the live room logs a phone call, a visit, a letter or a post as a report recorded as the
operator's; anonymous keeps no identity, confidential stays off public pages; bad input is marked at its field."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Engine, text

from tests.integration.intake import complaint, track_ids
from tests.integration.staff import Accounts, dash_call, ids_in, render_page, session_login, text_of

FIELDS = ("oi-coordinates", "oi-category", "oi-description", "oi-name", "oi-contact", "oi-post-url")
CLEARED = ("oi-kelurahan", "oi-coordinates", "oi-address", "oi-category", "oi-description", "oi-name", "oi-contact")
STATES = (
    ("oi-channel", "value"), ("oi-post-url", "value"), ("oi-kelurahan", "value"), ("oi-coordinates", "value"),
    ("oi-address", "value"), ("oi-category", "value"), ("oi-description", "value"), ("oi-name", "value"),
    ("oi-contact", "value"), ("oi-flags", "value"), ("oi-lang", "data"), ("oi-photo-tokens", "data"),
)  # fmt: skip


def log_report(client: Any, answers: dict[str, Any] | None = None, **values: Any) -> dict[str, Any]:
    outputs = [
        ("oi-result", "children"),
        *((f"{f}-error", "children") for f in FIELDS),
        *((f, "value") for f in CLEARED),
        ("oi-flags", "value"),
        ("oi-post-url", "value"),
        ("oi-photo-tokens", "data"),
    ]
    given = {"oi-channel": "telepon", "oi-flags": [], "oi-lang": "id", **values}
    response = dash_call(
        client,
        {
            "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "oi-submit", "property": "n_clicks", "value": 1}],
            "state": [
                *({"id": i, "property": p, "value": given.get(i)} for i, p in STATES),
                [
                    {"id": {"type": "oi-answer", "code": c}, "property": "value", "value": v}
                    for c, v in (answers or {}).items()
                ],
                [
                    {
                        "id": {"type": "oi-answer", "code": c},
                        "property": "id",
                        "value": {"type": "oi-answer", "code": c},
                    }
                    for c in (answers or {})
                ],
            ],
            "changedPropIds": ["oi-submit.n_clicks"],
        },
    )
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]  # type: ignore[no-any-return]


def created_code(answer: dict[str, Any]) -> str:
    shown = str(answer["oi-result"]["children"])
    assert "Tersimpan dengan kode" in shown, shown
    return next(
        node["props"]["data-code"]
        for node in answer["oi-result"]["children"]["props"]["children"]
        if isinstance(node, dict) and node["props"].get("id") == "oi-created"
    )


def test_a_phone_call_becomes_a_report_recorded_as_the_operators(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    operator = accounts("operator")
    session_login(client, operator)
    page = render_page(client, "/operator/baru")
    assert "Catat laporan baru" in text_of(page) and {"oi-channel", "oi-submit"} <= ids_in(page)
    words = f"pipa bocor {secrets.token_hex(4)}"
    answer = log_report(
        client,
        **{
            "oi-coordinates": "https://www.google.com/maps/place/x/@-6.1781,106.6297,17z",
            "oi-category": "banjir_drainase",
            "oi-description": words,
            "oi-name": "Bu Ani",
            "oi-contact": "0812 3456 7001",
        },
    )
    code = created_code(answer)
    track_ids(engine, committed, code)
    assert all(answer[f]["value"] in (None, "") for f in CLEARED)  # ready for the next call
    with engine.connect() as conn:
        row = complaint(conn, code)
        actor = conn.execute(
            text("SELECT actor_role, actor_id FROM complaint_event WHERE complaint_id = :i AND kind = 'created'"),
            {"i": row["id"]},
        ).one()
    assert (row["channel"], row["description"], row["reporter_name"]) == ("call_centre", words, "Bu Ani")
    assert row["kelurahan_code"] is not None and row["attributes"]["entered_by"] == operator.username
    assert tuple(actor) == ("operator", operator.id)


def test_anonymous_keeps_no_identity_and_confidential_stays_off_public_pages(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from app import server
    from layouts.lacak import tracked

    session_login(client, accounts("operator"))
    words = f"pungli di loket {secrets.token_hex(4)}"
    common = {"oi-kelurahan": "3671011001", "oi-category": "ketertiban_umum", "oi-name": "Pak Budi"}
    anonymous = created_code(
        log_report(client, **common, **{"oi-description": words, "oi-contact": "0812", "oi-flags": ["anonymous"]})
    )
    confidential = created_code(
        log_report(client, **common, **{"oi-description": words + " (rahasia)", "oi-flags": ["confidential"]})
    )
    track_ids(engine, committed, anonymous, confidential)
    with engine.connect() as conn:
        first, second = complaint(conn, anonymous), complaint(conn, confidential)
    assert (first["anonymous"], first["reporter_name"], first["reporter_contact"]) == (True, None, None)
    assert second["confidential"] and second["reporter_name"] == "Pak Budi"
    with server.test_request_context(f"/lacak/{confidential}"):
        public = str(tracked(confidential, lang="id"))
    assert words not in public and "Pak Budi" not in public


def test_what_is_missing_or_unreadable_is_marked_at_its_field_and_nothing_is_stored(
    client: Any, engine: Engine, accounts: Accounts
) -> None:
    session_login(client, accounts("operator"))
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM complaint")).scalar()
    answer = log_report(client, **{"oi-coordinates": "dekat pasar", "oi-post-url": "x.com/abc"})
    marked = {f: str(answer[f"{f}-error"]["children"]) for f in FIELDS}
    assert "Koordinat tidak terbaca" in marked["oi-coordinates"] and "Pilih kategori" in marked["oi-category"]
    assert "Tulis uraian" in marked["oi-description"] and "http" in marked["oi-post-url"]
    assert not any(f in answer for f in CLEARED)  # what was typed stays to be fixed
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint")).scalar() == before


def test_only_the_live_room_opens_the_form(client: Any, accounts: Accounts) -> None:
    session_login(client, accounts("leader"))
    assert "guard-forbidden" in ids_in(render_page(client, "/operator/baru"))
    answer = log_report(client, **{"oi-category": "sampah", "oi-description": "x"})
    assert "Tersimpan" not in str(answer["oi-result"]["children"])


def test_a_letter_scanned_as_pdf_is_kept_with_the_operators_report(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    import base64
    import io

    from pypdf import PdfWriter

    operator = accounts("operator")
    session_login(client, operator)
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    letter = io.BytesIO()
    writer.write(letter)
    chosen = "data:application/pdf;base64," + base64.b64encode(letter.getvalue()).decode()
    staged = dash_call(
        client,
        {
            "output": "..oi-photo-tokens.data...oi-upload-msg.children...oi-upload.contents...oi-photo-thumbs.data..",
            "outputs": [
                {"id": "oi-photo-tokens", "property": "data"},
                {"id": "oi-upload-msg", "property": "children"},
                {"id": "oi-upload", "property": "contents"},
                {"id": "oi-photo-thumbs", "property": "data"},
            ],
            "inputs": [{"id": "oi-pending", "property": "data", "value": {"name": "surat.pdf", "contents": chosen}}],
            "state": [
                {"id": "oi-photo-tokens", "property": "data", "value": []},
                {"id": "oi-photo-thumbs", "property": "data", "value": {}},
                {"id": "oi-ctx", "property": "data", "value": {"lang": "id", "max_bytes": 15 * 1048576}},
            ],
            "changedPropIds": ["oi-pending.data"],
        },
    ).get_json()["response"]
    tokens = staged["oi-photo-tokens"]["data"]
    assert [t["kind"] for t in tokens] == ["document"]
    assert "Dokumen surat.pdf siap" in str(staged["oi-upload-msg"]["children"])
    words = f"surat keberatan {secrets.token_hex(4)}"
    answer = log_report(
        client,
        **{
            "oi-channel": "surat", "oi-kelurahan": "3671011001", "oi-category": "ketertiban_umum",
            "oi-description": words, "oi-photo-tokens": tokens,
        },
    )  # fmt: skip
    code = created_code(answer)
    track_ids(engine, committed, code)
    assert answer["oi-photo-tokens"]["data"] == []  # the form is clear for the next call
    with engine.connect() as conn:
        kept = conn.execute(
            text(
                "SELECT d.page_count, d.uploader_role, d.uploader_id FROM document d "
                "JOIN complaint c ON c.id = d.complaint_id WHERE c.tracking_code = :c"
            ),
            {"c": code},
        ).all()
    assert [tuple(k) for k in kept] == [(1, "operator", operator.id)]


def test_the_categorys_question_is_asked_and_a_required_one_must_be_answered(
    client: Any, engine: Engine, committed: list[int], accounts: Accounts
) -> None:
    from callbacks.intake import ask

    session_login(client, accounts("operator"))
    asked = str(ask("pohon_tumbang", "id"))
    assert "Apakah pohon menutup jalan?" in asked and "oi-answer" in asked
    common = {"oi-kelurahan": "3671011001", "oi-category": "pohon_tumbang"}
    words = f"pohon tumbang {secrets.token_hex(4)}"
    refused = log_report(client, **common, **{"oi-description": words})
    assert "menutup" in str(refused["oi-category-error"]["children"])  # said under the category; nothing stored
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaint WHERE description = :d"), {"d": words}).scalar() == 0
    answer = log_report(client, answers={"menutup_jalan": "ya"}, **common, **{"oi-description": words})
    code = created_code(answer)
    track_ids(engine, committed, code)
    with engine.connect() as conn:
        assert complaint(conn, code)["attributes"]["open311_attributes"] == {"menutup_jalan": "ya"}
