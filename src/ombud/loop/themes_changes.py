"""What agents do to themes: merge two, split wishes out into a new one, move a theme's status with a note.

A merge is like Fider's: every wish (and so every customer) of the other theme
moves to the kept one, and the other is marked ``merged_into`` and leaves the
board. Both a merge and a split mark the themes they leave as arranged
(``arranged_at``): the board never regroups an arranged theme's wishes
(loop/wishes.py). Status moves forward along new → under_review → planned →
in_progress → done (steps may be skipped), or to declined from any open
status; a declined theme can be taken back under review. Each change is a
wish_theme_changes row whose note is what the customers are told.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.errors import WishThemeError
from ombud.loop.themes_store import load_board, refresh_themes
from ombud.store.models import Wish, WishTheme, WishThemeChange
from ombud.store.types import utc_now

PATH = ("new", "under_review", "planned", "in_progress", "done")
STATUSES = (*PATH, "declined")
# Changes that bring every customer of the theme a personal message (feedback.py); these need a note.
FEEDBACK_STATUSES = frozenset({"planned", "done", "declined"})


def allowed_moves(status: str) -> tuple[str, ...]:
    if status == "declined":
        return ("under_review",)
    if status not in PATH or status == "done":
        return ()
    return (*PATH[PATH.index(status) + 1 :], "declined")


def theme_or_error(session: Session, theme_id: int, *, open_only: bool = True) -> WishTheme:
    theme = session.get(WishTheme, theme_id)
    if theme is None:
        raise WishThemeError(f"there is no wish theme {theme_id}")
    if open_only and theme.merged_into_id is not None:
        raise WishThemeError(f"wish theme {theme_id} was merged into theme {theme.merged_into_id}; use that one")
    return theme


def set_theme_status(
    session: Session, theme_id: int, status: str, *, note: str | None = None, actor: str | None = None
) -> WishThemeChange:
    """Move a theme to ``status``, recording the change and its note; the caller commits (and queues feedback)."""
    if status not in STATUSES:
        raise WishThemeError(f"unknown status {status!r}: choose one of {', '.join(STATUSES)}")
    theme = theme_or_error(session, theme_id)
    note = (note or "").strip() or None
    if status == theme.status:
        raise WishThemeError(f"wish theme {theme_id} is already {status}")
    if status not in allowed_moves(theme.status):
        moves = ", ".join(allowed_moves(theme.status)) or "none, it is finished"
        raise WishThemeError(
            f"wish theme {theme_id} cannot move from {theme.status} to {status} (it can move to: {moves})"
        )
    if status in FEEDBACK_STATUSES and note is None:
        raise WishThemeError(
            f"moving a theme to {status} tells its customers what was decided and why: give a note (--note)"
        )
    change = WishThemeChange(
        theme_id=theme.id, status_from=theme.status, status=status, note=note, actor=actor, changed_at=utc_now()
    )
    theme.status = status
    theme.status_note = note
    session.add(change)
    session.flush()
    return change


def merge_themes(session: Session, keep_id: int, other_id: int, *, actor: str | None = None) -> WishTheme:
    """Move every wish of ``other_id`` into ``keep_id`` and hide the other; the caller commits."""
    if keep_id == other_id:
        raise WishThemeError("a theme cannot be merged into itself")
    keep = theme_or_error(session, keep_id)
    other = theme_or_error(session, other_id)
    if keep.company != other.company:
        raise WishThemeError(
            f"wish themes {keep_id} and {other_id} are on different boards ({keep.company or 'no company'}, "
            f"{other.company or 'no company'}); a board holds only its own company's wishes"
        )
    for wish in list(other.wishes):
        wish.theme_id = keep.id
    keep.arranged_at = utc_now()
    other.merged_into_id = keep.id
    other.centroid = None
    session.flush()
    session.expire(other, ["wishes"])
    _refresh(session, [keep])
    return keep


def split_theme(session: Session, theme_id: int, wish_ids: Sequence[int], *, actor: str | None = None) -> WishTheme:
    """Move the chosen wishes of a theme into a new theme (status new) on the same board; the caller commits."""
    theme = theme_or_error(session, theme_id)
    chosen = sorted(set(wish_ids))
    if not chosen:
        raise WishThemeError("choose the wishes to split out (--wishes ID,ID,…)")
    wishes = list(session.scalars(select(Wish).where(Wish.id.in_(chosen))))
    missing = sorted(set(chosen) - {w.id for w in wishes if w.theme_id == theme.id})
    if missing:
        raise WishThemeError(f"wish theme {theme_id} holds no wish {', '.join(map(str, missing))}")
    if len(wishes) == len(theme.wishes):
        raise WishThemeError(f"splitting out every wish of theme {theme_id} leaves it empty; keep at least one")
    new = WishTheme(company=theme.company, title="", status="new", encoder=theme.encoder, arranged_at=utc_now())
    theme.arranged_at = new.arranged_at
    session.add(new)
    session.flush()
    for wish in wishes:
        wish.theme_id = new.id
    session.flush()
    session.expire(theme, ["wishes"])
    _refresh(session, [theme, new])
    return new


def _refresh(session: Session, themes: list[WishTheme]) -> None:
    refresh_themes(session, themes, load_board(session, themes[0].company))
