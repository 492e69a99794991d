"""Feedback (återkoppling): when a theme is planned, done or declined, each of its customers hears it personally.

Every customer with a wish in the theme gets one message per status change,
in their own language (their preferred language, else the language of their
wish), on their own channel (that of the voice they last wished in; by e-mail
to their e-mail identity, or kept for posting by hand where there is no
e-mail), quoting their own words, saying what was decided and why (the
change's note), and thanking them. Nothing goes to a customer who opted out
or was erased. Messages are queued through the outbox under the key
``feedback:{change_id}:{customer_id}``, so queuing twice queues once;
:func:`preview_feedback` shows the batch without queuing anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import parseaddr

from jinja2 import TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.errors import FeedbackError, MessageTemplateError
from ombud.loop.outbox import MAIL_CHANNELS, enqueue
from ombud.loop.templates import LANGUAGES, template
from ombud.loop.themes_changes import FEEDBACK_STATUSES
from ombud.loop.themes_titles import title_of
from ombud.settings import get_settings
from ombud.store.models import (
    Customer,
    CustomerIdentity,
    OutboundMessage,
    Voice,
    VoiceAnalysis,
    Wish,
    WishThemeChange,
)


@dataclass
class FeedbackMessage:
    key: str
    customer_id: int
    channel: str
    recipient: str | None  # the e-mail address; None where the message is posted by hand
    language: str
    subject: str
    body: str
    wishes: list[str]
    in_reply_to: str | None = None
    references: str | None = None


@dataclass
class FeedbackBatch:
    change_id: int
    theme_id: int
    status: str
    messages: list[FeedbackMessage] = field(default_factory=list)
    # Customers who get nothing this time, and why: opted out, erased, or already queued for this change.
    skipped: list[tuple[int, str]] = field(default_factory=list)


def feedback_key(change_id: int, customer_id: int) -> str:
    return f"feedback:{change_id}:{customer_id}"


def preview_feedback(session: Session, change_id: int) -> FeedbackBatch:
    """The messages the change would send, one per customer of the theme; nothing is queued."""
    change = session.get(WishThemeChange, change_id)
    if change is None:
        raise FeedbackError(f"there is no wish theme change {change_id}")
    if change.status not in FEEDBACK_STATUSES:
        raise FeedbackError(
            f"change {change_id} moved theme {change.theme_id} to {change.status}; customers hear back only when "
            f"a theme is {', '.join(sorted(FEEDBACK_STATUSES))}"
        )
    batch = FeedbackBatch(change_id=change.id, theme_id=change.theme_id, status=change.status)
    rows = session.execute(
        select(Wish, Voice)
        .join(Voice, Voice.id == Wish.voice_id)
        .where(Wish.theme_id == change.theme_id)
        .order_by(Voice.received_at, Voice.id, Wish.position)
    ).all()
    by_customer: dict[int, list[tuple[Wish, Voice]]] = defaultdict(list)
    for wish, voice in rows:
        by_customer[wish.customer_id].append((wish, voice))
    queued = set(
        session.scalars(
            select(OutboundMessage.idempotency_key).where(
                OutboundMessage.idempotency_key.in_([feedback_key(change.id, c) for c in by_customer])
            )
        )
    )
    for customer_id, wishes in by_customer.items():
        customer = session.get(Customer, customer_id)
        assert customer is not None
        key = feedback_key(change.id, customer_id)
        if customer.erased_at is not None:
            batch.skipped.append((customer_id, "erased"))
        elif customer.contact_opt_out:
            batch.skipped.append((customer_id, "opted out"))
        elif key in queued:
            batch.skipped.append((customer_id, "already queued"))
        else:
            batch.messages.append(_message(session, change, customer, wishes, key))
    return batch


def queue_feedback(session: Session, change_id: int, *, author: str | None = None) -> list[OutboundMessage]:
    """Queue the change's feedback (what :func:`preview_feedback` shows); the caller commits."""
    batch = preview_feedback(session, change_id)
    return [
        enqueue(
            session,
            key=message.key,
            kind="feedback",
            customer_id=message.customer_id,
            channel=message.channel,
            recipient=message.recipient,
            language=message.language,
            subject=message.subject,
            body=message.body,
            in_reply_to=message.in_reply_to,
            references=message.references,
            author=author,
        )
        for message in batch.messages
    ]


def _message(
    session: Session, change: WishThemeChange, customer: Customer, wishes: list[tuple[Wish, Voice]], key: str
) -> FeedbackMessage:
    last_wish, last_voice = wishes[-1]
    language = _language(session, customer, last_wish, last_voice)
    recipient = None
    in_reply_to = references = None
    if last_voice.channel in MAIL_CHANNELS:
        recipient = session.scalars(
            select(CustomerIdentity.value)
            .where(CustomerIdentity.customer_id == customer.id, CustomerIdentity.kind == "email")
            .order_by(CustomerIdentity.id)
        ).first()
        if last_voice.message_id:
            in_reply_to = last_voice.message_id
            thread = [str(r) for r in last_voice.meta.get("references") or []] + [last_voice.message_id]
            references = " ".join(thread)
    quoted = list(dict.fromkeys(wish.text for wish, _ in wishes))
    values = {
        "name": (customer.name or "").split()[0] if (customer.name or "").strip() else None,
        "wishes": quoted,
        "title": title_of(quoted[0]),
        "status": change.status,
        "note": change.note or "",
        "sender": parseaddr(get_settings().mail_from)[0] or "",
    }
    try:
        subject = " ".join(template(language, "feedback_subject").render(values).split())
        body = template(language, "feedback").render(values).strip() + "\n"
    except TemplateError as error:
        raise MessageTemplateError(f"the {language} feedback template cannot be rendered: {error}") from error
    return FeedbackMessage(
        key=key,
        customer_id=customer.id,
        channel=last_voice.channel,
        recipient=recipient,
        language=language,
        subject=subject,
        body=body,
        wishes=quoted,
        in_reply_to=in_reply_to,
        references=references,
    )


def _language(session: Session, customer: Customer, wish: Wish, voice: Voice) -> str:
    for candidate in (customer.preferred_language, wish.language):
        if candidate in LANGUAGES:
            return candidate
    read = session.scalar(select(VoiceAnalysis.language).where(VoiceAnalysis.voice_id == voice.id))
    return read if read in LANGUAGES else "en"
