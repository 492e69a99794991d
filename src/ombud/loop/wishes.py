"""The wish board: every wish sentence in a theme of similar wishes, kept up to date as new voices arrive.

:func:`update_themes` places each wish sentence the understanding engine read
(``sentence_analyses.act == "wish"``) that is not yet in a theme: it joins the
theme of its company's board it is nearest to on average, if near enough, or
starts a new theme with the wishes that arrived with it and are near it
(themes_grouping.py; tokens from themes_tokens.py, compared in the board's
space, themes_space.py). Themes are per company (``voices.metadata["company"]``;
voices without one share a board). Wishes already placed stay where they are,
so agents' merges, splits and statuses hold; a wish whose sentence is no longer
read as a wish, or whose customer was erased, leaves its theme. When the
encoder or the wish-theme model changes, every wish is embedded again and
every centre recomputed.

Merge, split and status changes live in themes_changes.py, demand in
themes_demand.py; both are re-exported here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
from ombud.loop.themes_grouping import place, representatives
from ombud.loop.themes_model import WishThemeModel
from ombud.loop.themes_regroup import regroup_board
from ombud.loop.themes_space import Prepared
from ombud.loop.themes_store import (
    COMPANY,
    Board,
    active_themes,
    board_language,
    load_board,
    refresh_themes,
    representative_quotes,
    themes_by_id,
)
from ombud.loop.themes_tokens import TokenSet, WishInVoice, context_span, embed_token_sets, pack
from ombud.loop.themes_vectors import encoder_label, wish_encoder, wish_model
from ombud.settings import get_settings
from ombud.store.models import Customer, SentenceAnalysisRow, Voice, VoiceAnalysis, Wish, WishTheme, WishTokens
from ombud.understand.encoders import SpanEncoder

# New wishes grouped together at most (the grouping holds their similarities pairwise).
CHUNK = 500
# Wishes of a board whose similarities set a new wish's row level (an even sample when there are more).
REFERENCE = 256


@dataclass
class ThemeUpdate:
    encoder: str
    wishes_added: int = 0
    themes_started: int = 0
    wishes_removed: int = 0
    wishes_reembedded: int = 0
    wishes_regrouped: int = 0  # moved between open themes when the board was grouped again (themes_regroup.py)
    themes_removed: int = 0  # open themes left empty by that


@dataclass
class _Candidate:
    voice: Voice
    sentence: SentenceAnalysisRow
    company: str | None
    tokens: TokenSet | None = None

    @property
    def language(self) -> str:
        return self.sentence.language

    @property
    def text(self) -> str:
        return self.voice.text[self.sentence.start : self.sentence.end].strip()


def update_themes(session: Session, *, encoder: SpanEncoder | None = None) -> ThemeUpdate:
    """Bring every board up to date with what was read; the caller commits."""
    encoder = encoder or wish_encoder()
    model = wish_model()
    label = encoder_label(encoder, model)
    report = ThemeUpdate(encoder=label)
    touched: set[int] = set()
    report.wishes_removed = _remove_stale(session, touched)
    report.wishes_reembedded = _reembed_if_needed(session, encoder, model, label)

    candidates = _candidates(session)
    if candidates:
        spans = _in_voices(session, [(c.voice, c.sentence) for c in candidates])
        for candidate, tokens in zip(candidates, embed_token_sets(encoder, spans, model), strict=True):
            candidate.tokens = tokens
    threshold = get_settings().wish_theme_similarity
    comparison = model.comparison(encoder.name)

    by_board: dict[str | None, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_board[candidate.company].append(candidate)
    for company, arrivals in by_board.items():
        placed_tokens = [(c.language, c.tokens) for c in arrivals if c.tokens is not None]
        space = load_board(session, company, encoder, model, arrivals=placed_tokens)
        themes = active_themes(session, company)
        members = _representatives(themes, space, model)
        keys: list[int | None] = [theme.id for theme in themes]
        prepared = [space.space.prepare(c.tokens, c.language) for c in arrivals if c.tokens is not None]
        everyone = [p for group in members for p in group] + prepared
        reference = everyone[:: max(1, len(everyone) // REFERENCE)][:REFERENCE]
        for first in range(0, len(arrivals), CHUNK):
            chunk = prepared[first : first + CHUNK]
            placed = place(members, chunk, reference, comparison, model.parameters, threshold)
            for candidate, wish, index in zip(arrivals[first : first + CHUNK], chunk, placed, strict=True):
                if index == len(keys):
                    theme = WishTheme(company=company, title="", status="new", encoder=label)
                    session.add(theme)
                    session.flush()
                    keys.append(theme.id)
                    members.append([])
                    report.themes_started += 1
                key = keys[index]
                assert key is not None and candidate.tokens is not None
                if len(members[index]) < model.parameters.representatives:
                    members[index].append(wish)
                stored = Wish(
                    theme_id=key,
                    voice_id=candidate.voice.id,
                    position=candidate.sentence.position,
                    customer_id=candidate.voice.customer_id,
                    text=candidate.text,
                    language=candidate.sentence.language,
                    vector=candidate.tokens.pooled(model).tobytes(),
                )
                session.add(stored)
                session.flush()
                session.add(WishTokens(wish_id=stored.id, tokens=pack(candidate.tokens)))
                touched.add(key)
                report.wishes_added += 1
        session.flush()
        board_now = load_board(session, company, encoder, model)
        themes = active_themes(session, company)
        regrouping = regroup_board(
            session, themes, board_now, model, comparison.threshold if threshold is None else threshold, label
        )
        report.wishes_regrouped += regrouping.moved
        report.themes_started += regrouping.started
        report.themes_removed += len(regrouping.removed)
        touched = (touched | regrouping.touched) - regrouping.removed
        refresh_themes(session, active_themes(session, company), board_now, retitle=touched)
    leftover = [theme for theme in themes_by_id(session, touched) if theme.company not in by_board]
    for company in {theme.company for theme in leftover}:
        board_now = load_board(session, company, encoder, model)
        refresh_themes(session, [t for t in leftover if t.company == company], board_now, retitle=touched)
    return report


def _representatives(themes: Sequence[WishTheme], board_: Board, model: WishThemeModel) -> list[list[Prepared]]:
    """Per theme, the members a new wish is compared with (themes_grouping.representatives)."""
    chosen: list[list[Prepared]] = []
    for theme in themes:
        members = [p for wish in sorted(theme.wishes, key=lambda w: w.id) if (p := board_.prepared(wish.id))]
        chosen.append(representatives(members, model.parameters.representatives))
    return chosen


def _in_voices(session: Session, wishes: Sequence[tuple[Voice, SentenceAnalysisRow]]) -> list[WishInVoice]:
    """Each wish sentence in its voice, with the voice's nearest non-wish sentence as its context."""
    voice_ids = sorted({voice.id for voice, _ in wishes})
    sentences: dict[int, list[SentenceAnalysisRow]] = defaultdict(list)
    for first in range(0, len(voice_ids), 500):
        for row in session.scalars(
            select(SentenceAnalysisRow)
            .where(SentenceAnalysisRow.voice_id.in_(voice_ids[first : first + 500]))
            .order_by(SentenceAnalysisRow.voice_id, SentenceAnalysisRow.position)
        ):
            sentences[row.voice_id].append(row)
    spans: list[WishInVoice] = []
    for voice, sentence in wishes:
        around = sentences[voice.id]
        marked = [(s.start, s.end, s.act == "wish") for s in around]
        index = next((k for k, s in enumerate(around) if s.position == sentence.position), 0)
        spans.append(
            WishInVoice(voice.text, sentence.start, sentence.end, context_span(marked, index), sentence.language)
        )
    return spans


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


