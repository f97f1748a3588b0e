"""Every setting is documented in the README, and read from the environment."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def env_names() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.append(alias.choices[0] if alias is not None else f"PANTAU_{name.upper()}")  # type: ignore[union-attr]
    return names


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.M))
    missing = [name for name in env_names() if name not in documented]
    assert not missing, f"settings missing from the README's settings table: {missing}"


def test_readme_documents_no_setting_that_does_not_exist() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.M))
    assert documented <= set(env_names()) | {"PANTAU_TEST_DATABASE_URL"}


def test_settings_come_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("PANTAU_MAX_PHOTO_MB", "3.5")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    settings = Settings()
    assert settings.port == 9123
    assert settings.max_photo_mb == 3.5
    assert settings.database_url == "postgresql://u@h/db"


def test_a_rate_that_is_not_a_rate_is_refused_at_start_up(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PANTAU_API_KEY_RATE", "600/minute")
    assert Settings().api_key_rate == "600/minute"
    monkeypatch.setenv("PANTAU_API_KEY_RATE", "banyak sekali")
    with pytest.raises(ValidationError, match="api_key_rate"):
        Settings()
