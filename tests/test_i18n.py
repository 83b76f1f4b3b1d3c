"""The message catalogues are current: every string in the code is in the .po files, translated into
Japanese, and the committed .mo files are compiled from them."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require_tool

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "itaku"


def msgids(po: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (singular entries; the header excluded)."""
    entries = {}
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if match:
            key = "".join(re.findall(r'"(.*)"', match.group(1)))
            if key:
                entries[key] = "".join(re.findall(r'"(.*)"', match.group(2)))
    return entries


def test_catalogues_are_current(tmp_path) -> None:
    require_tool("xgettext", "makemessages needs GNU gettext")
    copy = tmp_path / "itaku"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.ttf", "__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "itaku.cli", "makemessages", "-l", "ja", "-l", "en", "--no-obsolete", "--no-location"],
        cwd=copy, check=True, capture_output=True,
    )
    for lang in ("ja", "en"):
        fresh = msgids(copy / "locale" / lang / "LC_MESSAGES" / "django.po")
        committed = msgids(PACKAGE / "locale" / lang / "LC_MESSAGES" / "django.po")
        assert sorted(set(fresh) - set(committed)) == [], f"{lang}: run `make messages` and translate"
        assert sorted(set(committed) - set(fresh)) == [], f"{lang}: obsolete messages; run `make messages`"


def test_japanese_is_complete_and_not_fuzzy() -> None:
    po = PACKAGE / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")
    untranslated = [key for key, value in msgids(po).items() if not value]
    assert untranslated == []


def test_compiled_catalogues_match(tmp_path) -> None:
    msgfmt = require_tool("msgfmt", "compiling catalogues needs GNU gettext")
    for lang in ("ja", "en"):
        folder = PACKAGE / "locale" / lang / "LC_MESSAGES"
        compiled = tmp_path / f"{lang}.mo"
        subprocess.run([msgfmt, "--check-format", "-o", str(compiled), str(folder / "django.po")], check=True)
        with compiled.open("rb") as fresh, (folder / "django.mo").open("rb") as committed:
            assert gettext.GNUTranslations(fresh)._catalog == gettext.GNUTranslations(committed)._catalog, lang
