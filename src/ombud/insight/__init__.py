"""insight: what the company should learn from its customers' voices.

Every function takes a session and an :class:`InsightFilter` and returns a dataclass with ``as_json()``; the
CLI, the web app and the exports call the same functions. :func:`dashboard` gathers everything the dashboard
shows in one call, and :func:`voices_behind` lists the voices behind any figure. docs/insight.md describes the
figures, the barometer's formula and how the facts behind them are kept.
"""

from ombud.insight.barometer import Barometer, BarometerValue, barometer
from ombud.insight.counts import COUNTABLE, voice_counts
from ombud.insight.dashboard import Dashboard, dashboard
from ombud.insight.drilldown import VoiceBehind, VoicesPage, voices_behind
from ombud.insight.facts import FactsProgress, FactsUpdate, update_facts
from ombud.insight.feelings import TopicEmotions, TopicSentiment, topic_emotions, topic_sentiment
from ombud.insight.filters import NO_VALUE, InsightFilter
from ombud.insight.flags import FlagsOverTime, flags_over_time
from ombud.insight.gaps import ExpectationGaps, expectation_gaps
from ombud.insight.mix import MIX_BY, VoiceMix, voice_mix
from ombud.insight.periods import DEFAULT_PERIOD, PERIODS
from ombud.insight.presence import presence
from ombud.insight.wish_demand import WishDemand, wish_demand

__all__ = [
    "COUNTABLE",
    "DEFAULT_PERIOD",
    "MIX_BY",
    "NO_VALUE",
    "PERIODS",
    "Barometer",
    "BarometerValue",
    "Dashboard",
    "ExpectationGaps",
    "FactsProgress",
    "FactsUpdate",
    "FlagsOverTime",
    "InsightFilter",
    "TopicEmotions",
    "TopicSentiment",
    "VoiceBehind",
    "VoiceMix",
    "VoicesPage",
    "WishDemand",
    "barometer",
    "dashboard",
    "expectation_gaps",
    "flags_over_time",
    "presence",
    "topic_emotions",
    "topic_sentiment",
    "update_facts",
    "voice_counts",
    "voice_mix",
    "voices_behind",
    "wish_demand",
]
