"""/api/wish-themes: the wish board by demand, one theme, merge, split, and status changes with a preview of
the feedback each customer would get."""

from __future__ import annotations

from fastapi import APIRouter

from ombud.loop.feedback import preview_feedback, queue_feedback
from ombud.loop.wishes import FEEDBACK_STATUSES, board, merge_themes, set_theme_status, split_theme
from ombud.web.deps import Reader, SessionDep, Worker
from ombud.web.schemas.wishes import (
    ThemeMerge,
    ThemePublic,
    ThemeSplit,
    ThemeStatusResult,
    ThemeStatusUpdate,
    ThemeSummaryPublic,
)
from ombud.web.wish_views import boards_json, feedback_json, theme_json

router = APIRouter(prefix="/wish-themes", tags=["wish themes"])


@router.get("", response_model=list[ThemeSummaryPublic])
def read_board(
    session: SessionDep, principal: Reader, company: str | None = None, status: str | None = None
) -> list[dict[str, object]]:
    """Open themes with wishes, most customers first (every company's board unless ``company``)."""
    return boards_json(session, board(session, company=company, status=status), principal)


@router.get("/{theme_id}", response_model=ThemePublic)
def read_theme(theme_id: int, session: SessionDep, principal: Reader) -> dict[str, object]:
    """A theme with its demand (customers, by month, channels, emotions), quotes, wishes and history."""
    return theme_json(session, theme_id, principal)


@router.post("/{theme_id}/merge", response_model=ThemePublic)
def merge(theme_id: int, request: ThemeMerge, session: SessionDep, principal: Worker) -> dict[str, object]:
    """Move every wish of ``other_id`` into this theme; the other leaves the board."""
    merge_themes(session, theme_id, request.other_id, actor=principal.user.email)
    session.commit()
    return theme_json(session, theme_id, principal)


@router.post("/{theme_id}/split", response_model=ThemePublic, status_code=201)
def split(theme_id: int, request: ThemeSplit, session: SessionDep, principal: Worker) -> dict[str, object]:
    """Move the chosen wishes into a new theme; answers with the new theme."""
    new = split_theme(session, theme_id, request.wish_ids, actor=principal.user.email)
    session.commit()
    return theme_json(session, new.id, principal)


@router.post("/{theme_id}/status", response_model=ThemeStatusResult)
def change_status(
    theme_id: int, request: ThemeStatusUpdate, session: SessionDep, principal: Worker
) -> dict[str, object]:
    """Move the theme; planned, done and declined queue personal feedback to each of its customers. With
    ``preview`` nothing changes and the answer holds the messages it would queue."""
    change = set_theme_status(session, theme_id, request.status, note=request.note, actor=principal.user.email)
    batch = preview_feedback(session, change.id) if request.status in FEEDBACK_STATUSES else None
    result: dict[str, object] = {
        "theme_id": theme_id,
        "status": request.status,
        "previewed": request.preview,
        "change_id": None if request.preview else change.id,
        "feedback": feedback_json(batch, principal),
        "skipped": batch.skipped if batch is not None else [],
        "queued": 0,
    }
    if request.preview:
        session.rollback()
        return result
    queued = queue_feedback(session, change.id, author=principal.user.email) if batch is not None else []
    session.commit()
    result["queued"] = len(queued)
    return result
