"""Expectation gaps by topic — where delivery broke what the company promised — with the customers' own words.

For each topic: the voices about it, how many of them describe an expectation gap, the share, and the newest
example quotes: the sentence ombud found as the gap's evidence, with personal data masked (a quote on a
dashboard or in a report names nobody)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.insight.facts import mask_names, topic_bits, update_facts
from ombud.insight.filters import InsightFilter, conditions
from ombud.insight.scans import FeelingRow, feelings
from ombud.store.models import SentenceAnalysisRow, Voice, VoiceAnalysis, VoiceFact
from ombud.understand.personal_data import find_personal_data, redact

QUOTES_PER_TOPIC = 3
LONGEST_QUOTE = 300


@dataclass
class GapQuote:
    voice_id: int
    received_at: datetime
    language: str
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "voice_id": self.voice_id,
            "received_at": self.received_at.isoformat(),
            "language": self.language,
            "text": self.text,
        }


@dataclass
class TopicGaps:
    topic: str
    voices: int  # voices about the topic
    gaps: int  # of them with an expectation gap
    quotes: list[GapQuote] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.gaps / self.voices if self.voices else None

    def as_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "voices": self.voices,
            "gaps": self.gaps,
            "share": self.share,
            "quotes": [quote.as_json() for quote in self.quotes],
        }


@dataclass
class ExpectationGaps:
    voices: int
    gaps: int
    topics: list[TopicGaps]

    @property
    def share(self) -> float | None:
        return self.gaps / self.voices if self.voices else None

    def as_json(self) -> dict[str, Any]:
        return {
            "voices": self.voices,
            "gaps": self.gaps,
            "share": self.share,
            "topics": [topic.as_json() for topic in self.topics],
        }


def gap_counts_from(rows: Iterable[FeelingRow], bits: dict[str, int]) -> ExpectationGaps:
    """The counts (without quotes) from the feelings scan: topics with a gap, most gaps first."""
    voices = gaps = 0
    by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        voices += row.voices
        gaps += row.voices if row.expectation_gap else 0
        for topic in mask_names(row.topic_mask, bits):
            by_topic[topic][0] += row.voices
            by_topic[topic][1] += row.voices if row.expectation_gap else 0
    topics = [TopicGaps(topic, counts[0], counts[1]) for topic, counts in by_topic.items() if counts[1]]
    topics.sort(key=lambda entry: (-entry.gaps, entry.topic))
    return ExpectationGaps(voices=voices, gaps=gaps, topics=topics)


def add_quotes(
    session: Session, chosen: InsightFilter, gaps: ExpectationGaps, bits: dict[str, int], per_topic: int
) -> None:
    """The newest ``per_topic`` quotes of each topic's gaps."""
    where = conditions(session, chosen, by_time=True)
    chosen_rows: dict[str, list[Any]] = {}
    for entry in gaps.topics:
        chosen_rows[entry.topic] = list(
            session.execute(
                select(VoiceFact.voice_id, VoiceFact.received_at, VoiceFact.language)
                .where(
                    *where, VoiceFact.expectation_gap.is_(True), VoiceFact.topic_mask.op("&")(bits[entry.topic]) != 0
                )
                .order_by(VoiceFact.received_at.desc(), VoiceFact.voice_id.desc())
                .limit(per_topic)
            )
        )
    voice_ids = sorted({row.voice_id for rows in chosen_rows.values() for row in rows})
    if not voice_ids:
        return
    texts = {
        voice_id: text
        for voice_id, text in session.execute(select(Voice.id, Voice.text).where(Voice.id.in_(voice_ids)))
    }
    evidence = {
        voice_id: ((details or {}).get("flag_details", {}).get("expectation_gap", {}) or {}).get("evidence")
        for voice_id, details in session.execute(
            select(VoiceAnalysis.voice_id, VoiceAnalysis.details).where(VoiceAnalysis.voice_id.in_(voice_ids))
        )
    }
    spans = {
        (voice_id, position): (start, end)
        for voice_id, position, start, end in session.execute(
            select(
                SentenceAnalysisRow.voice_id,
                SentenceAnalysisRow.position,
                SentenceAnalysisRow.start,
                SentenceAnalysisRow.end,
            ).where(SentenceAnalysisRow.voice_id.in_(voice_ids))
        )
        if evidence.get(voice_id) == position
    }
    for entry in gaps.topics:
        for row in chosen_rows[entry.topic]:
            text = texts.get(row.voice_id, "")
            position = evidence.get(row.voice_id)
            span = spans.get((row.voice_id, position)) if isinstance(position, int) else None
            quote = (text[span[0] : span[1]] if span else text).strip()
            entry.quotes.append(
                GapQuote(row.voice_id, row.received_at, row.language, masked_quote(quote, row.language))
            )


def masked_quote(text: str, language: str) -> str:
    """A quote with personal data masked, shortened to a readable length."""
    masked = redact(text, find_personal_data(text, language))
    return masked if len(masked) <= LONGEST_QUOTE else masked[: LONGEST_QUOTE - 1].rstrip() + "…"


def expectation_gaps(
    session: Session,
    chosen: InsightFilter | None = None,
    *,
    quotes: int = QUOTES_PER_TOPIC,
    refresh: bool = True,
) -> ExpectationGaps:
    """Expectation gaps by topic among the voices of ``chosen``, with up to ``quotes`` quotes per topic."""
    chosen = chosen or InsightFilter()
    if refresh:
        update_facts(session)
    bits = topic_bits(session)
    gaps = gap_counts_from(feelings(session, chosen), bits)
    if quotes:
        add_quotes(session, chosen, gaps, bits, quotes)
    return gaps
