"""The one translation table covers both languages and every key the code asks for."""

import re
from pathlib import Path

import pytest

from i18n import LANGS, MESSAGES, t

ROOT = Path(__file__).resolve().parents[2]
CODE = [
    p
    for d in ("layouts", "callbacks", "api", "geo", "db", "photos", "notify", "services")
    for p in (ROOT / d).rglob("*.py")
]
CODE += [ROOT / "app.py", ROOT / "cli.py"]


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


# Keys built at run time (``t(f"status.{s}")``): each family is named here with the values it can take,
# taken from where the code defines them, so a new status, action, channel or event without its words
# fails here. A family the code starts using that is not named below fails too: say what it ranges over.
def _families() -> dict[str, tuple[str, ...] | None]:
    from db.filters import PERIODS
    from db.models import CHANNELS, EVENT_KINDS, MESSAGE_CHANNELS
    from db.outbox import KIND_OF_ACTION
    from db.status import ACTIONS, Colour, Status
    from notify.messages import STAFF_KINDS

    statuses = tuple(s.value for s in Status)
    colours = tuple(c.value for c in Colour)
    outbox_kinds = (*{k for k in KIND_OF_ACTION.values() if k}, "received", "reply")
    return {
        "status.": statuses,
        "lacak.meaning.": statuses,
        "colour.": colours,
        "export.colour_": colours,
        "action.": tuple(ACTIONS),
        "channel.": CHANNELS,
        "event.": tuple(k for k in EVENT_KINDS if k not in ("photo_added", "remote")),  # told by kind and state
        "outbox.kind.": tuple(k for k in outbox_kinds if k not in STAFF_KINDS),
        "outbox.channel.": MESSAGE_CHANNELS,
        "outbox.status.": ("queued", "sending", "failed", "sent", "dead", "off"),
        "leaders.period_": PERIODS,
        # Families whose values are a literal list beside the one call that builds them (checked by the
        # page tests that render every value); named here so a new family is a decision, not an accident.
        "time.": None,
        "leaders.kpi_": None,
        "stats.kpi_": None,
        "live.level_": None,
        "leaders.": None,
        "leaders.table_": None,
        "lacak.step.": None,
        "lacak.rate_error.": None,
        "lacak.dispute_error.": None,
        "intake.": None,
        "intake.field.": None,
        "intake.coordinates_": None,
        "intake.channel_": None,
        "export.col_": None,
        "chase.": None,
        "chase.stage_": None,
        "template.col_": None,
        "template.refused_": None,
        "outbox.resend_": None,
    }


DYNAMIC = re.compile(r"""\bt\(\s*f["']([a-z0-9_.]*)\{""")


def test_every_key_built_at_run_time_exists_for_every_value() -> None:
    families = _families()
    used: set[str] = set()
    for path in CODE:
        used |= set(DYNAMIC.findall(path.read_text()))
    unnamed = sorted(used - set(families))
    assert not unnamed, f"keys built from {unnamed} at run time: name the values they range over in _families()"
    missing = sorted(
        f"{prefix}{value}"
        for prefix, values in families.items()
        if prefix in used and values is not None
        for value in values
        if f"{prefix}{value}" not in MESSAGES
    )
    assert not missing, f"keys the code can build but i18n.MESSAGES lacks: {missing}"
    for prefix in used:
        assert any(key.startswith(prefix) for key in MESSAGES), f"no message starts with {prefix!r}"
