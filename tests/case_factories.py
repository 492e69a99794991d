"""Customers, voices and readings written straight into the store, for the tests of cases and presence."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ombud.store.models import Customer, CustomerIdentity, SentenceAnalysisRow, Voice, VoiceAnalysis


def customer(session: Session, email: str, *, name: str | None = None, language: str | None = None) -> Customer:
    found = Customer(name=name, preferred_language=language)
    session.add(found)
    session.flush()
    session.add(CustomerIdentity(customer_id=found.id, kind="email", value=email))
    session.flush()
    return found


def voice(
    session: Session,
    who: Customer,
    text: str,
    at: datetime,
    *,
    channel: str = "email",
    subject: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
) -> Voice:
    meta: dict[str, Any] = {"references": list(references)} if references else {}
    found = Voice(
        customer_id=who.id,
        channel=channel,
        received_at=at,
        text=text,
        subject=subject,
        message_id=message_id,
        in_reply_to=in_reply_to,
        content_hash=uuid.uuid4().hex,
        dedup_key=uuid.uuid4().hex,
        meta=meta,
    )
    session.add(found)
    session.flush()
    return found


def read(
    session: Session,
    spoken: Voice,
    *,
    language: str,
    act: str = "complaint",
    topics: Sequence[Sequence[str]] = (),
    sentiment: float = 0.0,
    emotions: dict[str, float] | None = None,
    legal_claim: bool = False,
    churn_risk: bool = False,
    expectation_gap: bool = False,
    evidence: int = 0,
) -> VoiceAnalysis:
    """A reading of ``spoken`` with exactly these labels; one sentence per entry of ``topics`` (at least one),
    the text split evenly between them."""
    per_sentence = [list(names) for names in topics] or [[]]
    emotions = emotions or {}
    bounds = _sentence_bounds(spoken.text, len(per_sentence))
    flags = {"legal_claim": legal_claim, "churn_risk": churn_risk, "expectation_gap": expectation_gap}
    analysis = VoiceAnalysis(
        voice_id=spoken.id,
        model="test 1.0",
        tier="fast",
        language=language,
        language_confidence=0.9,
        dominant_act=act,
        acts=[act],
        sentiment="negative" if sentiment < -0.2 else "positive" if sentiment > 0.2 else "neutral",
        sentiment_score=sentiment,
        emotions=[name for name, probability in emotions.items() if probability >= 0.5],
        topics=list(dict.fromkeys(topic for names in per_sentence for topic in names)),
        details={
            "emotion_probabilities": emotions,
            "flag_details": {
                name: {"probability": 0.9 if present else 0.1, "evidence": evidence} for name, present in flags.items()
            },
            "personal_data": [],
            "language_confidence": 0.9,
        },
        **flags,
        sentences=[
            SentenceAnalysisRow(
                position=position,
                start=bounds[position][0],
                end=bounds[position][1],
                language=language,
                act=act,
                act_probability=0.8,
                sentiment="neutral",
                sentiment_score=sentiment,
                topics=names,
            )
            for position, names in enumerate(per_sentence)
        ],
    )
    session.add(analysis)
    session.flush()
    return analysis


def _sentence_bounds(text: str, count: int) -> list[tuple[int, int]]:
    """Where ``count`` sentences of ``text`` start and end: at its full stops when it has that many, else
    in even parts."""
    ends = [match.end() for match in re.finditer(r"[.!?]+(?=\s|$)", text)]
    if len(ends) == count:
        starts = [0] + [len(text[:end]) + len(text[end:]) - len(text[end:].lstrip()) for end in ends[:-1]]
        return list(zip(starts, ends, strict=True))
    step = max(1, len(text) // count)
    return [(index * step, len(text) if index == count - 1 else (index + 1) * step) for index in range(count)]
