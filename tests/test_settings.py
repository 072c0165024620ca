"""Settings come from typed environment helpers; the defaults are the safe ones."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from hikeshi import config


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    settings = importlib.import_module("hikeshi.web.settings")
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_debug_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIKESHI_DEBUG", raising=False)
    assert config.env_bool("HIKESHI_DEBUG") is False


@pytest.mark.parametrize("value", ["maybe", "2", "ja"])
def test_a_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HIKESHI_DEBUG", value)
    with pytest.raises(config.ConfigError, match="HIKESHI_DEBUG"):
        config.env_bool("HIKESHI_DEBUG")


def test_a_bad_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIKESHI_LOGIN_FAILURE_LIMIT", "five")
    with pytest.raises(config.ConfigError, match="HIKESHI_LOGIN_FAILURE_LIMIT"):
        config.env_int("HIKESHI_LOGIN_FAILURE_LIMIT", minimum=1)
    monkeypatch.setenv("HIKESHI_LOGIN_FAILURE_LIMIT", "0")
    with pytest.raises(config.ConfigError, match="at least 1"):
        config.env_int("HIKESHI_LOGIN_FAILURE_LIMIT", minimum=1)


def test_allowed_hosts_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIKESHI_ALLOWED_HOSTS", " ir.example.jp, ,localhost ")
    assert config.env_list("HIKESHI_ALLOWED_HOSTS") == ["ir.example.jp", "localhost"]


def test_secret_key_is_generated_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HIKESHI_SECRET_KEY", raising=False)
    first = config.secret_key(tmp_path)
    assert len(first) >= 50
    assert config.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_every_setting_is_documented() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    text = "".join(p.read_text(encoding="utf-8") for p in docs.rglob("*.md"))
    undocumented = [s.name for s in config.SETTINGS if s.name not in text]
    assert not undocumented, f"document these in docs/: {undocumented}"
