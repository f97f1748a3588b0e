"""The one translation table covers both languages and every key the code asks for."""

import re
from pathlib import Path

import pytest

from i18n import LANGS, MESSAGES, t

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for d in ("layouts", "callbacks", "api", "geo", "db", "photos", "notify") for p in (ROOT / d).rglob("*.py")]
CODE += [ROOT / "app.py"]


def test_every_message_has_every_language() -> None:
    missing = [key for key, entry in MESSAGES.items() for lang in LANGS if not entry.get(lang)]
    assert not missing


def test_every_key_used_in_the_code_exists() -> None:
    used = set()
    for path in CODE:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", path.read_text()))
    unknown = sorted(used - set(MESSAGES))
    assert not unknown, f"keys used but not in i18n.MESSAGES: {unknown}"


def test_placeholders_agree_between_languages() -> None:
    for key, entry in MESSAGES.items():
        fields = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in entry.items()}
        assert fields["id"] == fields["en"], key


def test_lookup_in_each_language() -> None:
    assert t("status.selesai", "id") == "Selesai"
    assert t("status.selesai", "en") == "Finished"
    assert t("time.minutes_ago", "id", n=5) == "5 menit lalu"
    with pytest.raises(KeyError):
        t("no.such.key", "id")
