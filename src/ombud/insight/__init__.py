"""insight: what the company should learn from its customers' voices."""

from ombud.insight.counts import COUNTABLE, voice_counts

__all__ = ["COUNTABLE", "voice_counts"]
