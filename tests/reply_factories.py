"""A customer's case written straight into the store — voices, readings per sentence, the case — for the
tests of drafts, replies and delivery."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

import case_factories
from ombud.store.models import (
    Case,
    CaseVoice,
    Customer,
    CustomerIdentity,
    SentenceAnalysisRow,
    Voice,
    VoiceAnalysis,
)

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def customer(
    session: Session,
    *,
    name: str | None = "Anna Svensson",
    email: str | None = "anna@example.se",
    phone: str | None = None,
    preferred_language: str | None = None,
) -> Customer:
    found = Customer(name=name, preferred_language=preferred_language)
    session.add(found)
    session.flush()
    if email:
        session.add(CustomerIdentity(customer_id=found.id, kind="email", value=email))
    if phone:
        session.add(CustomerIdentity(customer_id=found.id, kind="phone", value=phone))
    session.flush()
    return found


def voice(
    session: Session,
    who: Customer,
    sentences: Sequence[tuple[str, str]],
    *,
    language: str,
    emotions: dict[str, float] | None = None,
    legal_claim: bool = False,
    at: datetime = WHEN,
    channel: str = "email",
    subject: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    read: bool = True,
) -> Voice:
    """A voice of (act, sentence) pairs, read with exactly those acts, these emotions and this flag."""
    text = " ".join(sentence for _, sentence in sentences)
    spoken = case_factories.voice(
        session,
        who,
        text,
        at,
        channel=channel,
        subject=subject,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
    )
    if not read:
        return spoken
    emotions = emotions or {}
    rows = []
    start = 0
    for position, (act, sentence) in enumerate(sentences):
        rows.append(
            SentenceAnalysisRow(
                position=position,
                start=start,
                end=start + len(sentence),
                language=language,
                act=act,
                act_probability=0.9,
                sentiment="negative" if act == "complaint" else "neutral",
                sentiment_score=-0.5 if act == "complaint" else 0.0,
                topics=[],
            )
        )
        start += len(sentence) + 1
    acts = list(dict.fromkeys(act for act, _ in sentences))
    session.add(
        VoiceAnalysis(
            voice_id=spoken.id,
            model="test 1.0",
            tier="fast",
            language=language,
            language_confidence=0.95,
            dominant_act=acts[0] if acts else "other",
            acts=acts,
            sentiment="negative" if "complaint" in acts else "neutral",
            sentiment_score=-0.5 if "complaint" in acts else 0.0,
            emotions=list(emotions),
            topics=[],
            expectation_gap=False,
            legal_claim=legal_claim,
            churn_risk=False,
            details={
                "emotion_probabilities": emotions,
                "flag_details": {},
                "personal_data": [],
                "language_confidence": 0.95,
            },
            sentences=rows,
        )
    )
    session.flush()
    return spoken


def case(
    session: Session,
    who: Customer,
    voices: Sequence[Voice],
    *,
    language: str | None = None,
    channel: str = "email",
    subject: str | None = None,
) -> Case:
    first = min(voices, key=lambda spoken: spoken.received_at)
    last = max(voices, key=lambda spoken: spoken.received_at)
    found = Case(
        customer_id=who.id,
        channel=channel,
        subject=subject,
        language=language,
        status="open",
        priority=0,
        priority_reasons=[],
        opened_at=first.received_at,
        last_customer_at=last.received_at,
        first_response_due=first.received_at + timedelta(hours=24),
        unanswered_since=first.received_at,
        reopened_count=0,
    )
    session.add(found)
    session.flush()
    session.add_all(CaseVoice(voice_id=spoken.id, case_id=found.id) for spoken in voices)
    session.flush()
    return found


def one_case(
    session: Session,
    sentences: Sequence[tuple[str, str]],
    *,
    language: str,
    name: str | None = "Anna Svensson",
    email: str | None = "anna@example.se",
    phone: str | None = None,
    preferred_language: str | None = None,
    emotions: dict[str, float] | None = None,
    legal_claim: bool = False,
    channel: str = "email",
    subject: str | None = None,
    message_id: str | None = None,
    references: Sequence[str] = (),
) -> Case:
    """A customer with one voice in one case: the usual start of a test."""
    who = customer(session, name=name, email=email, phone=phone, preferred_language=preferred_language)
    spoken = voice(
        session,
        who,
        sentences,
        language=language,
        emotions=emotions,
        legal_claim=legal_claim,
        channel=channel,
        subject=subject,
        message_id=message_id,
        references=references,
    )
    return case(session, who, [spoken], language=language, channel=channel, subject=subject)
