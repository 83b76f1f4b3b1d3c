"""Test set-up shared by every test module."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path) -> None:
    """Uploaded files go to a temporary folder; {% static %} resolves without a collected manifest;
    a fast password hasher, since the suite logs people in by the hundred."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def require_tool(path_or_name: str, why: str) -> str:
    """Skip when a system tool is missing, except in CI (ITAKU_REQUIRE_TOOLS=1), where that is a failure."""
    found = shutil.which(path_or_name)
    if found:
        return found
    message = f"{path_or_name} is not installed ({why})"
    if os.environ.get("ITAKU_REQUIRE_TOOLS") == "1":
        pytest.fail(message + "; CI requires it")
    pytest.skip(message)
