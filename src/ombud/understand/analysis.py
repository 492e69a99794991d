"""What ombud reads in one voice, and the public JSON form of it.

Every reading carries a probability and its evidence: the sentence (by index)
that shows it, so that an agent can see why. ``analysis_json`` writes the
format documented in docs/analysis-format.md; keep that format stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ombud.understand.language import LanguageGuess
from ombud.understand.personal_data import PersonalData


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # negative, neutral or positive
    score: float  # -1 (very negative) … 1 (very positive): P(positive) - P(negative)
    probability: float  # of the label


@dataclass(frozen=True, slots=True)
class Label:
    """A reading that may or may not hold: a topic, an emotion or a flag."""

    name: str
    probability: float
    present: bool  # probability at or above the label's tuned threshold
    evidence: int | None = None  # index of the sentence that shows it best


@dataclass(frozen=True, slots=True)
class SentenceAnalysis:
    text: str
    start: int
    end: int
    language: LanguageGuess
    act: str
    act_probability: float
    act_probabilities: dict[str, float]
    sentiment: Sentiment
    topics: list[Label]  # only the topics present

    @property
    def topic_names(self) -> list[str]:
        return [topic.name for topic in self.topics]


@dataclass(frozen=True, slots=True)
class Analysis:
    text: str
    language: LanguageGuess
    sentences: list[SentenceAnalysis]
    acts: list[str]  # the distinct acts of the sentences, in the order they first appear
    dominant_act: str
    sentiment: Sentiment
    emotions: list[Label]  # all eight, most likely first; `present` marks those the voice expresses
    flags: dict[str, Label]
    personal_data: list[PersonalData]
    model: str  # name and version of the model that read it
    tier: str
    topics: list[str] = field(default_factory=list)  # the distinct topics of the sentences

    @property
    def present_emotions(self) -> list[str]:
        return [emotion.name for emotion in self.emotions if emotion.present]


def _rounded(value: float) -> float:
    return round(float(value), 4)


def _sentiment_json(sentiment: Sentiment) -> dict[str, Any]:
    return {
        "label": sentiment.label,
        "score": _rounded(sentiment.score),
        "probability": _rounded(sentiment.probability),
    }


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """The public JSON object of one analysis (docs/analysis-format.md)."""
    return {
        "language": analysis.language.language,
        "language_confidence": _rounded(analysis.language.confidence),
        "acts": analysis.acts,
        "dominant_act": analysis.dominant_act,
        "sentiment": _sentiment_json(analysis.sentiment),
        "emotions": [emotion.name for emotion in analysis.emotions if emotion.present],
        "emotion_probabilities": {emotion.name: _rounded(emotion.probability) for emotion in analysis.emotions},
        "topics": analysis.topics,
        "flags": {name: flag.present for name, flag in analysis.flags.items()},
        "flag_details": {
            name: {"probability": _rounded(flag.probability), "evidence": flag.evidence}
            for name, flag in analysis.flags.items()
        },
        "sentences": [
            {
                "text": sentence.text,
                "start": sentence.start,
                "end": sentence.end,
                "language": sentence.language.language,
                "act": sentence.act,
                "act_probability": _rounded(sentence.act_probability),
                "sentiment": _sentiment_json(sentence.sentiment),
                "topics": sentence.topic_names,
                "topic_probabilities": {topic.name: _rounded(topic.probability) for topic in sentence.topics},
            }
            for sentence in analysis.sentences
        ],
        "personal_data": [
            {"kind": item.kind, "start": item.start, "end": item.end, "confidence": _rounded(item.confidence)}
            for item in analysis.personal_data
        ],
        "model": analysis.model,
        "tier": analysis.tier,
    }
