"""What the wish board's parts share: a board's wishes and space, its themes, centres, titles and quotes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.errors import WishThemeError
from ombud.loop.themes_model import WishThemeModel
from ombud.loop.themes_space import BoardSpace, Prepared
from ombud.loop.themes_titles import title_of
from ombud.loop.themes_tokens import TokenSet, unpack
from ombud.loop.themes_vectors import encoder_label, reference_means, wish_encoder, wish_model
from ombud.settings import get_settings
from ombud.store.models import Voice, VoiceAnalysis, Wish, WishTheme, WishTokens
from ombud.understand.encoders import SpanEncoder

COMPANY = Voice.meta["company"].as_string()
LANGUAGES = ("sv", "nb", "nn", "da", "en")


def active_themes(session: Session, company: str | None) -> list[WishTheme]:
    """The themes of one board that are not merged into another, oldest first."""
    board_of = WishTheme.company.is_(None) if company is None else WishTheme.company == company
    return list(
        session.scalars(select(WishTheme).where(board_of, WishTheme.merged_into_id.is_(None)).order_by(WishTheme.id))
    )


def themes_by_id(session: Session, ids: Iterable[int]) -> list[WishTheme]:
    wanted = sorted(set(ids))
    return list(session.scalars(select(WishTheme).where(WishTheme.id.in_(wanted)))) if wanted else []


@dataclass
class Board:
    """One company's board as the grouping sees it: its space and each stored wish's tokens."""

    company: str | None
    encoder_name: str
    model: WishThemeModel
    space: BoardSpace
    tokens: dict[int, tuple[str, TokenSet]]  # wish id → (language, tokens)

    def prepared(self, wish_id: int) -> Prepared | None:
        found = self.tokens.get(wish_id)
        return self.space.prepare(found[1], found[0]) if found is not None else None


def load_board(
    session: Session,
    company: str | None,
    encoder: SpanEncoder | None = None,
    model: WishThemeModel | None = None,
    arrivals: Sequence[tuple[str, TokenSet]] = (),
) -> Board:
    """A board's stored wish tokens and its space (which also counts ``arrivals`` not yet stored)."""
    encoder = encoder or wish_encoder()
    model = model or wish_model()
    board_of = WishTheme.company.is_(None) if company is None else WishTheme.company == company
    rows = session.execute(
        select(Wish.id, Wish.language, WishTokens.tokens)
        .join(WishTheme, WishTheme.id == Wish.theme_id)
        .join(WishTokens, WishTokens.wish_id == Wish.id)
        .where(board_of, WishTheme.merged_into_id.is_(None))
        .order_by(Wish.id)
    ).all()
    tokens = {wish_id: (language, unpack(data)) for wish_id, language, data in rows}
    usable = {k: v for k, v in tokens.items() if v[1].vectors.shape[1:] == (encoder.dim,)}
    space = BoardSpace.of(model, reference_means(encoder, model), [*usable.values(), *arrivals])
    return Board(company, encoder.name, model, space, usable)


def centre_of(members: Sequence[Prepared]) -> npt.NDArray[np.float32] | None:
    if not members:
        return None
    total = np.sum([member.pooled() for member in members], axis=0)
    length = float(np.linalg.norm(total))
    centre: npt.NDArray[np.float32] = (total / length if length > 1e-12 else total).astype(np.float32)
    return centre


def refresh_themes(
    session: Session, themes: Sequence[WishTheme], board: Board, *, retitle: set[int] | None = None
) -> None:
    """Recompute the centres of ``themes`` and, for those in ``retitle`` (all when None), title and language."""
    languages: dict[str | None, str] = {}
    for theme in themes:
        session.refresh(theme, ["wishes"])
        prepared = [(wish, board.prepared(wish.id)) for wish in theme.wishes]
        known = [(wish, p) for wish, p in prepared if p is not None]
        centre = centre_of([p for _, p in known])
        theme.centroid = centre.tobytes() if centre is not None else None
        if not theme.wishes or not (retitle is None or theme.id in retitle or not theme.title):
            continue
        if theme.company not in languages:
            languages[theme.company] = board_language(session, theme.company)
        theme.language = languages[theme.company]
        ranked = (
            [wish for _, wish in sorted(((-float(p.pooled() @ centre), w.id), w) for w, p in known)]
            if centre is not None
            else []
        )
        theme.title = _title([*ranked, *sorted(theme.wishes, key=lambda w: w.id)], theme.language)
    session.flush()


def _title(wishes: Sequence[Wish], language: str) -> str:
    """The title of the wish nearest the centre in the board's language, else of the nearest one."""
    best = next((wish for wish in wishes if wish.language == language), wishes[0])
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
    encoder = wish_encoder() if wishes and theme.centroid is not None else None
    if encoder is not None and theme.encoder == encoder_label(encoder):
        board = load_board(session, theme.company, encoder)
        prepared = {wish.id: board.prepared(wish.id) for wish in wishes}
        centre = centre_of([p for p in prepared.values() if p is not None])
        if centre is not None:
            closeness = {
                wish.id: float(p.pooled() @ centre) if (p := prepared[wish.id]) is not None else -2.0 for wish in wishes
            }
            wishes = sorted(wishes, key=lambda w: (-closeness[w.id], w.id))
    quotes: list[Wish] = []
    seen: set[int] = set()
    for wish in wishes:
        if wish.customer_id not in seen:
            seen.add(wish.customer_id)
            quotes.append(wish)
        if len(quotes) == limit:
            break
    return quotes
