"""A verified access token is remembered: its signature is not checked again, its expiry is."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from easytune.core.errors import AuthenticationFailed
from easytune.core.tokens import TokenClaims, decode_token, encode_token, new_id
from easytune.db.base import utcnow
from easytune.settings import Settings
from easytune.testing.fixtures import platform_settings_for


def _token(tmp_path: Path, seconds: float) -> tuple[Settings, str]:
    settings = platform_settings_for("sqlite://", tmp_path)
    now = utcnow()
    claims = TokenClaims(7, new_id(), new_id(), 1, now + timedelta(seconds=seconds))
    return settings, encode_token(settings, "access", claims, now)


def test_a_remembered_token_still_expires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, token = _token(tmp_path, 60)
    first = decode_token(settings, token, "access")
    assert decode_token(settings, token, "access") is first
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)  # the module tokens reads the clock from
    with pytest.raises(AuthenticationFailed, match="expired"):
        decode_token(settings, token, "access")


def test_the_memo_is_per_secret_and_kind(tmp_path: Path) -> None:
    settings, token = _token(tmp_path, 60)
    decode_token(settings, token, "access")
    with pytest.raises(AuthenticationFailed, match="refresh token is required"):
        decode_token(settings, token, "refresh")
    key = "Zq8wN3vR7tY2pL5kD9mX4cB6hF1gJ0sA"
    other = platform_settings_for("sqlite://", tmp_path, secret_key=key)
    with pytest.raises(AuthenticationFailed, match="invalid token"):
        decode_token(other, token, "access")
