"""Everything the dashboard shows, in one call: six queries over the facts, each figure built from one of them;
the queries run at once on their own connections where they can (concurrent.py).

Every figure maps to an :class:`~ombud.insight.filters.InsightFilter` for the voices behind it (a period row
has its days, a place row its value, a topic its name…), which :func:`~ombud.insight.drilldown.voices_behind`
lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ombud.insight.barometer import Barometer, barometer_from
from ombud.insight.concurrent import run_queries
from ombud.insight.facts import FactsProgress, topic_bits, update_facts
from ombud.insight.feelings import TopicEmotions, TopicSentiment, topic_emotions_from, topic_sentiment_from
from ombud.insight.filters import PLACES, InsightFilter
from ombud.insight.flags import FlagsOverTime, flags_from
from ombud.insight.gaps import QUOTES_PER_TOPIC, ExpectationGaps, add_quotes, gap_counts_from
from ombud.insight.mix import VoiceMix, mix_by_period, mix_by_place
from ombud.insight.periods import DEFAULT_PERIOD, check_period, period_series
from ombud.insight.presence import feedback_coverage, presence_from, presence_rows
from ombud.insight.scans import FeelingRow, TimelineRow, feelings, places, timeline
from ombud.insight.wish_demand import TOP_THEMES, WishDemand, wish_demand
from ombud.loop.presence import Presence
from ombud.settings import get_settings
from ombud.store.types import utc_now


@dataclass
class Dashboard:
    filter: InsightFilter
    period: str
    at: datetime
    voices: int
    mix_by_period: VoiceMix
    mix_by_place: dict[str, VoiceMix]  # channel, company, industry, language, segment
    flags: FlagsOverTime
    barometer: Barometer
    wishes: WishDemand
    topic_emotions: TopicEmotions
    topic_sentiment: TopicSentiment
    gaps: ExpectationGaps
    presence: Presence

    def as_json(self) -> dict[str, Any]:
        return {
            "filter": self.filter.as_json(),
            "period": self.period,
            "at": self.at.isoformat(),
            "voices": self.voices,
            "mix_by_period": self.mix_by_period.as_json(),
            "mix_by_place": {by: mix.as_json() for by, mix in self.mix_by_place.items()},
            "flags": self.flags.as_json(),
            "barometer": self.barometer.as_json(),
            "wishes": self.wishes.as_json(),
            "topic_emotions": self.topic_emotions.as_json(),
            "topic_sentiment": self.topic_sentiment.as_json(),
            "gaps": self.gaps.as_json(),
            "presence": self.presence.as_json(),
        }


def dashboard(
    session: Session,
    chosen: InsightFilter | None = None,
    *,
    period: str = DEFAULT_PERIOD,
    now: datetime | None = None,
    top_wishes: int = TOP_THEMES,
    quotes: int = QUOTES_PER_TOPIC,
    min_voices: int | None = None,
    resamples: int | None = None,
    workers: int | None = None,
    on_facts: Callable[[FactsProgress], None] | None = None,
) -> Dashboard:
    """The dashboard of the voices of ``chosen``, by ``period``; the facts are brought up to date first
    (``on_facts`` hears how that goes; the caller commits to keep them). The barometer's ``min_voices`` and
    ``resamples`` and the ``workers`` that run the queries at once default to their settings."""
    chosen = chosen or InsightFilter()
    check_period(period)
    now = now or utc_now()
    update_facts(session, on_progress=on_facts)
    settings = get_settings()
    bits = topic_bits(session)

    # Each query's figures are built where it ran, so that the barometer's resampling, say, goes on while
    # another query still runs.
    def over_time(reading: Session) -> tuple[list[TimelineRow], list[int], Barometer]:
        rows = timeline(reading, chosen, period)
        periods = period_series(chosen.start, chosen.end, period, (row.period for row in rows))
        meter = barometer_from(
            rows,
            period,
            periods,
            min_voices=settings.barometer_min_voices if min_voices is None else min_voices,
            resamples=settings.barometer_resamples if resamples is None else resamples,
        )
        return rows, periods, meter

    def feelings_and_gaps(reading: Session) -> tuple[list[FeelingRow], ExpectationGaps]:
        rows = feelings(reading, chosen)
        gaps = gap_counts_from(rows, bits)
        if quotes:
            add_quotes(reading, chosen, gaps, bits, quotes)
        return rows, gaps

    results = run_queries(
        session,
        {
            "timeline": over_time,
            "places": lambda reading: places(reading, chosen),
            "feelings": feelings_and_gaps,
            "wishes": lambda reading: wish_demand(reading, chosen, period=period, limit=top_wishes, refresh=False),
            "presence": lambda reading: presence_from(presence_rows(reading, chosen, now), None, now),
            "feedback": lambda reading: feedback_coverage(reading, chosen),
        },
        settings.insight_workers if workers is None else workers,
    )
    time_rows, periods, meter = results["timeline"]
    feeling_rows, gaps = results["feelings"]
    wishes: WishDemand = results["wishes"]
    present: Presence = results["presence"]
    present.feedback = results["feedback"]
    for theme in wishes.themes:
        theme.over(period, periods)
    mix = mix_by_period(time_rows, chosen, period)
    return Dashboard(
        filter=chosen,
        period=period,
        at=now,
        voices=mix.total.voices,
        mix_by_period=mix,
        mix_by_place={by: mix_by_place(results["places"], by) for by in PLACES},
        flags=flags_from(time_rows, chosen, period),
        barometer=meter,
        wishes=wishes,
        topic_emotions=topic_emotions_from(feeling_rows, bits),
        topic_sentiment=topic_sentiment_from(feeling_rows, bits),
        gaps=gaps,
        presence=present,
    )
