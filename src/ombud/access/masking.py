"""Personal data masked for the readers who may not see it (analysts).

A text is masked with the spans the reader found when it read the voice (``VoiceAnalysis.details
["personal_data"]``) joined with the spans found again now (``find_personal_data``, so a voice not read yet, or
read by an older model, leaks nothing), and with the customer's own known name and identities wherever they
stand in the text. A part of a text (a sentence) is masked with the spans that touch it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ombud.understand.personal_data import PersonalData, find_personal_data, redact

MASK = "[{kind}]"
IDENTITY_MASKS = {"email": "[email]", "phone": "[phone]", "external_id": "[customer id]"}
NAME_MASK = "[name]"


def stored_spans(details: Mapping[str, Any] | None) -> list[PersonalData]:
    """The personal data spans a reading stored, as PersonalData."""
    found = []
    for item in (details or {}).get("personal_data") or []:
        try:
            start, end, kind = int(item["start"]), int(item["end"]), str(item["kind"])
        except (KeyError, TypeError, ValueError):
            continue
        found.append(PersonalData(kind=kind, start=start, end=end, text="", confidence=1.0, evidence="stored"))
    return found


@dataclass
class Masker:
    """Masks texts; ``known`` are strings to mask wherever they stand (a customer's name, e-mail, phone)."""

    known: list[tuple[str, str]] = field(default_factory=list)  # (text, mask)

    @classmethod
    def for_customer(cls, name: str | None, identities: Iterable[tuple[str, str]]) -> Masker:
        known = [(value, IDENTITY_MASKS.get(kind, "[id]")) for kind, value in identities if value and len(value) > 2]
        if name:
            known.append((name, NAME_MASK))
            known.extend((part, NAME_MASK) for part in name.split() if len(part) > 2)
        return cls(known=sorted(known, key=lambda pair: -len(pair[0])))

    def text(
        self, text: str | None, spans: Sequence[PersonalData] = (), *, start: int = 0, language: str | None = None
    ) -> str | None:
        """``text`` masked; ``spans`` are offsets into a longer text of which ``text`` starts at ``start``."""
        if text is None:
            return None
        moved = [
            PersonalData(span.kind, max(span.start - start, 0), min(span.end - start, len(text)), "", 1.0, "")
            for span in spans
            if span.end > start and span.start < start + len(text)
        ]
        masked = redact(text, [*moved, *find_personal_data(text, language)], mask=MASK)
        for value, mask in self.known:
            masked = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", mask, masked, flags=re.IGNORECASE)
        return masked

    def identity(self, kind: str, value: str | None) -> str | None:
        return None if value is None else IDENTITY_MASKS.get(kind, "[id]")

    def name(self, value: str | None) -> str | None:
        return None if value is None else NAME_MASK
