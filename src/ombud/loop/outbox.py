"""The transactional outbox: a message to a customer is queued in the same transaction as what caused it.

Nothing is sent here; the delivery worker (delivery.py) sends what is queued. A
message is known by its idempotency key — what it is for — so asking twice for
the same reply or the same feedback queues it once. Its Message-ID is fixed
here, before any attempt, so the worker can recognise a message the SMTP
server already took when a crash came between sending and recording.
"""

from __future__ import annotations

import uuid
from email.utils import parseaddr

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ombud.settings import get_settings
from ombud.store.models import OutboundMessage
from ombud.store.types import utc_now

# Channels whose messages go out by e-mail; any other channel's message is kept for posting by hand.
MAIL_CHANNELS = frozenset({"email"})


def mail_domain() -> str:
    _, address = parseaddr(get_settings().mail_from)
    return address.rpartition("@")[2] or "ombud.invalid"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{mail_domain()}>"


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    customer_id: int,
    channel: str,
    recipient: str | None,
    language: str,
    subject: str,
    body: str,
    case_id: int | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    author: str | None = None,
) -> OutboundMessage:
    """Queue one message (or return the one already queued under ``key``); the caller commits.

    A message for a mail channel with a recipient is ``queued`` for the worker; any other is ``manual``:
    recorded, for an agent to post where the customer wrote (a public review, say).
    """
    existing = session.scalars(select(OutboundMessage).where(OutboundMessage.idempotency_key == key)).first()
    if existing is not None:
        return existing
    by_mail = channel in MAIL_CHANNELS and bool(recipient)
    message = OutboundMessage(
        idempotency_key=key,
        kind=kind,
        case_id=case_id,
        customer_id=customer_id,
        channel=channel,
        recipient=recipient if by_mail else None,
        language=language,
        subject=subject,
        body=body,
        message_id=new_message_id(),
        in_reply_to=in_reply_to,
        references=references,
        status="queued" if by_mail else "manual",
        attempts=0,
        next_attempt_at=utc_now() if by_mail else None,
        author=author,
    )
    try:
        with session.begin_nested():  # a savepoint: losing the race below must not undo the caller's work
            session.add(message)
    except IntegrityError:
        # Another agent or worker queued the same message between the look-up and here: theirs stands.
        raced = session.scalars(select(OutboundMessage).where(OutboundMessage.idempotency_key == key)).first()
        if raced is None:
            raise
        return raced
    return message
