"""One filter for every insight function: which voices a figure is about.

Period start and end are local days in ``OMBUD_TIMEZONE`` (both included). Channel, company, industry, language
and segment narrow the voices the dashboard shows; act, emotion, topic, flag, sentiment and wish theme narrow
them further, for drill-down from a figure to the voices behind it. The company, industry and segment are the
voice's metadata keys ``company``, ``industry`` and ``segment`` (set by the import's columns or tags); the
language is the one ombud read. :meth:`InsightFilter.as_query` and :meth:`InsightFilter.from_query` turn a
filter into URL parameters and back, so that every figure on a page links to its voices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, exists, false, select
from sqlalchemy.orm import Session

from ombud.errors import InsightError
from ombud.insight.facts import EMOTION_BITS, day_number, month_number
from ombud.insight.periods import period_bounds
from ombud.labels import ACTS, FLAGS, SENTIMENTS
from ombud.loop.sla import zone_from_settings
from ombud.store.models import InsightTopic, VoiceFact, Wish, WishFact

PLACES = ("channel", "company", "industry", "language", "segment")
# The value of a place a voice does not name (a voice without a company, say); as a filter value it picks them.
NO_VALUE = "(none)"
QUERY_NAMES = {"start": "from", "end": "to"}


@dataclass(frozen=True)
class InsightFilter:
    start: date | None = None
    end: date | None = None
    channel: str | None = None
    company: str | None = None
    industry: str | None = None
    language: str | None = None
    segment: str | None = None
    act: str | None = None
    emotion: str | None = None
    topic: str | None = None
    flag: str | None = None
    sentiment: str | None = None
    wish_theme: int | None = None

    def __post_init__(self) -> None:
        for name, allowed in (
            ("act", ACTS),
            ("emotion", tuple(EMOTION_BITS)),
            ("flag", FLAGS),
            ("sentiment", SENTIMENTS),
        ):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InsightError(f"unknown {name} {value!r}: choose one of {', '.join(allowed)}")
        if self.start and self.end and self.start > self.end:
            raise InsightError(f"the period starts ({self.start}) after it ends ({self.end})")

    def narrowed(self, **changes: Any) -> InsightFilter:
        """This filter with some values replaced (``narrowed(act="wish", channel="chat")``)."""
        return replace(self, **changes)

    def within(self, period: str, key: int) -> InsightFilter:
        """This filter narrowed to one period (its days that fall inside this filter's own start and end)."""
        first, last = period_bounds(period, key)
        start = max(first, self.start) if self.start else first
        end = min(last, self.end) if self.end else last
        return replace(self, start=start, end=end)

    def as_json(self) -> dict[str, Any]:
        document = asdict(self)
        for name in ("start", "end"):
            document[name] = document[name].isoformat() if document[name] else None
        return document

    def as_query(self) -> dict[str, str]:
        """The values that are set, as URL parameters (``from``/``to`` for the period, ISO dates)."""
        query = {}
        for name, value in self.as_json().items():
            if value is not None:
                query[QUERY_NAMES.get(name, name)] = str(value)
        return query

    @classmethod
    def from_query(cls, query: Mapping[str, str | None]) -> InsightFilter:
        """A filter from URL parameters or CLI options (``from``, ``to``, ``channel``, …); empty values are
        left out, and a bad value raises InsightError naming it."""
        names = {QUERY_NAMES.get(field.name, field.name): field.name for field in fields(cls)}
        unknown = sorted(set(query) - set(names))
        if unknown:
            raise InsightError(f"unknown filter {', '.join(unknown)}: filter by {', '.join(names)}")
        values: dict[str, Any] = {}
        for outside, name in names.items():
            raw = query.get(outside)
            if raw is None or not str(raw).strip():
                continue
            text = str(raw).strip()
            if name in ("start", "end"):
                try:
                    values[name] = date.fromisoformat(text)
                except ValueError as error:
                    raise InsightError(f"{outside}={text!r} is not a date (YYYY-MM-DD)") from error
            elif name == "wish_theme":
                if not text.isdigit():
                    raise InsightError(f"wish_theme={text!r} is not a theme id")
                values[name] = int(text)
            else:
                values[name] = text
        return cls(**values)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The moment ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), zone)


def conditions(session: Session, chosen: InsightFilter, *, by_time: bool = False) -> list[ColumnElement[bool]]:
    """The filter as SQL conditions on ``voice_facts``. ``by_time`` adds the period as bounds on the time the
    voices came in, for queries that read the newest voices first by the index on that time."""
    found = _period_and_places(VoiceFact, chosen)
    if by_time:
        zone = zone_from_settings()
        if chosen.start:
            found.append(VoiceFact.received_at >= local_midnight(chosen.start, zone))
        if chosen.end:
            found.append(VoiceFact.received_at < local_midnight(chosen.end + timedelta(days=1), zone))
    found += _reading(session, chosen)
    if chosen.wish_theme is not None:
        found.append(exists().where(Wish.voice_id == VoiceFact.voice_id, Wish.theme_id == chosen.wish_theme))
    return found


def wish_conditions(session: Session, chosen: InsightFilter) -> list[ColumnElement[bool]]:
    """The filter as SQL conditions on ``wish_facts``: what the reading of the wish's voice must be is asked of
    that voice's fact."""
    found = _period_and_places(WishFact, chosen)
    reading = _reading(session, chosen)
    if reading:
        found.append(exists().where(VoiceFact.voice_id == WishFact.voice_id, *reading))
    if chosen.wish_theme is not None:
        found.append(WishFact.theme_id == chosen.wish_theme)
    return found


def _period_and_places(facts: type[VoiceFact] | type[WishFact], chosen: InsightFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if chosen.start:
        found += [
            facts.local_month >= month_number(chosen.start.year, chosen.start.month),
            facts.local_day >= day_number(chosen.start),
        ]
    if chosen.end:
        found += [
            facts.local_month <= month_number(chosen.end.year, chosen.end.month),
            facts.local_day <= day_number(chosen.end),
        ]
    for name in PLACES:
        value = getattr(chosen, name)
        if value == NO_VALUE:
            found.append(getattr(facts, name).is_(None))
        elif value is not None:
            found.append(getattr(facts, name) == value)
    return found


def _reading(session: Session, chosen: InsightFilter) -> list[ColumnElement[bool]]:
    """Conditions on what was read in the voice: act, sentiment, flag, emotion, topic."""
    found: list[ColumnElement[bool]] = []
    if chosen.act is not None:
        found.append(VoiceFact.dominant_act == chosen.act)
    if chosen.sentiment is not None:
        found.append(VoiceFact.sentiment == chosen.sentiment)
    if chosen.flag is not None:
        found.append(getattr(VoiceFact, chosen.flag).is_(True))
    if chosen.emotion is not None:
        found.append(VoiceFact.emotion_mask.op("&")(EMOTION_BITS[chosen.emotion]) != 0)
    if chosen.topic is not None:
        bit = session.scalar(select(InsightTopic.bit).where(InsightTopic.name == chosen.topic))
        found.append(VoiceFact.topic_mask.op("&")(1 << bit) != 0 if bit is not None else false())
    return found
