"""The wish board: themes by demand, one theme with merge and split, and a status change that shows the
feedback each customer would get before it is queued."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ombud.access.roles import Permission
from ombud.errors import FeedbackError, WishThemeError
from ombud.loop.feedback import preview_feedback, queue_feedback
from ombud.loop.wishes import FEEDBACK_STATUSES, STATUSES, board, merge_themes, set_theme_status, split_theme
from ombud.store.models import WishTheme
from ombud.web.deps import Reader, SessionDep, Worker, translator
from ombud.web.principal import Principal
from ombud.web.rendering import render
from ombud.web.wish_views import boards_json, feedback_json, theme_json

router = APIRouter()


@router.get("/wishes", name="wish_board")
def wish_board(
    request: Request, session: SessionDep, principal: Reader, status: str | None = None, company: str | None = None
) -> Response:
    entries = boards_json(session, board(session, company=company or None, status=status or None), principal)
    companies = sorted({name for name in session.scalars(select(WishTheme.company).distinct()) if name is not None})
    return render(
        request,
        "wishes.html",
        principal,
        themes=entries,
        most=max([entry["customers"] for entry in entries] or [1]),
        theme_statuses=STATUSES,
        status=status or "",
        company=company or "",
        companies=companies,
    )


def show_theme(
    request: Request,
    session: SessionDep,
    principal: Principal,
    theme_id: int,
    *,
    problem: str | None = None,
    notice: str | None = None,
    note: str = "",
    chosen_status: str | None = None,
    status_code: int = 200,
) -> Response:
    theme = theme_json(session, theme_id, principal)
    others = boards_json(
        session,
        [
            entry
            for entry in board(session, company=theme["company"])
            if entry.theme.id != theme_id and entry.theme.company == theme["company"]
        ],
        principal,
    )
    return render(
        request,
        "wish.html",
        principal,
        status_code=status_code,
        theme=theme,
        others=others,
        can_work=principal.can(Permission.WORK),
        problem=problem,
        notice=notice,
        note=note,
        chosen_status=chosen_status,
    )


@router.get("/wishes/{theme_id}", name="wish_theme")
def wish_theme(
    request: Request, theme_id: int, session: SessionDep, principal: Reader, done: str | None = None
) -> Response:
    notice = translator(request, principal)(f"wishes.done.{done}") if done in ("merged", "split", "status") else None
    return show_theme(request, session, principal, theme_id, notice=notice)


@router.post("/wishes/{theme_id}/merge", name="wish_merge")
def wish_merge(
    request: Request, theme_id: int, session: SessionDep, principal: Worker, other_id: Annotated[int, Form()]
) -> Response:
    try:
        merge_themes(session, theme_id, other_id, actor=principal.user.email)
        session.commit()
    except WishThemeError as error:
        session.rollback()
        return show_theme(request, session, principal, theme_id, problem=str(error), status_code=422)
    return RedirectResponse(f"/wishes/{theme_id}?done=merged", status_code=303)


@router.post("/wishes/{theme_id}/split", name="wish_split")
def wish_split(
    request: Request,
    theme_id: int,
    session: SessionDep,
    principal: Worker,
    wish_ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    if not wish_ids:  # the form's own check: the core's answer names the CLI's option
        problem = translator(request, principal)("problem.split_nothing")
        return show_theme(request, session, principal, theme_id, problem=problem, status_code=422)
    try:
        new = split_theme(session, theme_id, wish_ids, actor=principal.user.email)
        session.commit()
    except WishThemeError as error:
        session.rollback()
        return show_theme(request, session, principal, theme_id, problem=str(error), status_code=422)
    return RedirectResponse(f"/wishes/{new.id}?done=split", status_code=303)


@router.post("/wishes/{theme_id}/status", name="wish_status")
def wish_status(
    request: Request,
    theme_id: int,
    session: SessionDep,
    principal: Worker,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    confirm: Annotated[str | None, Form()] = None,
) -> Response:
    """First a preview of the feedback (nothing changes), then, confirmed, the change and its feedback queued."""
    try:
        change = set_theme_status(session, theme_id, status, note=note, actor=principal.user.email)
        batch = preview_feedback(session, change.id) if status in FEEDBACK_STATUSES else None
        if batch is not None and not confirm:
            theme = theme_json(session, theme_id, principal)
            session.rollback()
            return render(
                request,
                "wish_preview.html",
                principal,
                theme=theme,
                status=status,
                note=note,
                feedback=feedback_json(batch, principal),
                skipped=batch.skipped,
            )
        if batch is not None:
            queue_feedback(session, change.id, author=principal.user.email)
        session.commit()
    except (WishThemeError, FeedbackError) as error:
        session.rollback()
        return show_theme(
            request, session, principal, theme_id, problem=str(error), note=note, chosen_status=status, status_code=422
        )
    return RedirectResponse(f"/wishes/{theme_id}?done=status", status_code=303)
