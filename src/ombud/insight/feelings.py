"""What customers feel and what about: topics × emotions and topics × sentiment.

A voice counts once under each of its topics and once under each of its emotions, so a voice about delivery
and price that expresses anger and fear adds one to each of the four cells. Topics come in the order of most
voices; emotions in Plutchik's order (labels.EMOTIONS)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ombud.insight.facts import EMOTION_BITS, mask_names, topic_bits, update_facts
from ombud.insight.filters import InsightFilter
from ombud.insight.scans import FeelingRow, feelings
from ombud.labels import SENTIMENTS


@dataclass
class TopicEmotions:
    """Voices per topic and emotion (``counts[topic][emotion]``), with each topic's and emotion's voices."""

    voices: int
    topics: list[str]
    emotions: list[str]
    counts: dict[str, dict[str, int]]
    topic_voices: dict[str, int]
    emotion_voices: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "voices": self.voices,
            "topics": self.topics,
            "emotions": self.emotions,
            "counts": self.counts,
            "topic_voices": self.topic_voices,
            "emotion_voices": self.emotion_voices,
        }


@dataclass
class TopicSentiment:
    """Voices per topic and sentiment (``counts[topic][sentiment]``), and each topic's shares."""

    voices: int
    topics: list[str]
    counts: dict[str, dict[str, int]]

    def shares(self, topic: str) -> dict[str, float | None]:
        row = self.counts[topic]
        total = sum(row.values())
        return {sentiment: (count / total if total else None) for sentiment, count in row.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "voices": self.voices,
            "topics": self.topics,
            "counts": self.counts,
            "shares": {topic: self.shares(topic) for topic in self.topics},
        }


def _topic_order(voices_by_topic: dict[str, int]) -> list[str]:
    return [topic for topic, count in sorted(voices_by_topic.items(), key=lambda item: (-item[1], item[0])) if count]


def topic_emotions_from(rows: Iterable[FeelingRow], bits: dict[str, int]) -> TopicEmotions:
    voices = 0
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(EMOTION_BITS, 0))
    topic_voices: dict[str, int] = defaultdict(int)
    emotion_voices = dict.fromkeys(EMOTION_BITS, 0)
    for row in rows:
        voices += row.voices
        topics = mask_names(row.topic_mask, bits)
        emotions = mask_names(row.emotion_mask, EMOTION_BITS)
        for emotion in emotions:
            emotion_voices[emotion] += row.voices
        for topic in topics:
            topic_voices[topic] += row.voices
            for emotion in emotions:
                counts[topic][emotion] += row.voices
    topics = _topic_order(topic_voices)
    return TopicEmotions(
        voices=voices,
        topics=topics,
        emotions=list(EMOTION_BITS),
        counts={topic: counts[topic] for topic in topics},
        topic_voices={topic: topic_voices[topic] for topic in topics},
        emotion_voices=emotion_voices,
    )


def topic_sentiment_from(rows: Iterable[FeelingRow], bits: dict[str, int]) -> TopicSentiment:
    voices = 0
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SENTIMENTS, 0))
    for row in rows:
        voices += row.voices
        for topic in mask_names(row.topic_mask, bits):
            counts[topic][row.sentiment] = counts[topic].get(row.sentiment, 0) + row.voices
    topics = _topic_order({topic: sum(row.values()) for topic, row in counts.items()})
    return TopicSentiment(voices=voices, topics=topics, counts={topic: counts[topic] for topic in topics})


def topic_emotions(session: Session, chosen: InsightFilter | None = None, *, refresh: bool = True) -> TopicEmotions:
    """Topics × emotions of the voices of ``chosen``."""
    if refresh:
        update_facts(session)
    return topic_emotions_from(feelings(session, chosen or InsightFilter()), topic_bits(session))


def topic_sentiment(session: Session, chosen: InsightFilter | None = None, *, refresh: bool = True) -> TopicSentiment:
    """Topics × sentiment of the voices of ``chosen``."""
    if refresh:
        update_facts(session)
    return topic_sentiment_from(feelings(session, chosen or InsightFilter()), topic_bits(session))
