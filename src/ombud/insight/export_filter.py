"""Which voices an export takes: a period of days in the local time zone, a channel, a company, a language.

The same filter chooses the voices at every level: the sentence level exports their sentences, the theme level
counts only their wishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func

from ombud.insight.export_errors import ExportError
from ombud.loop.sla import zone_from_settings
from ombud.store.models import Voice, VoiceAnalysis

COMPANY = Voice.meta["company"].as_string()
INDUSTRY = Voice.meta["industry"].as_string()
# The language ombud read, else the one the import gave (for a voice not read yet).
LANGUAGE = func.coalesce(VoiceAnalysis.language, Voice.meta["language"].as_string())


@dataclass(frozen=True)
class ExportFilter:
    """``start`` and ``end`` are days, both included, in ``OMBUD_TIMEZONE``; the rest match exactly."""

    start: date | None = None
    end: date | None = None
    channel: str | None = None
    company: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ExportError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def parse(cls, start: str | None = None, end: str | None = None, **exact: str | None) -> ExportFilter:
        """A filter from text as typed: days as YYYY-MM-DD."""
        return cls(start=_day(start, "--from"), end=_day(end, "--to"), **exact)

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filter as SQL conditions on voices (outer-joined to their analyses for the language)."""
        zone = zone_from_settings()
        found: list[ColumnElement[bool]] = []
        if self.start is not None:
            found.append(Voice.received_at >= _utc(self.start, zone))
        if self.end is not None:
            found.append(Voice.received_at < _utc(self.end + timedelta(days=1), zone))
        exact: list[tuple[Any, str | None]] = [
            (Voice.channel, self.channel),
            (COMPANY, self.company),
            (LANGUAGE, self.language),
        ]
        found.extend(column == value for column, value in exact if value is not None)
        return found

    def as_json(self) -> dict[str, str]:
        return {name: str(value) for name, value in vars(self).items() if value is not None}


def _day(value: str | None, option: str) -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise ExportError(f"{option} {value!r} is not a day; write it as YYYY-MM-DD") from error


def _utc(day: date, zone: ZoneInfo) -> datetime:
    """The moment ``day`` begins in ``zone``, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
