"""Configuration: strict parsing of the environment and secrets generated with mode 0600."""

from __future__ import annotations

import os
import stat

import pytest

from itaku.lib import config


def test_booleans_are_strict(monkeypatch) -> None:
    monkeypatch.setenv("ITAKU_X", "yes")
    assert config.env_bool("ITAKU_X") is True
    monkeypatch.setenv("ITAKU_X", "0")
    assert config.env_bool("ITAKU_X", True) is False
    monkeypatch.setenv("ITAKU_X", "maybe")
    with pytest.raises(config.ConfigError, match="ITAKU_X"):
        config.env_bool("ITAKU_X")


def test_integers_are_strict(monkeypatch) -> None:
    monkeypatch.setenv("ITAKU_N", "12")
    assert config.env_int("ITAKU_N", 1) == 12
    monkeypatch.setenv("ITAKU_N", "twelve")
    with pytest.raises(config.ConfigError):
        config.env_int("ITAKU_N", 1)


def test_secret_is_generated_once_with_mode_0600(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ITAKU_TEST_SECRET", raising=False)
    path = tmp_path / "var" / "secret"
    first = config.secret_from_env_or_file("ITAKU_TEST_SECRET", path, 32)
    assert len(first) >= 40
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert config.secret_from_env_or_file("ITAKU_TEST_SECRET", path, 32) == first
    monkeypatch.setenv("ITAKU_TEST_SECRET", "from-env")
    assert config.secret_from_env_or_file("ITAKU_TEST_SECRET", path, 32) == "from-env"


def test_empty_secret_file_is_an_error(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ITAKU_TEST_SECRET", raising=False)
    path = tmp_path / "secret"
    path.write_text("")
    with pytest.raises(config.ConfigError):
        config.secret_from_env_or_file("ITAKU_TEST_SECRET", path, 32)


def test_debug_is_off_by_default(settings) -> None:
    assert "ITAKU_DEBUG" in os.environ or settings.DEBUG is False
