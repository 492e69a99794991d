"""How much a theme is wanted: distinct customers, the trend by month, the channels, the emotions around it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.errors import WishThemeError
from ombud.loop.themes_changes import STATUSES, theme_or_error
from ombud.store.models import Voice, VoiceAnalysis, Wish, WishTheme


@dataclass
class ThemeDemand:
    theme_id: int
    customers: int = 0
    wishes: int = 0
    voices: int = 0
    # Distinct customers per month of their voices (YYYY-MM, in order), per channel and per emotion read in
    # their voices (each customer counted once per emotion), most first.
    by_month: list[tuple[str, int]] = field(default_factory=list)
    channels: list[tuple[str, int]] = field(default_factory=list)
    emotions: list[tuple[str, int]] = field(default_factory=list)
    sentiment: dict[str, int] = field(default_factory=dict)  # voices by sentiment


@dataclass
class BoardEntry:
    theme: WishTheme
    customers: int
    wishes: int


def theme_demand(session: Session, theme_id: int) -> ThemeDemand:
    theme = theme_or_error(session, theme_id, open_only=False)
    rows = session.execute(
        select(Wish.customer_id, Voice.id, Voice.channel, Voice.received_at, VoiceAnalysis.emotions)
        .add_columns(VoiceAnalysis.sentiment)
        .join(Voice, Voice.id == Wish.voice_id)
        .outerjoin(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
        .where(Wish.theme_id == theme.id)
    ).all()
    demand = ThemeDemand(theme_id=theme.id, wishes=len(rows))
    months: dict[str, set[int]] = defaultdict(set)
    channels: dict[str, set[int]] = defaultdict(set)
    emotions: dict[str, set[int]] = defaultdict(set)
    sentiment: Counter[str] = Counter()
    voices: set[int] = set()
    for customer_id, voice_id, channel, received_at, felt, mood in rows:
        months[received_at.strftime("%Y-%m")].add(customer_id)
        channels[channel].add(customer_id)
        for emotion in felt or []:
            emotions[emotion].add(customer_id)
        if voice_id not in voices and mood:
            sentiment[mood] += 1
        voices.add(voice_id)
    demand.customers = len({row[0] for row in rows})
    demand.voices = len(voices)
    demand.by_month = [(month, len(months[month])) for month in sorted(months)]
    demand.channels = sorted(((c, len(ids)) for c, ids in channels.items()), key=lambda p: (-p[1], p[0]))
    demand.emotions = sorted(((e, len(ids)) for e, ids in emotions.items()), key=lambda p: (-p[1], p[0]))
    demand.sentiment = dict(sentiment)
    return demand


def board(session: Session, *, company: str | None = None, status: str | None = None) -> list[BoardEntry]:
    """The wish board (every company's when ``company`` is None): open themes with wishes, most customers first."""
    if status is not None and status not in STATUSES:
        raise WishThemeError(f"unknown status {status!r}: choose one of {', '.join(STATUSES)}")
    query = select(WishTheme).where(WishTheme.merged_into_id.is_(None))
    if company is not None:
        query = query.where(WishTheme.company == company)
    if status is not None:
        query = query.where(WishTheme.status == status)
    entries = []
    for theme in session.scalars(query):
        if theme.wishes:
            customers = len({wish.customer_id for wish in theme.wishes})
            entries.append(BoardEntry(theme, customers, len(theme.wishes)))
    entries.sort(key=lambda e: (-e.customers, -e.wishes, e.theme.id))
    return entries
