"""Legal claims, churn risk and expectation gaps over time: how many voices of each period carry each flag."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ombud.insight.facts import update_facts
from ombud.insight.filters import InsightFilter
from ombud.insight.periods import DEFAULT_PERIOD, period_label, period_series
from ombud.insight.scans import TimelineRow, timeline
from ombud.labels import FLAGS


@dataclass
class FlagCounts:
    """The voices of one period (``key`` its label; ``all`` for every period) and how many carry each flag.
    A period row has its first and last day for drill-down (``InsightFilter.narrowed(start=…, end=…,
    flag=…)``)."""

    key: str
    voices: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FLAGS, 0))
    start: date | None = None
    end: date | None = None

    @property
    def shares(self) -> dict[str, float | None]:
        return {flag: (count / self.voices if self.voices else None) for flag, count in self.counts.items()}

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"key": self.key, "voices": self.voices, "counts": self.counts}
        document["shares"] = self.shares
        if self.start is not None and self.end is not None:
            document.update(start=self.start.isoformat(), end=self.end.isoformat())
        return document


@dataclass
class FlagsOverTime:
    period: str
    rows: list[FlagCounts]
    total: FlagCounts

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "rows": [row.as_json() for row in self.rows], "total": self.total.as_json()}


def flags_from(rows: Iterable[TimelineRow], chosen: InsightFilter, period: str) -> FlagsOverTime:
    listed = list(rows)
    keys = period_series(chosen.start, chosen.end, period, (row.period for row in listed))
    by_key = {key: FlagCounts(key=period_label(period, key)) for key in keys}
    total = FlagCounts(key="all")
    for row in listed:
        for counts in (by_key.get(row.period), total):
            if counts is None:
                continue
            counts.voices += row.voices
            counts.counts["expectation_gap"] += row.voices if row.expectation_gap else 0
            counts.counts["churn_risk"] += row.voices if row.churn_risk else 0
            counts.counts["legal_claim"] += row.legal_claims
    for key, counts in by_key.items():
        narrowed = chosen.within(period, key)
        counts.start, counts.end = narrowed.start, narrowed.end
    return FlagsOverTime(period=period, rows=[by_key[key] for key in keys], total=total)


def flags_over_time(
    session: Session, chosen: InsightFilter | None = None, *, period: str = DEFAULT_PERIOD, refresh: bool = True
) -> FlagsOverTime:
    """Expectation gaps, legal claims and churn risk per period among the voices of ``chosen``."""
    chosen = chosen or InsightFilter()
    if refresh:
        update_facts(session)
    return flags_from(timeline(session, chosen, period), chosen, period)
