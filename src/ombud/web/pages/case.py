"""The case page: every voice with its sentences marked by act, emotions and flags with their evidence, the
suggested reply in a composer, and assigning and status. Analysts see it read-only, personal data masked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ombud.access.roles import Permission
from ombud.errors import CaseError, ReplyError
from ombud.locale import Translator
from ombud.loop.case_views import CaseDetail, case_detail
from ombud.loop.cases import STATUSES, assign, get_case, set_status
from ombud.loop.priority import refresh_priorities
from ombud.loop.replies import awaiting_reply, send_reply, suggest_reply
from ombud.store.types import utc_now
from ombud.web.deps import Reader, SessionDep, Worker, translator
from ombud.web.principal import Principal
from ombud.web.rendering import render
from ombud.web.views import case_json
from ombud.web.words import error_text

router = APIRouter()


def show_case(
    request: Request,
    session: SessionDep,
    principal: Principal,
    case_id: int,
    *,
    reply_body: str | None = None,
    reply_subject: str | None = None,
    problem: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    now = utc_now()  # one moment for the priority's reasons and the waiting time beside them
    case = get_case(session, case_id)
    refresh_priorities(session, [case.id], now=now)
    draft = None
    can_work = principal.can(Permission.WORK)
    if can_work and awaiting_reply(session, case):  # after a reply, a draft only for what came since
        draft = suggest_reply(session, case_id)  # routes a legal claim to the claims team, as the CLI does
    session.commit()
    detail = case_detail(session, case_id, now=now)
    return render(
        request,
        "case.html",
        principal,
        status_code=status_code,
        case=case_json(detail, principal),
        opened_at=detail.case.opened_at,
        due_at=detail.case.first_response_due,
        voice_times={view.voice.id: view.voice.received_at for view in detail.voices},
        event_times=[event.at for event in detail.events],
        can_work=can_work,
        draft=draft,
        reply_body=reply_body if reply_body is not None else (draft.body if draft else ""),
        reply_subject=reply_subject if reply_subject is not None else (draft.subject if draft else ""),
        statuses=STATUSES,
        problem=problem,
        notice=_notice(translator(request, principal), done, detail),
    )


def _notice(t: Translator, done: str | None, detail: CaseDetail) -> str | None:
    """What the page says after an action (``?done=…``), true to the case as it is now: a reply "queued for
    sending" only while it waits; once sent it says so, and a failed one is told by its message's status."""
    if done not in ("sent", "assigned", "status"):
        return None
    if done == "sent":
        replies = [message for message in detail.messages if message.kind == "reply"]
        if not replies:
            return None
        status = replies[-1].status
        if status == "sent":
            return t("case.done.delivered")
        if status not in ("queued", "sending", "manual"):
            return None
    return t(f"case.done.{done}")


@router.get("/cases/{case_id}", name="case_page")
def case_page(
    request: Request, case_id: int, session: SessionDep, principal: Reader, done: str | None = None
) -> Response:
    return show_case(request, session, principal, case_id, done=done)


@router.post("/cases/{case_id}/reply", name="case_reply")
def case_reply(
    request: Request,
    case_id: int,
    session: SessionDep,
    principal: Worker,
    body: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    waiting: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        send_reply(
            session,
            case_id,
            body,
            author=principal.user.name or principal.user.email,
            subject=subject or None,
            waiting_for_customer=bool(waiting),
        )
        session.commit()
    except ReplyError as error:
        session.rollback()  # the agent's text stays in the composer
        return show_case(
            request,
            session,
            principal,
            case_id,
            reply_body=body,
            reply_subject=subject,
            problem=error_text(translator(request, principal), error),
            status_code=422,
        )
    return RedirectResponse(f"/cases/{case_id}?done=sent", status_code=303)


@router.post("/cases/{case_id}/assign", name="case_assign")
def case_assign(
    request: Request,
    case_id: int,
    session: SessionDep,
    principal: Worker,
    assignee: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
) -> Response:
    try:
        assign(session, get_case(session, case_id), assignee=assignee, team=team, actor=principal.user.email)
        session.commit()
    except CaseError as error:
        session.rollback()
        problem = error_text(translator(request, principal), error)
        return show_case(request, session, principal, case_id, problem=problem, status_code=422)
    return RedirectResponse(f"/cases/{case_id}?done=assigned", status_code=303)


@router.post("/cases/{case_id}/status", name="case_status")
def case_status(
    request: Request, case_id: int, session: SessionDep, principal: Worker, status: Annotated[str, Form()]
) -> Response:
    try:
        set_status(session, get_case(session, case_id), status, actor=principal.user.email)
        session.commit()
    except CaseError as error:
        session.rollback()
        problem = error_text(translator(request, principal), error)
        return show_case(request, session, principal, case_id, problem=problem, status_code=422)
    return RedirectResponse(f"/cases/{case_id}?done=status", status_code=303)
