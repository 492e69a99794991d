"""Regrouping the open part of a wish board, so that wishes that trickled in one by one end up grouped as well
as a bulk import groups them.

A theme is open while nobody has acted on it: status new, no status change,
never merged into or split by an agent (``arranged_at``). When new wishes
reach a board, its open wishes are grouped again from scratch, together,
against the settled themes (which keep every wish they hold and may gain
open ones), with the same average linkage and threshold as new wishes
(themes_grouping.place). Each new group keeps the id of the open theme it
shares the most wishes with, so a theme's id holds while its wishes do; an
open theme left without wishes is removed. Measured on the training boards
(scripts/build_wish_model.py) and the sample (bench/wish_themes.py), placing
wishes one voice at a time loses a fifth of the adjusted Rand index that
grouping them together reaches; regrouping wins it back.

A board with more open wishes than :data:`LIMIT` is not regrouped (the cost
grows with their square); its new wishes are placed as they come.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.loop.themes_grouping import matched, place, representatives
from ombud.loop.themes_model import WishThemeModel
from ombud.loop.themes_space import Prepared
from ombud.loop.themes_store import Board
from ombud.store.models import Wish, WishTheme, WishThemeChange

LIMIT = 1000  # open wishes a board may hold and still be regrouped (about 15 s of one core)
REFERENCE = 256  # wishes whose similarities set each wish's row level (an even sample when there are more)


@dataclass
class Regrouping:
    moved: int = 0
    started: int = 0
    removed: set[int] = field(default_factory=set)  # ids of the open themes left empty, now gone
    touched: set[int] = field(default_factory=set)  # ids of the themes that gained or lost wishes


def open_themes(session: Session, themes: list[WishTheme]) -> list[WishTheme]:
    """The themes nobody has acted on: status new, no change, not arranged, nothing merged into them."""
    ids = [theme.id for theme in themes]
    targets = set(session.scalars(select(WishTheme.merged_into_id).where(WishTheme.merged_into_id.in_(ids))))
    changed = set(session.scalars(select(WishThemeChange.theme_id).where(WishThemeChange.theme_id.in_(ids))))
    return [
        theme
        for theme in themes
        if theme.status == "new" and theme.arranged_at is None and theme.id not in targets | changed
    ]


def regroup_board(
    session: Session,
    themes: list[WishTheme],
    board: Board,
    model: WishThemeModel,
    threshold: float,
    label: str,
) -> Regrouping:
    """Group the open wishes of a board's ``themes`` again; the caller commits."""
    result = Regrouping()
    opened = open_themes(session, themes)
    settled = [theme for theme in themes if theme not in opened]
    wishes = [(wish, theme.id) for theme in opened for wish in sorted(theme.wishes, key=lambda w: w.id)]
    prepared = [(wish, theme_id, p) for wish, theme_id in wishes if (p := board.prepared(wish.id)) is not None]
    if not prepared or len(prepared) > LIMIT:
        return result
    members: list[list[Prepared]] = []
    for theme in settled:
        found = [p for wish in sorted(theme.wishes, key=lambda w: w.id) if (p := board.prepared(wish.id))]
        members.append(representatives(found, model.parameters.representatives))
    everyone = [p for group in members for p in group] + [p for _, _, p in prepared]
    reference = everyone[:: max(1, len(everyone) // REFERENCE)][:REFERENCE]
    comparison = model.comparison(board.encoder_name)
    groups = place(members, [p for _, _, p in prepared], reference, comparison, model.parameters, threshold)
    keeps = matched([theme_id for _, theme_id, _ in prepared], groups)
    target: dict[int, int] = {index: settled[index].id for index in range(len(settled))}
    for group in sorted(set(groups) - set(target)):
        if group in keeps:
            target[group] = keeps[group]
        else:
            theme = WishTheme(company=board.company, title="", status="new", encoder=label)
            session.add(theme)
            session.flush()
            target[group] = theme.id
            result.started += 1
    for (wish, theme_id, _), group in zip(prepared, groups, strict=True):
        if target[group] != theme_id:
            wish.theme_id = target[group]
            result.moved += 1
            result.touched |= {theme_id, target[group]}
    session.flush()
    for theme in opened:
        session.refresh(theme, ["wishes"])
        if not theme.wishes and not session.scalar(select(Wish.id).where(Wish.theme_id == theme.id).limit(1)):
            session.delete(theme)
            result.removed.add(theme.id)
            result.touched.discard(theme.id)
    session.flush()
    return result
