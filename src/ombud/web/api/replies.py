"""/api/cases/{id}/draft and /api/cases/{id}/replies: the suggested reply, and sending the agent's text."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, status

from ombud.loop.replies import send_reply, suggest_reply
from ombud.web.deps import SessionDep, Worker
from ombud.web.schemas.replies import DraftPublic, ReplyCreate, ReplyPublic

router = APIRouter(prefix="/cases", tags=["replies"])


def author_of(principal: Worker) -> str:
    return principal.user.name or principal.user.email


@router.get("/{case_id}/draft", response_model=DraftPublic)
def read_draft(case_id: int, session: SessionDep, _principal: Worker) -> dict[str, object]:
    """A draft in the customer's language; a legal claim routes the case to the claims team."""
    draft = suggest_reply(session, case_id)
    session.commit()
    return asdict(draft)


@router.post("/{case_id}/replies", response_model=ReplyPublic, status_code=status.HTTP_201_CREATED)
def create_reply(case_id: int, reply: ReplyCreate, session: SessionDep, principal: Worker) -> dict[str, object]:
    """Queue the agent's reply through the outbox (``manual`` on a channel without an API) and record it."""
    message = send_reply(
        session,
        case_id,
        reply.body,
        author=author_of(principal),
        subject=reply.subject,
        waiting_for_customer=reply.waiting,
    )
    session.commit()
    return {
        "id": message.id,
        "case_id": message.case_id,
        "status": message.status,
        "channel": message.channel,
        "recipient": message.recipient,
        "language": message.language,
        "subject": message.subject,
        "body": message.body,
        "author": message.author,
    }
