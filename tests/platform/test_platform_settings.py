"""Settings: defaults work with no configuration, bad values name the variable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from easytune.settings import Settings, SettingsError, load_settings

GOOD_KEY = "k3y-" + "aZ09bY18cX27dW36eV45fU54gT63hS72"


def test_defaults_need_no_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.data_dir == Path("data")
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'easytune.db'}"
    assert settings.is_sqlite and settings.executor == "local" and settings.port == 8000
    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.secret() == key_file.read_text().strip()
    assert load_settings().secret() == settings.secret(), "the key is kept, not regenerated"


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EASYTUNE_PORT", "9001")
    monkeypatch.setenv("EASYTUNE_EXECUTOR", "celery")
    monkeypatch.setenv("EASYTUNE_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("EASYTUNE_DATABASE_URL", "postgresql://u@db:5432/easytune")
    settings = load_settings(data_dir=tmp_path)
    assert (settings.port, settings.executor) == (9001, "celery")
    assert settings.database_url == "postgresql+psycopg://u@db:5432/easytune"
    assert settings.secret() == GOOD_KEY and not (tmp_path / "secret_key").exists()


def test_every_bad_variable_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EASYTUNE_PORT", "70000")
    monkeypatch.setenv("EASYTUNE_EXECUTOR", "kubernetes")
    monkeypatch.setenv("EASYTUNE_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError) as caught:
        load_settings(secret_key=GOOD_KEY)
    message = str(caught.value)
    for name in ("EASYTUNE_PORT", "EASYTUNE_EXECUTOR", "EASYTUNE_DATABASE_URL"):
        assert name in message
    assert "'local' or 'celery'" in message and "postgresql://" in message


@pytest.mark.parametrize(
    "key", ["short-key", "changethis-changethis-changethis-x", "a" * 64, "0123456789" * 4]
)
def test_insecure_secret_keys_are_refused(key: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="EASYTUNE_SECRET_KEY"):
        load_settings(secret_key=key, data_dir=tmp_path)


def test_secret_value_is_never_echoed(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(secret_key="tooshort-but-private", data_dir=tmp_path)
    assert "tooshort-but-private" not in str(caught.value)


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    load_settings(data_dir=tmp_path)
    (tmp_path / "secret_key").chmod(0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        load_settings(data_dir=tmp_path)


def test_settings_are_immutable() -> None:
    settings = Settings(secret_key=GOOD_KEY)
    with pytest.raises(ValueError):
        settings.port = 1  # type: ignore[misc]
