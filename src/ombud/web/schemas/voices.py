"""Voices and their reading, as the API shows them (personal data masked for analysts)."""

from __future__ import annotations

from pydantic import BaseModel


class EmotionPublic(BaseModel):
    name: str
    probability: float | None


class FlagPublic(BaseModel):
    name: str
    probability: float | None
    evidence: str | None  # the sentence that shows it best


class SentencePublic(BaseModel):
    position: int
    text: str | None
    act: str
    act_probability: float
    sentiment: str
    sentiment_score: float
    topics: list[str]


class PersonalDataSpan(BaseModel):
    kind: str
    start: int
    end: int


class ReadingPublic(BaseModel):
    model: str
    tier: str
    language: str
    dominant_act: str
    acts: list[str]
    sentiment: str
    sentiment_score: float
    topics: list[str]
    emotions: list[EmotionPublic]
    flags: list[FlagPublic]
    sentences: list[SentencePublic]
    personal_data: list[PersonalDataSpan]  # empty for analysts, who see the text masked


class VoicePublic(BaseModel):
    id: int
    customer_id: int
    case_id: int | None
    channel: str
    received_at: str
    subject: str | None
    text: str | None
    reading: ReadingPublic | None


class VoicesPublic(BaseModel):
    total: int
    limit: int
    offset: int
    voices: list[VoicePublic]
