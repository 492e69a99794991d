"""/api/insight: the dashboard as a whole and each of its figures for the voices of a filter, and the voices
behind any figure (drill-down), paged, masked for analysts. Every route takes the same filter as query
parameters: ``from``, ``to`` (local days, YYYY-MM-DD), ``channel``, ``company``, ``industry``, ``language``,
``segment``, and for drill-down ``act``, ``emotion``, ``topic``, ``flag``, ``sentiment``, ``wish_theme``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from ombud.insight import (
    DEFAULT_PERIOD,
    MIX_BY,
    InsightFilter,
    barometer,
    dashboard,
    expectation_gaps,
    flags_over_time,
    presence,
    topic_emotions,
    topic_sentiment,
    voice_mix,
    voices_behind,
    wish_demand,
)
from ombud.insight.drilldown import LARGEST_PAGE
from ombud.web.deps import Reader, SessionDep
from ombud.web.insight_views import dashboard_json, demand_json, gaps_json, voices_json
from ombud.web.schemas.insight import (
    BarometerPublic,
    DashboardPublic,
    ExpectationGapsPublic,
    FlagsOverTimePublic,
    PresencePublic,
    TopicEmotionsPublic,
    TopicSentimentPublic,
    VoiceMixPublic,
    VoicesBehindPublic,
    WishDemandPublic,
)

router = APIRouter(prefix="/insight", tags=["insight"])


def insight_filter(
    start: Annotated[date | None, Query(alias="from", description="First day (local), YYYY-MM-DD.")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (local, included), YYYY-MM-DD.")] = None,
    channel: Annotated[str | None, Query(description="email, chat, review, survey, call_note, …")] = None,
    company: Annotated[str | None, Query(description="The voices' `company` (import column or tag).")] = None,
    industry: Annotated[str | None, Query(description="The voices' `industry`.")] = None,
    language: Annotated[str | None, Query(description="The language ombud read: sv, nb, nn, da, en, fi, …")] = None,
    segment: Annotated[str | None, Query(description="The voices' `segment`; `(none)` picks those without.")] = None,
    act: Annotated[str | None, Query(description="Dominant act: complaint, praise, wish, question, other.")] = None,
    emotion: Annotated[str | None, Query(description="anger, anticipation, joy, trust, fear, surprise, …")] = None,
    topic: Annotated[str | None, Query(description="A topic: delivery, price, product, staff, …")] = None,
    flag: Annotated[str | None, Query(description="expectation_gap, legal_claim or churn_risk.")] = None,
    sentiment: Annotated[str | None, Query(description="negative, neutral or positive.")] = None,
    wish_theme: Annotated[int | None, Query(description="Voices with a wish in this theme.")] = None,
) -> InsightFilter:
    """The filter of the query; a value the core does not know is a 422 that names it."""
    return InsightFilter(
        start=start,
        end=end,
        channel=channel or None,
        company=company or None,
        industry=industry or None,
        language=language or None,
        segment=segment or None,
        act=act or None,
        emotion=emotion or None,
        topic=topic or None,
        flag=flag or None,
        sentiment=sentiment or None,
        wish_theme=wish_theme,
    )


Filter = Annotated[InsightFilter, Depends(insight_filter)]
Period = Annotated[str, Query(description="Group periods by day, week, month or quarter.")]


def _kept(session: Session) -> None:
    """Keep the insight facts the call brought up to date."""
    session.commit()


@router.get("/dashboard", response_model=DashboardPublic)
def read_dashboard(
    session: SessionDep, principal: Reader, chosen: Filter, period: Period = DEFAULT_PERIOD
) -> dict[str, object]:
    """Everything the dashboard shows: voice mix by period and place, flags over time, the barometer, top wish
    themes, topics × emotions and × sentiment, expectation gaps with quotes, presence."""
    board = dashboard(session, chosen, period=period)
    _kept(session)
    return dashboard_json(session, board, principal)


@router.get("/mix", response_model=VoiceMixPublic)
def read_mix(
    session: SessionDep,
    _principal: Reader,
    chosen: Filter,
    period: Period = DEFAULT_PERIOD,
    by: Annotated[str, Query(description=f"Mix by {', '.join(MIX_BY)}.")] = "period",
) -> dict[str, object]:
    """Voices per dominant act (complaint, praise, wish, question, other) by period or by a place."""
    mix = voice_mix(session, chosen, by=by, period=period)
    _kept(session)
    return mix.as_json()


@router.get("/flags", response_model=FlagsOverTimePublic)
def read_flags(
    session: SessionDep, _principal: Reader, chosen: Filter, period: Period = DEFAULT_PERIOD
) -> dict[str, object]:
    """Expectation gaps, legal claims and churn risk per period."""
    flags = flags_over_time(session, chosen, period=period)
    _kept(session)
    return flags.as_json()


@router.get("/barometer", response_model=BarometerPublic)
def read_barometer(
    session: SessionDep, _principal: Reader, chosen: Filter, period: Period = DEFAULT_PERIOD
) -> dict[str, object]:
    """The barometer 0–100 per period and segment, each with its voices, 95 % interval, or too few voices."""
    meter = barometer(session, chosen, period=period)
    _kept(session)
    return meter.as_json()


@router.get("/wishes", response_model=WishDemandPublic)
def read_wishes(
    session: SessionDep,
    principal: Reader,
    chosen: Filter,
    period: Period = DEFAULT_PERIOD,
    top: Annotated[int, Query(ge=1, le=100, description="How many themes.")] = 10,
) -> dict[str, object]:
    """The wish themes with the most customers, with their customers per period and the last change."""
    demand = wish_demand(session, chosen, period=period, limit=top)
    _kept(session)
    return demand_json(session, demand, principal)


@router.get("/emotions", response_model=TopicEmotionsPublic)
def read_emotions(session: SessionDep, _principal: Reader, chosen: Filter) -> dict[str, object]:
    """Voices per topic and emotion: what customers feel, and about what."""
    felt = topic_emotions(session, chosen)
    _kept(session)
    return felt.as_json()


@router.get("/sentiment", response_model=TopicSentimentPublic)
def read_sentiment(session: SessionDep, _principal: Reader, chosen: Filter) -> dict[str, object]:
    """Voices per topic and sentiment."""
    felt = topic_sentiment(session, chosen)
    _kept(session)
    return felt.as_json()


@router.get("/gaps", response_model=ExpectationGapsPublic)
def read_gaps(
    session: SessionDep,
    _principal: Reader,
    chosen: Filter,
    quotes: Annotated[int, Query(ge=0, le=20, description="Newest quotes per topic.")] = 3,
) -> dict[str, object]:
    """Expectation gaps by topic with the newest quotes (personal data masked for everyone)."""
    gaps = expectation_gaps(session, chosen, quotes=quotes)
    _kept(session)
    return gaps_json(session, gaps)


@router.get("/presence", response_model=PresencePublic)
def read_presence(session: SessionDep, _principal: Reader, chosen: Filter) -> dict[str, object]:
    """Answered share, first-response times and overdue cases by channel, and feedback coverage."""
    figures = presence(session, chosen)
    _kept(session)
    return figures.as_json()


@router.get("/voices", response_model=VoicesBehindPublic)
def read_voices_behind(
    session: SessionDep,
    principal: Reader,
    chosen: Filter,
    limit: Annotated[int, Query(ge=1, le=LARGEST_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, object]:
    """The voices behind a figure, newest first, with how many there are (texts masked for analysts)."""
    page = voices_behind(session, chosen, limit=limit, offset=offset)
    _kept(session)
    return voices_json(session, page, principal)
