"""The barometer: how customers fare, 0–100, read from what they said of their own accord.

Each voice contributes one value in [−1, 1] (docs/insight.md writes the formula out with a worked example)::

    contribution = clip(polarity × weight(strength) − 1 × churn risk − 0.5 × expectation gap, −1, 1)

where polarity is +1 for a voice whose dominant act is praise, −1 for a complaint and 0 for a wish, question or
other, weight(strength) is 0.4, 0.6, 0.8 or 1.0 for a sentiment strength (|score| in quarters) of 0, 1, 2 or 3,
and churn risk and expectation gap are 1 when ombud read them. The index of a group of voices is
``50 × (1 + mean contribution)``: 0 when every voice is a strong complaint or a churn threat, 50 when praise and
complaints balance (or nobody praises or complains), 100 when every voice is strong praise.

A contribution takes one of a few values, so SQL returns the number of voices per value and the 95 %
confidence interval is a bootstrap that resamples those counts (a multinomial draw, seeded by the group so
that the same figures always give the same interval). Groups with fewer than ``OMBUD_BAROMETER_MIN_VOICES``
voices are marked ``too_few`` and get no index.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from ombud.insight.facts import update_facts
from ombud.insight.filters import NO_VALUE, InsightFilter
from ombud.insight.periods import DEFAULT_PERIOD, period_label, period_series
from ombud.insight.scans import TimelineRow, timeline
from ombud.settings import get_settings

POLARITY = {"praise": 1.0, "complaint": -1.0}
STRENGTH_WEIGHTS = (0.4, 0.6, 0.8, 1.0)
CHURN_PENALTY = 1.0
GAP_PENALTY = 0.5
SEED = 20261207
CONFIDENCE = 0.95

Counts = dict[float, int]  # contribution → voices


def contribution(act: str, strength: int, churn_risk: bool, expectation_gap: bool) -> float:
    """One voice's contribution to the barometer, in [−1, 1]."""
    value = POLARITY.get(act, 0.0) * STRENGTH_WEIGHTS[min(max(strength, 0), 3)]
    value -= CHURN_PENALTY * churn_risk + GAP_PENALTY * expectation_gap
    return round(max(-1.0, min(1.0, value)), 6)


def index_of(counts: Counts) -> float | None:
    voices = sum(counts.values())
    if not voices:
        return None
    return 50.0 * (1.0 + sum(value * number for value, number in counts.items()) / voices)


def bootstrap_interval(counts: Counts, *, resamples: int, seed: int) -> tuple[float, float] | None:
    """The 95 % bootstrap interval of the index: ``resamples`` redraws of as many voices as there are, each
    a multinomial draw over the contribution values (drawn as one binomial per value, for all resamples at
    once)."""
    voices = sum(counts.values())
    if not voices:
        return None
    generator = np.random.default_rng(seed)
    remaining = np.full(resamples, voices, dtype=np.int64)
    left = 1.0
    total = np.zeros(resamples)
    for value, number in sorted(counts.items()):
        share = number / voices
        drawn = remaining if share >= left else generator.binomial(remaining, min(1.0, share / left))
        total += value * drawn
        remaining = remaining - drawn
        left -= share
    indexes = 50.0 * (1.0 + total / voices)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(indexes, [tail, 100 - tail])
    return float(low), float(high)


@dataclass
class BarometerValue:
    """The index of one group: a period (label; None for the whole filter), a segment (None for all)."""

    period: str | None
    segment: str | None
    voices: int
    index: float | None
    low: float | None
    high: float | None
    too_few: bool

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Barometer:
    period: str
    min_voices: int
    resamples: int
    overall: BarometerValue
    by_period: list[BarometerValue] = field(default_factory=list)
    by_segment: list[BarometerValue] = field(default_factory=list)
    by_period_and_segment: list[BarometerValue] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "min_voices": self.min_voices,
            "resamples": self.resamples,
            "overall": self.overall.as_json(),
            "by_period": [value.as_json() for value in self.by_period],
            "by_segment": [value.as_json() for value in self.by_segment],
            "by_period_and_segment": [value.as_json() for value in self.by_period_and_segment],
        }


def value_of(
    counts: Counts, period: str | None, segment: str | None, *, min_voices: int, resamples: int
) -> BarometerValue:
    voices = sum(counts.values())
    if voices < max(min_voices, 1):
        return BarometerValue(period, segment, voices, None, None, None, True)
    seed = SEED + zlib.crc32(f"{period}|{segment}".encode())
    interval = bootstrap_interval(counts, resamples=resamples, seed=seed)
    low, high = interval if interval else (None, None)
    return BarometerValue(period, segment, voices, index_of(counts), low, high, False)


def barometer_from(
    rows: Iterable[TimelineRow], period: str, periods: list[int], *, min_voices: int, resamples: int
) -> Barometer:
    """The barometer of the timeline rows, for each of ``periods`` (keys), each segment, and both."""
    overall: Counts = defaultdict(int)
    by_period: dict[int, Counts] = defaultdict(lambda: defaultdict(int))
    by_segment: dict[str, Counts] = defaultdict(lambda: defaultdict(int))
    by_both: dict[tuple[int, str], Counts] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        value = contribution(row.act, row.strength, row.churn_risk, row.expectation_gap)
        segment = row.segment if row.segment is not None else NO_VALUE
        for counts in (overall, by_period[row.period], by_segment[segment], by_both[(row.period, segment)]):
            counts[value] += row.voices
    settings = {"min_voices": min_voices, "resamples": resamples}
    segments = sorted(by_segment)
    return Barometer(
        period=period,
        min_voices=min_voices,
        resamples=resamples,
        overall=value_of(overall, None, None, **settings),
        by_period=[value_of(by_period.get(key, {}), period_label(period, key), None, **settings) for key in periods],
        by_segment=[value_of(by_segment[segment], None, segment, **settings) for segment in segments],
        by_period_and_segment=[
            value_of(by_both.get((key, segment), {}), period_label(period, key), segment, **settings)
            for key in periods
            for segment in segments
        ],
    )


def barometer(
    session: Session,
    chosen: InsightFilter | None = None,
    *,
    period: str = DEFAULT_PERIOD,
    min_voices: int | None = None,
    resamples: int | None = None,
    refresh: bool = True,
) -> Barometer:
    """The barometer by period and segment for the voices of ``chosen`` (``min_voices`` and ``resamples``
    default to their settings)."""
    chosen = chosen or InsightFilter()
    if refresh:
        update_facts(session)
    rows = timeline(session, chosen, period)
    settings = get_settings()
    return barometer_from(
        rows,
        period,
        period_series(chosen.start, chosen.end, period, (row.period for row in rows)),
        min_voices=settings.barometer_min_voices if min_voices is None else min_voices,
        resamples=settings.barometer_resamples if resamples is None else resamples,
    )
