"""Personal data masked wherever a reader may not see it — the one masker of ombud: for analysts in the pages and
the API, in exports without personal data, and in what the dashboard and the report quote.

A text is masked where any of three readings finds personal data, so that one reading's miss is another's catch:

- the spans stored when the voice was read (``VoiceAnalysis.details["personal_data"]``), which may come from
  another version of the detection (:func:`stored_spans`);
- the detection run now (``ombud.understand.personal_data``: personnummer, fødselsnummer, CPR, phones, e-mail,
  IBAN, cards), in the text's language, so a voice not read yet leaks nothing;
- the customer's own name and identities as ombud knows them (:class:`Person`): each part of the name, and each
  e-mail, phone or customer number as stored, as a whole word in any case ("Mvh Kari Haugland" → "Mvh [name]
  [name]").

Each span becomes ``[kind]``: ``[personnummer]``, ``[fodselsnummer]``, ``[cpr]``, ``[phone]``, ``[email]``,
``[iban]``, ``[card]``, ``[name]``, and for a customer's identities their kind (capture's ``IDENTITY_KINDS``:
``[email]``, ``[phone]``, ``[external]``). Overlapping spans are masked as their union, so nothing leaks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.store.models import Customer, CustomerIdentity, Wish
from ombud.understand.personal_data import PersonalData, find_personal_data, redact

NAME = "name"
# Every kind the detection finds has a digit or an @ in it: a text without either needs no detection run.
_MAY_HOLD_NUMBERS = re.compile(r"[0-9@]")
_NAME_PARTS = re.compile(r"[\s,]+")
_SHORTEST_PART = 2
_CHUNK = 900  # ids per IN (…) list: below SQLite's oldest limit of 999 bound parameters


def mask_of(kind: str) -> str:
    """What stands in a masked text for personal data of ``kind``: ``[email]``, ``[name]``, ``[external]``, …"""
    return f"[{kind}]"


@dataclass
class Person:
    """What ombud knows that names one customer: their name and identities ``(kind, value)``."""

    name: str | None
    identities: Sequence[tuple[str, str]] = ()
    # (lower-case word, kind), longest first, so that a whole address wins over a part of it.
    _words: list[tuple[str, str]] | None = field(default=None, init=False, repr=False)

    def spans(self, text: str) -> list[PersonalData]:
        """Where the customer's name parts and identities stand in ``text`` as whole words, in any case."""
        words = self.known_words()
        if not words or not text:
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

    def known_words(self) -> list[tuple[str, str]]:
        """The lower-case words that name this customer with their kind, longest first."""
        if self._words is None:
            kinds: dict[str, str] = {}
            for kind, value in self.identities:
                if value and len(value.strip()) >= _SHORTEST_PART:
                    kinds[value.strip().lower()] = kind
            for part in _name_parts(self.name):
                kinds.setdefault(part.lower(), NAME)
            self._words = sorted(kinds.items(), key=lambda item: -len(item[0]))
        return self._words

    @staticmethod
    def _spans_by_pattern(text: str, words: list[tuple[str, str]]) -> list[PersonalData]:
        kinds = dict(words)
        alternatives = "|".join(re.escape(word) for word, _ in words)
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        return [
            PersonalData(kinds.get(match.group().lower(), NAME), match.start(), match.end(), match.group(), 1.0, "")
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
        parts.extend(piece for piece in pieces if len(piece) >= _SHORTEST_PART and any(c.isalpha() for c in piece))
    return parts


def stored_spans(stored: Mapping[str, Any] | Sequence[Any] | None, text: str | None = None) -> list[PersonalData]:
    """The spans a reading kept: its ``details`` (with ``personal_data``) or that list itself. With ``text``, only
    those that still fit it."""
    items = stored.get("personal_data") if isinstance(stored, Mapping) else stored
    found: list[PersonalData] = []
    if not isinstance(items, list):
        return found
    for item in items:
        if not isinstance(item, Mapping):
            continue
        kind, start, end = item.get("kind"), item.get("start"), item.get("end")
        if not (isinstance(kind, str) and isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            continue
        if text is not None and end > len(text):
            continue
        found.append(PersonalData(kind, start, end, "" if text is None else text[start:end], 1.0, "stored"))
    return found


def personal_spans(
    text: str | None, language: str | None, person: Person | None = None, stored: Any = None
) -> list[PersonalData]:
    """Every stretch of ``text`` that any of the three readings takes for personal data (they may overlap);
    ``stored`` is what the reading kept (see :func:`stored_spans`)."""
    if not text:
        return []
    spans = find_personal_data(text, language) if _MAY_HOLD_NUMBERS.search(text) else []
    spans.extend(stored_spans(stored, text))
    if person is not None:
        spans.extend(person.spans(text))
    return spans


def masked(text: str | None, spans: Sequence[PersonalData]) -> str | None:
    if text is None:
        return None
    return redact(text, list(spans)) if spans else text


def masked_part(text: str, spans: Iterable[PersonalData], start: int, end: int) -> str:
    """``text[start:end]`` masked with the spans of the whole ``text``, a span cut by the part's edge included."""
    return masked(text[start:end], _within(spans, start, end)) or ""


def _within(spans: Iterable[PersonalData], start: int, end: int) -> list[PersonalData]:
    return [
        PersonalData(span.kind, max(span.start, start) - start, min(span.end, end) - start, "", 1.0, "")
        for span in spans
        if span.start < end and span.end > start
    ]


def kinds_of(spans: Iterable[PersonalData]) -> list[str]:
    """The distinct kinds of ``spans``, in the order they first appear in the text."""
    return list(dict.fromkeys(span.kind for span in sorted(spans, key=lambda span: span.start)))


@dataclass
class Masker:
    """Masks what a reader may not see of the customers it knows (``Masker()``: of nobody in particular, still
    every stored span and all personal data found now)."""

    people: Sequence[Person] = ()
    # Of many people (a wish theme's customers): every word that names one of them, looked up once per place in
    # the text instead of searched for once per person.
    _words: dict[str, str] | None = field(default=None, init=False, repr=False)
    _longest: int = field(default=0, init=False, repr=False)

    @classmethod
    def for_customer(cls, name: str | None, identities: Iterable[tuple[str, str]]) -> Masker:
        return cls([Person(name, [(kind, value) for kind, value in identities if value])])

    def text(
        self, text: str | None, spans: Sequence[PersonalData] = (), *, start: int = 0, language: str | None = None
    ) -> str | None:
        """``text`` masked: ``spans`` (stored ones) are offsets into a longer text of which ``text`` starts at
        ``start``; personal data found now and the customer's own name and identities are masked too."""
        if text is None:
            return None
        found = _within(spans, start, start + len(text)) + personal_spans(text, language)
        found.extend(self._people_spans(text))
        return masked(text, found)

    def _people_spans(self, text: str) -> list[PersonalData]:
        lowered = text.lower()
        if len(self.people) < 2 or len(lowered) != len(text):
            return [span for person in self.people for span in person.spans(text)]
        words = self._people_words()
        # A known word counts where it stands as a whole word: it starts after a non-word character (or the
        # text's start) and ends before one (or the text's end), as Person.spans finds it.
        ends = [end for end in range(1, len(lowered) + 1) if end == len(lowered) or not _word_character(lowered[end])]
        found = []
        for begin in range(len(lowered)):
            if begin and _word_character(lowered[begin - 1]):
                continue
            for end in ends[bisect_right(ends, begin) : bisect_right(ends, begin + self._longest)]:
                kind = words.get(lowered[begin:end])
                if kind is not None:
                    found.append(PersonalData(kind, begin, end, text[begin:end], 1.0, "known"))
        return found

    def _people_words(self) -> dict[str, str]:
        if self._words is None:
            identities: dict[str, str] = {}
            names: dict[str, str] = {}
            for person in self.people:
                for kind, value in person.identities:
                    if value and len(value.strip()) >= _SHORTEST_PART:
                        identities.setdefault(value.strip().lower(), kind)
                for part in _name_parts(person.name):
                    names.setdefault(part.lower(), NAME)
            self._words = names | identities  # an identity wins over a name part spelt the same
            self._longest = max(map(len, self._words), default=0)
        return self._words

    def identity(self, kind: str, value: str | None) -> str | None:
        """An identity shown as its kind alone: ``[email]``, ``[phone]``, ``[external]``."""
        return None if value is None else mask_of(kind)

    def name(self, value: str | None) -> str | None:
        return None if value is None else mask_of(NAME)


def customer_identities(session: Session, customer_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """Each customer's identities ``(kind, value)``, in the order they were stored (a few queries however many)."""
    found: dict[int, list[tuple[str, str]]] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), _CHUNK):
        for customer_id, kind, value in session.execute(
            select(CustomerIdentity.customer_id, CustomerIdentity.kind, CustomerIdentity.value)
            .where(CustomerIdentity.customer_id.in_(ids[start : start + _CHUNK]))
            .order_by(CustomerIdentity.id)
        ):
            found.setdefault(customer_id, []).append((kind, value))
    return found


def customer_people(session: Session, customer_ids: Iterable[int]) -> dict[int, Person]:
    """What names each of these customers: their name and identities."""
    ids = sorted(set(customer_ids))
    identities = customer_identities(session, ids)
    people: dict[int, Person] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for customer_id, name in session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(chunk))):
            people[customer_id] = Person(name, identities.get(customer_id, []))
    return people


def customer_maskers(session: Session, customer_ids: Iterable[int]) -> dict[int, Masker]:
    """A masker for each of these customers: their name and identities, wherever they stand in a text."""
    return {customer_id: Masker([person]) for customer_id, person in customer_people(session, customer_ids).items()}


def theme_maskers(session: Session, theme_ids: Iterable[int]) -> dict[int, Masker]:
    """A masker for each wish theme's title (a customer's words): every customer of the theme, by name and
    identities, besides the personal data any text is masked for."""
    wanted = sorted(set(theme_ids))
    customers: dict[int, set[int]] = {theme_id: set() for theme_id in wanted}
    for start in range(0, len(wanted), _CHUNK):
        for theme_id, customer_id in session.execute(
            select(Wish.theme_id, Wish.customer_id).distinct().where(Wish.theme_id.in_(wanted[start : start + _CHUNK]))
        ):
            customers[theme_id].add(customer_id)
    people = customer_people(session, {customer for ids in customers.values() for customer in ids})
    return {
        theme_id: Masker([people[customer] for customer in sorted(ids) if customer in people])
        for theme_id, ids in customers.items()
    }
