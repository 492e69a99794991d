"""Promises about the project itself: settings documented, importers registered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ombud.capture import ImportOptions
from ombud.capture.registry import importer_for, importers
from ombud.errors import UnknownFormatError
from ombud.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"OMBUD_{name.upper()}" not in readme]
    assert missing == []


def test_every_setting_has_help() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_cli_reference_in_readme_is_current() -> None:
    """README's CLI reference is generated from the CLI (scripts/cli_reference.py)."""
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    generated = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cli_reference.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    section = re.search(r"<!-- cli-reference -->\n(.*?)<!-- /cli-reference -->", readme, re.S)
    assert section, "README lacks the cli-reference markers"
    assert section.group(1) == generated, "run: python scripts/cli_reference.py --write"


def test_our_importers_are_registered_like_any_other() -> None:
    assert {"csv", "jsonl", "eml", "mbox"} <= set(importers())


def test_format_by_suffix_then_by_content(tmp_path: Path) -> None:
    assert importer_for(tmp_path / "a.CSV").name == "csv"
    mystery = tmp_path / "export.dat"
    mystery.write_text('{"text": "hej"}\n', encoding="utf-8")
    assert importer_for(mystery).name == "jsonl"
    mail = tmp_path / "message"
    mail.write_text("From: a@example.com\nSubject: x\n\nhej\n", encoding="utf-8")
    assert importer_for(mail).name == "eml"
    unknown = tmp_path / "blob.bin"
    unknown.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(UnknownFormatError, match="--format"):
        importer_for(unknown)


def test_a_third_party_importer_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ombud.capture import registry

    class Shouting:
        name = "shout"
        suffixes = (".shout",)

    found = {**registry.importers(), "shout": Shouting}
    monkeypatch.setattr(registry, "importers", lambda: found)
    assert importer_for(tmp_path / "x.shout") is Shouting
    assert importer_for(tmp_path / "x.csv", "shout") is Shouting


def test_options_follow_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from ombud.settings import get_settings

    monkeypatch.setenv("OMBUD_PHONE_COUNTRY", "no")
    monkeypatch.setenv("OMBUD_MAX_TEXT_CHARS", "50")
    get_settings.cache_clear()
    try:
        options = ImportOptions.from_settings(channel="chat")
        assert (options.phone_country, options.max_text_chars, options.channel) == ("NO", 50, "chat")
    finally:
        get_settings.cache_clear()
