"""Masking personal data in exported texts.

A text is masked where any of three readings finds personal data, so that one reading's miss is another's catch:

- the reader's personal-data detection run now (`ombud.understand.personal_data`: personnummer, fødselsnummer,
  CPR, phones, e-mail, IBAN, cards), in the voice's language;
- the spans stored when the voice was read (``VoiceAnalysis.details["personal_data"]``), which may come from
  another version of the detection;
- the customer's own name and identities as ombud knows them: each part of the name as a whole word, in any
  case ("Mvh Kari Haugland" → "Mvh [name] [name]"), and each e-mail, phone or customer number written as stored.

Each span becomes ``[kind]`` (``[phone]``, ``[personnummer]``, ``[name]``, …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ombud.understand.personal_data import PersonalData, find_personal_data, redact

# Every kind the detection finds has a digit or an @ in it: a text without either needs no detection run.
_MAY_HOLD_NUMBERS = re.compile(r"[0-9@]")
_NAME_PARTS = re.compile(r"[\s,]+")
_SHORTEST_NAME_PART = 2


@dataclass
class Person:
    """What ombud knows that names one customer: their name and identities (kind, value)."""

    name: str | None
    identities: Sequence[tuple[str, str]] = ()
    # (lower-case word, kind), longest first, so that a whole address wins over a part of it.
    _words: list[tuple[str, str]] | None = field(default=None, init=False, repr=False)

    def spans(self, text: str) -> list[PersonalData]:
        """Where the customer's name parts and identities stand in ``text`` as whole words, in any case."""
        words = self._known()
        if not words:
            return []
        lowered = text.lower()
        if len(lowered) != len(text):  # a letter whose lower case is longer (İ): offsets would shift
            return self._spans_by_pattern(text, words)
        found = []
        for word, kind in words:
            start = lowered.find(word)
            while start != -1:
                end = start + len(word)
                if (start == 0 or not _word_character(lowered[start - 1])) and (
                    end == len(lowered) or not _word_character(lowered[end])
                ):
                    found.append(PersonalData(kind, start, end, text[start:end], 1.0, "known"))
                start = lowered.find(word, start + 1)
        return found

    def _known(self) -> list[tuple[str, str]]:
        if self._words is None:
            kinds: dict[str, str] = {}
            for kind, value in self.identities:
                if value and len(value.strip()) >= _SHORTEST_NAME_PART:
                    kinds[value.strip().lower()] = kind
            for part in _name_parts(self.name):
                kinds.setdefault(part.lower(), "name")
            self._words = sorted(kinds.items(), key=lambda item: -len(item[0]))
        return self._words

    @staticmethod
    def _spans_by_pattern(text: str, words: list[tuple[str, str]]) -> list[PersonalData]:
        kinds = dict(words)
        alternatives = "|".join(re.escape(word) for word, _ in words)
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        return [
            PersonalData(kinds.get(match.group().lower(), "name"), match.start(), match.end(), match.group(), 1.0, "")
            for match in pattern.finditer(text)
        ]


def _word_character(character: str) -> bool:
    """What a regular expression's \\w matches: a letter, a digit or an underscore."""
    return character.isalnum() or character == "_"


def _name_parts(name: str | None) -> list[str]:
    if not name:
        return []
    parts: list[str] = []
    for word in _NAME_PARTS.split(name.strip()):
        word = word.strip(".")
        pieces = [word, *word.split("-")] if "-" in word else [word]
        parts.extend(piece for piece in pieces if len(piece) >= _SHORTEST_NAME_PART and any(c.isalpha() for c in piece))
    return parts


def stored_spans(text: str, stored: Any) -> list[PersonalData]:
    """The spans kept with a voice's reading, those that still fit its text."""
    found: list[PersonalData] = []
    if not isinstance(stored, list):
        return found
    for item in stored:
        if not isinstance(item, dict):
            continue
        kind, start, end = item.get("kind"), item.get("start"), item.get("end")
        if isinstance(kind, str) and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            found.append(PersonalData(kind, start, end, text[start:end], 1.0, "stored reading"))
    return found


def personal_spans(
    text: str | None, language: str | None, person: Person | None = None, stored: Any = None
) -> list[PersonalData]:
    """Every stretch of ``text`` that any of the three readings takes for personal data (may overlap)."""
    if not text:
        return []
    spans = find_personal_data(text, language) if _MAY_HOLD_NUMBERS.search(text) else []
    spans.extend(stored_spans(text, stored))
    if person is not None:
        spans.extend(person.spans(text))
    return spans


def masked(text: str | None, spans: Sequence[PersonalData]) -> str | None:
    if text is None:
        return None
    return redact(text, list(spans)) if spans else text


def masked_part(text: str, spans: Iterable[PersonalData], start: int, end: int) -> str:
    """``text[start:end]`` masked with the spans of the whole ``text``, a span cut by the part's edge included."""
    inside = [
        PersonalData(span.kind, max(span.start, start) - start, min(span.end, end) - start, "", 1.0, "")
        for span in spans
        if span.start < end and span.end > start
    ]
    return masked(text[start:end], inside) or ""


def kinds_of(spans: Iterable[PersonalData]) -> list[str]:
    """The distinct kinds of ``spans``, in the order they first appear in the text."""
    return list(dict.fromkeys(span.kind for span in sorted(spans, key=lambda span: span.start)))