def _reembed_if_needed(session: Session, encoder: SpanEncoder, model: WishThemeModel, label: str) -> int:
    """Embed every wish again when any theme was grouped with another encoder or model, or a wish has no tokens."""
    outdated = session.scalar(
        select(func.count()).select_from(WishTheme).where(or_(WishTheme.encoder.is_(None), WishTheme.encoder != label))
    )
    missing = session.scalar(
        select(func.count())
        .select_from(Wish)
        .outerjoin(WishTokens, WishTokens.wish_id == Wish.id)
        .where(WishTokens.wish_id.is_(None))
    )
    if not outdated and not missing:
        return 0
    rows = session.execute(
        select(Wish, Voice, SentenceAnalysisRow)
        .join(Voice, Voice.id == Wish.voice_id)
        .join(
            SentenceAnalysisRow,
            and_(SentenceAnalysisRow.voice_id == Wish.voice_id, SentenceAnalysisRow.position == Wish.position),
        )
        .order_by(Wish.id)
    ).all()
    spans = _in_voices(session, [(voice, sentence) for _, voice, sentence in rows])
    for first in range(0, len(rows), 1000):
        chunk = rows[first : first + 1000]
        session.execute(delete(WishTokens).where(WishTokens.wish_id.in_([wish.id for wish, _, _ in chunk])))
        for (wish, _, _), tokens in zip(
            chunk, embed_token_sets(encoder, spans[first : first + 1000], model), strict=True
        ):
            wish.vector = tokens.pooled(model).tobytes()
            session.add(WishTokens(wish_id=wish.id, tokens=pack(tokens)))
        session.flush()
    for theme in session.scalars(select(WishTheme)):
        theme.encoder = label
        theme.centroid = None  # recomputed below for every board with wishes
    session.flush()
    for company in set(session.scalars(select(WishTheme.company).distinct())):
        refresh_themes(
            session, active_themes(session, company), load_board(session, company, encoder, model), retitle=set()
        )
    return len(rows)


__all__ = [
    "FEEDBACK_STATUSES",
    "STATUSES",
    "BoardEntry",
    "ThemeDemand",
    "ThemeUpdate",
    "active_themes",
    "board",
    "board_language",
    "load_board",
    "merge_themes",
    "refresh_themes",
    "representative_quotes",
    "set_theme_status",
    "split_theme",
    "theme_demand",
    "update_themes",
]
