"""locale: the words of ombud's pages (and of the HTML report) in sv, nb, nn, da and en, and dates and numbers
written the way each language writes them (Babel).

The catalogues are JSON files in ``catalogues/``, one per language, each with the same keys (a test checks
it); ``{name}`` in a text is filled in by :func:`translate`. A key a catalogue lacks falls back to English,
then to the key itself, so a missing word shows instead of breaking a page.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("sv", "nb", "nn", "da", "en")
DEFAULT_LANGUAGE = "en"
CATALOGUES = Path(__file__).parent / "catalogues"
# Names browsers send that mean one of ours: plain Norwegian is Bokmål.
_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "swe": "sv", "dan": "da", "eng": "en"}


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every UI text of one language, by key."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: ombud's pages are in {', '.join(LANGUAGES)}")
    loaded: dict[str, str] = json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))
    return loaded


def translate(language: str, key: str, **values: Any) -> str:
    text = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def known_language(value: str | None) -> str | None:
    """One of ours from a tag such as ``nb-NO``, ``no`` or ``sv_SE``; None for any other."""
    if not value:
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in LANGUAGES else None


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an ``Accept-Language`` header, by its q-values; None when none fits."""
    if not accept_language:
        return None
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        if parameters.strip().startswith("q="):
            try:
                quality = float(parameters.strip()[2:])
            except ValueError:
                quality = 0.0
        language = known_language(tag)
        if language is not None and quality > 0:
            choices.append((-quality, index, language))
    return min(choices)[2] if choices else None


class Translator:
    """The texts, dates and numbers of one language, for one page (callable: ``t("key", name=value)``)."""

    def __init__(self, language: str, timezone: str = "Europe/Stockholm") -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.zone = ZoneInfo(timezone)

    def __call__(self, key: str, **values: Any) -> str:
        return translate(self.language, key, **values)

    def label(self, group: str, value: str | None) -> str:
        """The word for a value of a vocabulary (``channel``, ``act``, …); the value itself when there is none."""
        if value is None:
            return "—"
        key = f"{group}.{value}"
        return catalogue(self.language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or value

    def datetime(self, value: datetime | None, length: str = "short") -> str:
        if value is None:
            return "—"
        return babel_datetime(value, format=length, tzinfo=self.zone, locale=self.language)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    def percent(self, value: float | None) -> str:
        return "—" if value is None else format_percent(value, locale=self.language)
