"""Who is told by which channel, what the message says, and how long failed messages wait (no database needed)."""

from __future__ import annotations

from typing import Any

import pytest

from db.channels import Recipient, recipient
from db.outbox import KIND_OF_ACTION
from db.status import ACTIONS
from notify.messages import SMS_LIMIT, Links, compose, sms_plain
from notify.senders import SmtpUrlError, smtp_server
from notify.worker import backoff
from settings import Settings

LINKS = Links("http://127.0.0.1:8050", "k" * 64, "id")
CODE = "ABCD-EFGH-JKMN"
OFFICE = "Dinas Lingkungan Hidup Kota Tangerang Selatan"
LONG_REASON = (
    "Bukan kewenangan pemerintah kota; jalan ini jalan nasional, silakan hubungi balai jalan nasional setempat"
)


def complaint(**fields: Any) -> dict[str, Any]:
    return {"channel": "web", "source": None, "reporter_contact": None, "anonymous": False, "attributes": {}} | fields


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"channel": "sms", "reporter_contact": "+6281234567890"}, Recipient("sms", "+6281234567890")),
        ({"channel": "web", "reporter_contact": "0812-3456-7890"}, Recipient("sms", "+6281234567890")),
        ({"channel": "api", "reporter_contact": "warga@example.org, 081234567890"}, Recipient("email", "warga@example.org")),
        ({"channel": "social", "source": "WhatsApp", "reporter_contact": "0812 3456 7890"}, Recipient("whatsapp", "+6281234567890")),
        ({"channel": "app", "reporter_contact": "0812 3456 7890", "attributes": {"reply_via": "whatsapp"}}, Recipient("whatsapp", "+6281234567890")),
        ({"channel": "web", "reporter_contact": "Pak RT dekat masjid"}, None),
        ({"channel": "sms", "reporter_contact": "+6281234567890", "anonymous": True}, None),
        ({"channel": "web", "reporter_contact": None}, None),
    ],
)  # fmt: skip
def test_the_channel_follows_the_door_and_the_contact(fields: dict[str, Any], expected: Recipient | None) -> None:
    assert recipient(complaint(**fields)) == expected


def test_every_status_action_the_reporter_should_hear_about_has_a_message() -> None:
    assert set(KIND_OF_ACTION) == set(ACTIONS)


def row(kind: str, channel: str = "sms", lang: str = "id", confidential: bool = False, **extra: Any) -> dict[str, Any]:
    facts = extra.pop("facts", {})
    return {
        "kind": kind,
        "channel": channel,
        "lang": lang,
        "confidential": confidential,
        "tracking_code": CODE,
        "facts": facts,
        "office_opd": None,
        "office_kota": None,
        "photo_id": None,
    } | extra


EVERY_KIND = [
    row("received", facts={"status": "baru"}),
    row("received", facts={"status": "luar_wilayah"}),
    row("verified", facts={"status": "terverifikasi"}),
    row("forwarded", facts={"status": "diteruskan"}, office_opd=OFFICE),
    row("assigned", facts={"status": "ditugaskan"}),
    row("in_progress", facts={"status": "dikerjakan"}),
    row("finished", facts={"status": "selesai"}, photo_id=123456),
    row("rejected", facts={"status": "ditolak", "reason": LONG_REASON}),
    row("duplicate", facts={"status": "duplikat", "reason": "Laporan ganda di lokasi yang sama"}),
    row("reopened", facts={"status": "terverifikasi"}),
    row("reply", facts={"text": "Terima kasih, petugas akan datang besok pagi untuk memeriksa saluran di depan rumah"}),
]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("message", EVERY_KIND, ids=lambda r: f"{r['kind']}-{r['facts'].get('status')}")
def test_every_sms_fits_one_message_and_carries_the_code_and_link(message: dict[str, Any], lang: str) -> None:
    text = compose({**message, "lang": lang}, LINKS).text
    assert len(text) <= SMS_LIMIT, text
    assert CODE in text and f"http://127.0.0.1:8050/lacak/{CODE}" in text
    assert ("?lang=en" in text or "&lang=en" in text) == (lang == "en")


def test_a_long_reason_is_shortened_in_an_sms_and_kept_whole_in_an_email() -> None:
    rejected = row("rejected", facts={"status": "ditolak", "reason": LONG_REASON})
    sms = compose(rejected, LINKS).text
    assert "..." in sms and LONG_REASON not in sms and sms.endswith(f"/lacak/{CODE}")
    mail = compose({**rejected, "channel": "email"}, LINKS)
    assert f"{LONG_REASON}." in mail.text and mail.subject == f"Pantau: laporan {CODE} - Ditolak"


def test_only_the_finished_message_carries_the_reporters_own_link_and_the_photo() -> None:
    messages = {r["kind"]: compose(r, LINKS).text for r in EVERY_KIND}
    assert (
        "?k=" in messages.pop("finished")
        and "http://127.0.0.1:8050/photos/123456" in compose(EVERY_KIND[6], LINKS).text
    )
    assert not any("?k=" in t or "/photos/" in t for t in messages.values())


@pytest.mark.parametrize("message", EVERY_KIND, ids=lambda r: f"{r['kind']}-{r['facts'].get('status')}")
def test_a_confidential_report_is_told_the_code_the_status_and_the_link_only(message: dict[str, Any]) -> None:
    text = compose({**message, "confidential": True, "channel": "email"}, LINKS).text
    for revealing in (OFFICE, LONG_REASON[:20], "/photos/", "Laporan ganda", "Terima kasih"):
        assert revealing not in text
    assert CODE in text and f"/lacak/{CODE}" in text


def test_typographic_characters_do_not_turn_an_sms_into_unicode() -> None:
    assert sms_plain("“Jalan” rusak – parah… café") == '"Jalan" rusak - parah... cafe'


def test_failed_messages_wait_longer_each_time_up_to_an_hour() -> None:
    settings = Settings(notify_retry_s=30)
    assert [backoff(settings, n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(settings, 20) == 3600


def test_smtp_urls() -> None:
    plain = smtp_server("smtp://127.0.0.1:2525")
    assert (plain.host, plain.port, plain.starttls, plain.username) == ("127.0.0.1", 2525, False, None)
    secure = smtp_server("smtp+starttls://pantau%40kota:p%2Fw@mail.example.go.id")
    assert (secure.port, secure.starttls, secure.username, secure.password) == (587, True, "pantau@kota", "p/w")
    assert smtp_server("smtps://mail.example.go.id").implicit_tls
    for bad in ("http://mail.example.go.id", "smtp://", "mail.example.go.id:25"):
        with pytest.raises(SmtpUrlError):
            smtp_server(bad)


def test_staff_text_never_hands_out_another_reports_code() -> None:
    merged = row("duplicate", facts={"status": "duplikat", "reason": "sama dengan wxyz-2345-6789 dan " + CODE})
    text = compose(merged, LINKS).text
    assert "WXYZ-2345-6789" not in text.upper() and "XXXX-XXXX-XXXX dan " + CODE in text
