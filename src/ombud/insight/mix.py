"""The voice mix: how many complaints, praise, wishes, questions (and other voices) there are, by period, channel,
company, industry, language or segment. A voice counts once, by its dominant act."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ombud.errors import InsightError
from ombud.insight.facts import update_facts
from ombud.insight.filters import NO_VALUE, PLACES, InsightFilter
from ombud.insight.periods import DEFAULT_PERIOD, period_label, period_series
from ombud.insight.scans import PlaceRow, TimelineRow, places, timeline
from ombud.labels import ACTS

MIX_BY = ("period", *PLACES)


@dataclass
class MixRow:
    """The acts of one period or place. A period row has its first and last day (within the filter's), for
    drill-down: ``InsightFilter.narrowed(start=row.start, end=row.end, act=…)``."""

    key: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTS, 0))
    start: date | None = None
    end: date | None = None

    @property
    def voices(self) -> int:
        return sum(self.counts.values())

    @property
    def shares(self) -> dict[str, float | None]:
        voices = self.voices
        return {act: (count / voices if voices else None) for act, count in self.counts.items()}

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"key": self.key, "voices": self.voices, "counts": self.counts}
        document["shares"] = self.shares
        if self.start is not None and self.end is not None:
            document.update(start=self.start.isoformat(), end=self.end.isoformat())
        return document


@dataclass
class VoiceMix:
    by: str
    period: str | None
    rows: list[MixRow]
    total: MixRow

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "period": self.period,
            "rows": [row.as_json() for row in self.rows],
            "total": self.total.as_json(),
        }


def _total(rows: Iterable[MixRow]) -> MixRow:
    total = MixRow(key="all")
    for row in rows:
        for act, count in row.counts.items():
            total.counts[act] = total.counts.get(act, 0) + count
    return total


def mix_by_period(rows: Iterable[TimelineRow], chosen: InsightFilter, period: str) -> VoiceMix:
    listed = list(rows)
    keys = period_series(chosen.start, chosen.end, period, (row.period for row in listed))
    by_key = {key: MixRow(key=period_label(period, key)) for key in keys}
    for row in listed:
        if row.period in by_key:
            by_key[row.period].counts[row.act] = by_key[row.period].counts.get(row.act, 0) + row.voices
    for key, mix in by_key.items():
        narrowed = chosen.within(period, key)
        mix.start, mix.end = narrowed.start, narrowed.end
    ordered = [by_key[key] for key in keys]
    return VoiceMix(by="period", period=period, rows=ordered, total=_total(ordered))


def mix_by_place(rows: Iterable[PlaceRow], by: str) -> VoiceMix:
    """The mix by one place (channel, company, industry, language or segment), most voices first; voices that
    name no such place are under "(none)"."""
    if by not in PLACES:
        raise InsightError(f"cannot mix voices by {by!r}: choose one of {', '.join(MIX_BY)}")
    by_key: dict[str, MixRow] = {}
    for row in rows:
        key = getattr(row, by)
        key = key if key is not None else NO_VALUE
        mix = by_key.setdefault(key, MixRow(key=key))
        mix.counts[row.act] = mix.counts.get(row.act, 0) + row.voices
    ordered = sorted(by_key.values(), key=lambda mix: (-mix.voices, mix.key))
    return VoiceMix(by=by, period=None, rows=ordered, total=_total(ordered))


def voice_mix(
    session: Session,
    chosen: InsightFilter | None = None,
    *,
    by: str = "period",
    period: str = DEFAULT_PERIOD,
    refresh: bool = True,
) -> VoiceMix:
    """The voice mix of the voices of ``chosen``, by period (grouped by ``period``) or by a place."""
    chosen = chosen or InsightFilter()
    if by not in MIX_BY:
        raise InsightError(f"cannot mix voices by {by!r}: choose one of {', '.join(MIX_BY)}")
    if refresh:
        update_facts(session)
    if by == "period":
        return mix_by_period(timeline(session, chosen, period), chosen, period)
    return mix_by_place(places(session, chosen), by)
