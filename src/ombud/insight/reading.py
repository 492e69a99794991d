"""What ombud read in the stored voices, counted: acts by company, emotions, flags."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.labels import ACTS, FLAGS
from ombud.store.models import Voice, VoiceAnalysis

COMPANY = Voice.meta["company"].as_string()


def act_mix(session: Session) -> dict[str, dict[str, int]]:
    """company → dominant act → voices (companies without a name are "(none)")."""
    rows = session.execute(
        select(COMPANY, VoiceAnalysis.dominant_act, func.count())
        .join(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
        .group_by(COMPANY, VoiceAnalysis.dominant_act)
    )
    mix: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ACTS, 0))
    for company, act, count in rows:
        mix[company or "(none)"][act] = count
    return dict(sorted(mix.items()))


def emotion_counts(session: Session) -> list[tuple[str, int]]:
    """Emotions by the number of voices that express them, most first."""
    counts: Counter[str] = Counter()
    for emotions in session.scalars(select(VoiceAnalysis.emotions)):
        counts.update(emotions)
    return counts.most_common()


def flag_counts(session: Session) -> dict[str, int]:
    columns = {flag: getattr(VoiceAnalysis, flag) for flag in FLAGS}
    row = session.execute(select(*(func.count().filter(column.is_(True)) for column in columns.values()))).one()
    return dict(zip(columns, (int(value) for value in row), strict=True))
