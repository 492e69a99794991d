"""The wish board: every wish sentence in a theme of similar wishes, kept up to date as new voices arrive.

:func:`update_themes` places each wish sentence the understanding engine read
(``sentence_analyses.act == "wish"``) that is not yet in a theme: it joins the
theme of its company's board whose centre is nearest, if near enough, or starts
a new theme (themes_grouping.py; vectors from themes_vectors.py). Themes are per
company (``voices.metadata["company"]``; voices without one share a board).
Wishes already placed stay where they are, so agents' merges, splits and
statuses hold; a wish whose sentence is no longer read as a wish, or whose
customer was erased, leaves its theme. When the encoder changes, every wish is
embedded again and every centre recomputed.

Merge, split and status changes live in themes_changes.py, demand in
themes_demand.py; both are re-exported here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from ombud.loop.themes_changes import (
    FEEDBACK_STATUSES,
    STATUSES,
    merge_themes,
    set_theme_status,
    split_theme,
)
from ombud.loop.themes_demand import BoardEntry, ThemeDemand, board, theme_demand
from ombud.loop.themes_grouping import assign, default_threshold
from ombud.loop.themes_store import (
    COMPANY,
    active_themes,
    board_language,
    group_of,
    language_space,
    refresh_themes,
    representative_quotes,
    themes_by_id,
)
from ombud.loop.themes_vectors import Vector, WishSpan, embed_wishes, encoder_label, to_bytes, wish_encoder
from ombud.settings import get_settings
from ombud.store.models import Customer, SentenceAnalysisRow, Voice, VoiceAnalysis, Wish, WishTheme
from ombud.understand.encoders import SpanEncoder


@dataclass
class ThemeUpdate:
    encoder: str
    wishes_added: int = 0
    themes_started: int = 0
    wishes_removed: int = 0
    wishes_reembedded: int = 0


@dataclass
class _Candidate:
    voice: Voice
    sentence: SentenceAnalysisRow
    company: str | None
    vector: Vector | None = None

    @property
    def language(self) -> str:
        return self.sentence.language

    @property
    def text(self) -> str:
        return self.voice.text[self.sentence.start : self.sentence.end].strip()


def update_themes(session: Session, *, encoder: SpanEncoder | None = None) -> ThemeUpdate:
    """Bring every board up to date with what was read; the caller commits."""
    encoder = encoder or wish_encoder()
    label = encoder_label(encoder)
    report = ThemeUpdate(encoder=label)
    touched: set[int] = set()
    report.wishes_removed = _remove_stale(session, touched)
    report.wishes_reembedded = _reembed_if_needed(session, encoder, label)

    candidates = _candidates(session)
    if candidates:
        vectors = embed_wishes(encoder, [WishSpan(c.voice.text, c.sentence.start, c.sentence.end) for c in candidates])
        for candidate, vector in zip(candidates, vectors, strict=True):
            candidate.vector = vector
    space = language_space(session, encoder, extra=candidates)
    threshold = get_settings().wish_theme_similarity
    if threshold is None:
        threshold = default_threshold(encoder.name, space.projection)

    by_board: dict[str | None, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_board[candidate.company].append(candidate)
    for company, arrivals in by_board.items():
        themes = active_themes(session, company)
        groups = [group_of(theme, space) for theme in themes]
        centred = [space.centred(c.vector, c.language) for c in arrivals if c.vector is not None]
        placed = assign(groups, centred, threshold)
        for candidate, index in zip(arrivals, placed, strict=True):
            group = groups[index]
            if group.key is None:
                theme = WishTheme(company=company, title="", status="new", encoder=label)
                session.add(theme)
                session.flush()
                group.key = theme.id
                report.themes_started += 1
            assert candidate.vector is not None
            session.add(
                Wish(
                    theme_id=group.key,
                    voice_id=candidate.voice.id,
                    position=candidate.sentence.position,
                    customer_id=candidate.voice.customer_id,
                    text=candidate.text,
                    language=candidate.sentence.language,
                    vector=to_bytes(candidate.vector),
                )
            )
            touched.add(group.key)
            report.wishes_added += 1
        session.flush()
        # The language means moved with the new wishes: every centre of the board is recomputed.
        refresh_themes(session, active_themes(session, company), space, retitle=touched)
    leftover = [theme for theme in themes_by_id(session, touched) if theme.company not in by_board]
    if leftover:
        refresh_themes(session, leftover, space, retitle=touched)
    return report


# --- what to place, what to take out ---------------------------------------------------------------------


def _candidates(session: Session) -> list[_Candidate]:
    placed = and_(Wish.voice_id == SentenceAnalysisRow.voice_id, Wish.position == SentenceAnalysisRow.position)
    rows = session.execute(
        select(SentenceAnalysisRow, Voice, COMPANY)
        .join(Voice, Voice.id == SentenceAnalysisRow.voice_id)
        .join(Customer, Customer.id == Voice.customer_id)
        .outerjoin(Wish, placed)
        .where(SentenceAnalysisRow.act == "wish", Wish.id.is_(None), Customer.erased_at.is_(None))
        .order_by(Voice.received_at, Voice.id, SentenceAnalysisRow.position)
    ).all()
    found = [_Candidate(voice, sentence, company or None) for sentence, voice, company in rows]
    return [candidate for candidate in found if candidate.text]


def _remove_stale(session: Session, touched: set[int]) -> int:
    """Take out wishes whose sentence is no longer read as that wish, and the wishes of erased customers."""
    sentence = and_(SentenceAnalysisRow.voice_id == Wish.voice_id, SentenceAnalysisRow.position == Wish.position)
    rows = session.execute(
        select(Wish.id, Wish.theme_id, Wish.text, SentenceAnalysisRow.act, SentenceAnalysisRow.start)
        .add_columns(
            SentenceAnalysisRow.end, Voice.text, Customer.erased_at, VoiceAnalysis.analysed_at, Wish.created_at
        )
        .join(Voice, Voice.id == Wish.voice_id)
        .join(Customer, Customer.id == Wish.customer_id)
        .outerjoin(SentenceAnalysisRow, sentence)
        .outerjoin(VoiceAnalysis, VoiceAnalysis.voice_id == Wish.voice_id)
        .where(
            or_(
                SentenceAnalysisRow.id.is_(None),
                SentenceAnalysisRow.act != "wish",
                Customer.erased_at.is_not(None),
                VoiceAnalysis.analysed_at > Wish.created_at,
            )
        )
    ).all()
    stale: list[int] = []
    for wish_id, theme_id, text, act, start, end, voice_text, erased_at, _, _ in rows:
        reread_differently = act == "wish" and voice_text[start:end].strip() != text
        if act != "wish" or erased_at is not None or reread_differently:
            stale.append(wish_id)
            touched.add(theme_id)
    for first in range(0, len(stale), 500):
        session.execute(delete(Wish).where(Wish.id.in_(stale[first : first + 500])))
    return len(stale)


def _reembed_if_needed(session: Session, encoder: SpanEncoder, label: str) -> int:
    outdated = session.scalar(
        select(func.count()).select_from(WishTheme).where(or_(WishTheme.encoder.is_(None), WishTheme.encoder != label))
    )
    if not outdated:
        return 0
    wishes = session.execute(
        select(Wish, Voice.text, SentenceAnalysisRow.start, SentenceAnalysisRow.end)
        .join(Voice, Voice.id == Wish.voice_id)
        .join(
            SentenceAnalysisRow,
            and_(SentenceAnalysisRow.voice_id == Wish.voice_id, SentenceAnalysisRow.position == Wish.position),
        )
    ).all()
    vectors = embed_wishes(encoder, [WishSpan(text, start, end) for _, text, start, end in wishes])
    for (wish, _, _, _), vector in zip(wishes, vectors, strict=True):
        wish.vector = to_bytes(vector)
    for theme in session.scalars(select(WishTheme)):
        theme.encoder = label
        theme.centroid = None  # recomputed below for every board with wishes
    session.flush()
    space = language_space(session, encoder)
    companies = set(session.scalars(select(WishTheme.company).distinct()))
    for company in companies:
        refresh_themes(session, active_themes(session, company), space, retitle=set())
    return len(wishes)


__all__ = [
    "FEEDBACK_STATUSES",
    "STATUSES",
    "BoardEntry",
    "ThemeDemand",
    "ThemeUpdate",
    "active_themes",
    "board",
    "board_language",
    "language_space",
    "merge_themes",
    "refresh_themes",
    "representative_quotes",
    "set_theme_status",
    "split_theme",
    "theme_demand",
    "update_themes",
]
