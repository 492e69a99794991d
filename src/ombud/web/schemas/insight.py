"""The insight figures and the voices behind them, as the API shows them (``ombud.insight``'s ``as_json()``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FilterPublic(BaseModel):
    """Which voices the figures are about (null: any)."""

    start: str | None = Field(description="First local day, YYYY-MM-DD (the query's `from`).")
    end: str | None = Field(description="Last local day, included (the query's `to`).")
    channel: str | None
    company: str | None
    industry: str | None
    language: str | None
    segment: str | None
    act: str | None
    emotion: str | None
    topic: str | None
    flag: str | None
    sentiment: str | None
    wish_theme: int | None


class MixRowPublic(BaseModel):
    key: str = Field(description="The period's label (2026-03, 2026-W11, 2026-Q1, 2026-03-09) or the place's value.")
    voices: int
    counts: dict[str, int] = Field(description="Voices per dominant act.")
    shares: dict[str, float | None]
    start: str | None = Field(None, description="A period's first day within the filter, for drill-down.")
    end: str | None = Field(None, description="A period's last day within the filter.")


class VoiceMixPublic(BaseModel):
    by: str = Field(description="period, channel, company, industry, language or segment.")
    period: str | None
    rows: list[MixRowPublic]
    total: MixRowPublic


class FlagCountsPublic(BaseModel):
    key: str
    voices: int
    counts: dict[str, int] = Field(description="Voices per flag: expectation_gap, legal_claim, churn_risk.")
    shares: dict[str, float | None]
    start: str | None = None
    end: str | None = None


class FlagsOverTimePublic(BaseModel):
    period: str
    rows: list[FlagCountsPublic]
    total: FlagCountsPublic


class BarometerValuePublic(BaseModel):
    period: str | None = Field(description="The period's label; null for every period.")
    segment: str | None = Field(description="The segment; null for every segment, (none) for voices without one.")
    voices: int
    index: float | None = Field(description="0–100; null when too few voices.")
    low: float | None = Field(description="The 95 % bootstrap interval's low end.")
    high: float | None
    too_few: bool = Field(description="Fewer voices than OMBUD_BAROMETER_MIN_VOICES: no index.")


class BarometerPublic(BaseModel):
    period: str
    min_voices: int
    resamples: int
    overall: BarometerValuePublic
    by_period: list[BarometerValuePublic]
    by_segment: list[BarometerValuePublic]
    by_period_and_segment: list[BarometerValuePublic]


class ThemePeriodPublic(BaseModel):
    period: str
    customers: int


class ThemeTrendPublic(BaseModel):
    theme_id: int
    title: str = Field(description="Masked for analysts: a customer's words.")
    company: str | None
    status: str
    customers: int = Field(description="Distinct customers who wished for it among the filter's voices.")
    wishes: int
    change: int | None = Field(description="Customers in the last period minus the one before.")
    series: list[ThemePeriodPublic]


class WishDemandPublic(BaseModel):
    period: str
    themes: list[ThemeTrendPublic]


class TopicEmotionsPublic(BaseModel):
    voices: int
    topics: list[str]
    emotions: list[str]
    counts: dict[str, dict[str, int]] = Field(description="Voices per topic and emotion.")
    topic_voices: dict[str, int]
    emotion_voices: dict[str, int]


class TopicSentimentPublic(BaseModel):
    voices: int
    topics: list[str]
    counts: dict[str, dict[str, int]] = Field(description="Voices per topic and sentiment.")
    shares: dict[str, dict[str, float | None]]


class GapQuotePublic(BaseModel):
    voice_id: int
    received_at: str
    language: str
    text: str = Field(description="The sentence that shows the gap, personal data masked for everyone.")


class TopicGapsPublic(BaseModel):
    topic: str
    voices: int
    gaps: int
    share: float | None
    quotes: list[GapQuotePublic]


class ExpectationGapsPublic(BaseModel):
    voices: int
    gaps: int
    share: float | None
    topics: list[TopicGapsPublic]


class PresenceFiguresPublic(BaseModel):
    key: str
    voices: int = Field(description="Voices in cases.")
    voices_answered: int
    cases: int
    cases_answered: int
    overdue: int
    median_first_response_hours: float | None
    p90_first_response_hours: float | None
    answered_share: float | None


class FeedbackCoveragePublic(BaseModel):
    customers_with_wish: int
    customers_with_feedback: int
    share: float | None


class PresencePublic(BaseModel):
    by: str
    at: str
    rows: list[PresenceFiguresPublic]
    total: PresenceFiguresPublic
    feedback: FeedbackCoveragePublic


class DashboardPublic(BaseModel):
    filter: FilterPublic
    period: str
    at: str
    voices: int
    mix_by_period: VoiceMixPublic
    mix_by_place: dict[str, VoiceMixPublic] = Field(description="By channel, company, industry, language, segment.")
    flags: FlagsOverTimePublic
    barometer: BarometerPublic
    wishes: WishDemandPublic
    topic_emotions: TopicEmotionsPublic
    topic_sentiment: TopicSentimentPublic
    gaps: ExpectationGapsPublic
    presence: PresencePublic


class VoiceBehindPublic(BaseModel):
    voice_id: int
    received_at: str
    channel: str
    company: str | None
    customer_id: int
    customer: str | None = Field(description="The primary identity; null for analysts.")
    language: str
    text: str = Field(description="Personal data masked for analysts.")
    dominant_act: str
    sentiment: str
    sentiment_score: float
    emotions: list[str]
    flags: list[str]
    case_id: int | None


class VoicesBehindPublic(BaseModel):
    filter: FilterPublic
    total: int
    offset: int
    limit: int
    voices: list[VoiceBehindPublic]
