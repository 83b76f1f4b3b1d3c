"""Strict parsing of the environment, and the secrets itaku keeps under var/.

Framework-free so that settings, the CLI and the vault's key loader share one reading of the rules.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """A setting in the environment cannot be used; says which and why."""


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean; anything but a known spelling is an error, not a silent False."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    """Read an integer or fail loudly."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, ignoring blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def secret_from_env_or_file(env_name: str, path: Path, nbytes: int) -> str:
    """Return the secret from the environment, else from `path`, creating it (mode 0600) on first start.

    The value is never printed or logged; the file is created with O_EXCL so two processes starting
    at once cannot write two different secrets.
    """
    given = os.environ.get(env_name)
    if given:
        return given.strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
        if not value:
            raise ConfigError(f"{path}: the secret file is empty; remove it to generate a new one") from None
        return value
    value = secrets.token_urlsafe(nbytes)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
