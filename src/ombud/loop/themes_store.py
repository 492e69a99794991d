"""What the wish board's parts share: the language means, a board's themes, centres, titles and quotes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.errors import WishThemeError
from ombud.loop.themes_grouping import Group
from ombud.loop.themes_titles import title_of
from ombud.loop.themes_vectors import (
    LanguageSpace,
    Vector,
    encoder_label,
    from_bytes,
    normalised,
    to_bytes,
    wish_encoder,
)
from ombud.settings import get_settings
from ombud.store.models import Voice, VoiceAnalysis, Wish, WishTheme
from ombud.understand.encoders import SpanEncoder

COMPANY = Voice.meta["company"].as_string()
LANGUAGES = ("sv", "nb", "nn", "da", "en")


class Unplaced(Protocol):
    """A wish not yet stored: its language and vector."""

    @property
    def language(self) -> str: ...

    @property
    def vector(self) -> Vector | None: ...


def language_space(session: Session, encoder: SpanEncoder, extra: Iterable[Unplaced] = ()) -> LanguageSpace:
    """The language means over every wish in the store (and ``extra`` ones not yet stored)."""
    space = LanguageSpace.for_encoder(encoder)
    by_language: dict[str, list[Vector]] = defaultdict(list)
    for language, vector in session.execute(select(Wish.language, Wish.vector)):
        by_language[language].append(from_bytes(vector))
    for candidate in extra:
        if candidate.vector is not None:
            by_language[candidate.language].append(candidate.vector)
    for language, vectors in by_language.items():
        space.observe(language, [v for v in vectors if v.shape == (encoder.dim,)])
    return space


def active_themes(session: Session, company: str | None) -> list[WishTheme]:
    """The themes of one board that are not merged into another, oldest first."""
    board_of = WishTheme.company.is_(None) if company is None else WishTheme.company == company
    return list(
        session.scalars(select(WishTheme).where(board_of, WishTheme.merged_into_id.is_(None)).order_by(WishTheme.id))
    )


def themes_by_id(session: Session, ids: Iterable[int]) -> list[WishTheme]:
    wanted = sorted(set(ids))
    return list(session.scalars(select(WishTheme).where(WishTheme.id.in_(wanted)))) if wanted else []


def group_of(theme: WishTheme, space: LanguageSpace) -> Group:
    total = np.zeros(space.dim, dtype=np.float64)
    for wish in theme.wishes:
        total += space.centred(from_bytes(wish.vector), wish.language)
    return Group(key=theme.id, total=total, count=len(theme.wishes))


def refresh_themes(
    session: Session, themes: Sequence[WishTheme], space: LanguageSpace, *, retitle: set[int] | None = None
) -> None:
    """Recompute the centres of ``themes`` and, for those in ``retitle`` (all when None), title and language."""
    languages: dict[str | None, str] = {}
    for theme in themes:
        session.refresh(theme, ["wishes"])
        if not theme.wishes:
            theme.centroid = None
            continue
        centred = np.stack([space.centred(from_bytes(w.vector), w.language) for w in theme.wishes])
        centre = normalised(centred.sum(axis=0))
        theme.centroid = to_bytes(centre)
        if retitle is None or theme.id in retitle or not theme.title:
            if theme.company not in languages:
                languages[theme.company] = board_language(session, theme.company)
            theme.language = languages[theme.company]
            theme.title = _title(theme.wishes, centred @ centre, theme.language)
    session.flush()


def _title(wishes: Sequence[Wish], closeness: npt.NDArray[np.float32], language: str) -> str:
    order = np.argsort(-closeness, kind="stable")
    own = [int(i) for i in order if wishes[int(i)].language == language]
    best = wishes[own[0] if own else int(order[0])]
    return title_of(best.text) or best.text[:70]


def board_language(session: Session, company: str | None) -> str:
    """The language of a board's titles: OMBUD_COMPANY_LANGUAGE, else the most common among its voices."""
    chosen = get_settings().company_language
    if chosen:
        return chosen
    board_of = COMPANY.is_(None) if company is None else COMPANY == company  # noqa: SIM300
    counts = session.execute(
        select(VoiceAnalysis.language, func.count())
        .join(Voice, Voice.id == VoiceAnalysis.voice_id)
        .where(board_of, VoiceAnalysis.language.in_(LANGUAGES))
        .group_by(VoiceAnalysis.language)
    ).all()
    if not counts:
        return "en"
    return max(counts, key=lambda row: (row[1], -LANGUAGES.index(row[0])))[0]


def representative_quotes(session: Session, theme_id: int, limit: int = 3) -> list[Wish]:
    """The wishes nearest the theme's centre, at most one per customer."""
    theme = session.get(WishTheme, theme_id)
    if theme is None:
        raise WishThemeError(f"there is no wish theme {theme_id}")
    wishes = sorted(theme.wishes, key=lambda w: w.id)
    if theme.centroid is not None and wishes:
        encoder = wish_encoder()
        centre = from_bytes(theme.centroid)
        space = language_space(session, encoder)
        if theme.encoder == encoder_label(encoder) and centre.shape == (space.dim,):
            closeness = [float(space.centred(from_bytes(w.vector), w.language) @ centre) for w in wishes]
            wishes = [w for _, w in sorted(zip(closeness, wishes, strict=True), key=lambda p: -p[0])]
    quotes: list[Wish] = []
    seen: set[int] = set()
    for wish in wishes:
        if wish.customer_id not in seen:
            seen.add(wish.customer_id)
            quotes.append(wish)
        if len(quotes) == limit:
            break
    return quotes
