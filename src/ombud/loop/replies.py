"""Replies to a case: a suggested draft, and the agent's reply queued for the customer.

``suggest_reply`` reads the voices of the case that are not yet answered (those after our last reply, or the
latest voice) and writes a draft in the customer's language (drafts.py). A legal claim routes the case to
claims handling (team ``claims``) as soon as it is seen. ``send_reply`` queues the text the agent wrote —
never the draft unread: a draft still holding a ``[[…]]`` part to fill in is refused — through the outbox,
threaded as an answer to the customer's last e-mail, and records the reply on the case. The same reply
submitted twice to the same customer message is queued once. Both functions leave the commit to the caller.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.errors import Problem, ReplyError
from ombud.loop.cases import assign, get_case, record_reply
from ombud.loop.drafts import (
    PLACEHOLDER,
    Draft,
    DraftInput,
    acknowledged_emotion,
    compose,
    customer_country,
    reply_language,
    reply_subject,
    signature,
)
from ombud.loop.drafts import first_name as first_name_of
from ombud.loop.outbox import enqueue
from ombud.settings import get_settings
from ombud.store.models import (
    Case,
    CaseVoice,
    Customer,
    CustomerIdentity,
    OutboundMessage,
    SentenceAnalysisRow,
    Voice,
    VoiceAnalysis,
)
from ombud.store.types import utc_now

CLAIMS_TEAM = "claims"
MAX_QUOTES = 3  # wishes or questions quoted back per draft
MAX_REFERENCES = 20  # Message-IDs kept in References (the first and the latest)


@dataclass(frozen=True)
class _Reading:
    """What the unanswered voices of a case say, taken together."""

    language: str | None
    acts: list[str]
    emotions: list[str]
    emotion_probabilities: dict[str, float]
    wishes: list[str]
    questions: list[str]
    legal_claim: bool
    unread: int  # voices without an analysis yet


def suggest_reply(session: Session, case_id: int) -> Draft:
    """A draft reply to the case in the customer's language; routes a legal claim to claims handling."""
    case = get_case(session, case_id)
    customer = session.get_one(Customer, case.customer_id)
    voices = unanswered_voices(session, case)
    reading = _read(session, voices)
    language = reply_language(customer.preferred_language, case.language or reading.language)
    country = customer_country(language, _identities(session, customer.id, "phone"), get_settings().phone_country)
    draft = compose(
        DraftInput(
            language=language,
            first_name=first_name_of(customer.name),
            emotion=acknowledged_emotion(reading.emotions, reading.emotion_probabilities),
            acts=reading.acts,
            wishes=reading.wishes,
            questions=reading.questions,
            legal_claim=reading.legal_claim,
            country=country,
            subject=_subject(case, voices),
            signature=signature(),
        )
    )
    reasons = list(draft.reasons)
    routed = None
    if reading.legal_claim:
        routed = CLAIMS_TEAM
        if route_to_claims(session, case, actor="ombud"):
            reasons.append(f"the case is routed to the {CLAIMS_TEAM} team")
    if reading.unread:
        reasons.append(f"{reading.unread} voice(s) not read yet (run `ombud analyze`): the draft cannot use them")
    return replace(draft, case_id=case.id, reasons=reasons, routed_to=routed)


def send_reply(
    session: Session,
    case_id: int,
    body: str,
    *,
    author: str,
    subject: str | None = None,
    waiting_for_customer: bool = False,
    at: datetime | None = None,
) -> OutboundMessage:
    """Queue the agent's reply to the customer of the case and record it on the case; the caller commits.

    By e-mail to the customer's address, as an answer to their last message (In-Reply-To, References); on a
    channel without an API (a public review, say) it is kept as ``manual``, for posting by hand. Submitting the
    same text again before the customer writes anew returns the message already queued.
    """
    case = get_case(session, case_id)
    customer = session.get_one(Customer, case.customer_id)
    text = normalise_body(body)
    if not text.strip():
        raise ReplyError(
            "the reply is empty: write the text to send (--body, --file or --edit)",
            problem=Problem("reply_empty", "the reply is empty: write the text to send"),
        )
    unfilled = PLACEHOLDER.search(text)
    if unfilled:
        part = unfilled.group(0)
        said = f"the reply still holds a part for you to write: {part}"
        raise ReplyError(problem=Problem("reply_unfilled", said, {"part": part}))
    if not author.strip():
        raise ReplyError(problem=Problem("reply_no_author", "say who sends the reply (the agent's name)"))
    if customer.erased_at is not None:
        said = f"customer {customer.id} was erased: nothing is sent to them"
        raise ReplyError(problem=Problem("reply_erased", said, {"customer": customer.id}))
    if customer.contact_opt_out:
        said = f"customer {customer.id} has opted out of contact: nothing is sent to them"
        raise ReplyError(problem=Problem("reply_opted_out", said, {"customer": customer.id}))
    voices = unanswered_voices(session, case)
    parent = next((voice for voice in reversed(_case_voices(session, case)) if voice.message_id), None)
    last_voice_id = voices[-1].id if voices else 0
    key = reply_key(case.id, last_voice_id, text)
    existing = session.scalars(select(OutboundMessage).where(OutboundMessage.idempotency_key == key)).first()
    if existing is not None:
        return existing
    reading = _read(session, voices)
    language = reply_language(customer.preferred_language, case.language or reading.language)
    emails = _identities(session, customer.id, "email")
    message = enqueue(
        session,
        key=key,
        kind="reply",
        customer_id=customer.id,
        channel=case.channel,
        recipient=emails[0] if emails else None,
        language=language,
        subject=" ".join(subject.split())
        if subject and subject.strip()
        else reply_subject(_subject(case, voices), language),
        body=text,
        case_id=case.id,
        in_reply_to=parent.message_id if parent else None,
        references=" ".join(references_for(parent)) if parent else None,
        author=author.strip(),
    )
    moment = at or utc_now()
    if reading.legal_claim:
        route_to_claims(session, case, actor=author.strip())
    record_reply(
        session,
        case,
        at=moment,
        actor=author.strip(),
        waiting_for_customer=waiting_for_customer,
        detail={"message": message.id, "channel": message.channel, "status": message.status},
    )
    return message


def route_to_claims(session: Session, case: Case, *, actor: str) -> bool:
    """Give a case with a legal claim to claims handling; returns False when it already is there."""
    if case.team == CLAIMS_TEAM:
        return False
    return assign(session, case, team=CLAIMS_TEAM, actor=actor)


def reply_key(case_id: int, last_voice_id: int, body: str) -> str:
    """What a reply is for: this text, to this case, after the customer's last voice."""
    digest = hashlib.sha256(normalise_body(body).strip().encode("utf-8")).hexdigest()[:32]
    return f"reply:{case_id}:{last_voice_id}:{digest}"


def normalise_body(body: str) -> str:
    """Unix line ends, no trailing spaces, one newline at the end (so a re-submitted text has the same key)."""
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


def references_for(parent: Voice) -> list[str]:
    """References for an answer to ``parent``: its own References (or In-Reply-To) and its Message-ID."""
    found = parent.meta.get("references") if isinstance(parent.meta, dict) else None
    chain = [str(item) for item in found] if isinstance(found, list) else []
    if not chain and parent.in_reply_to:
        chain = [parent.in_reply_to]
    if parent.message_id:
        chain.append(parent.message_id)
    chain = list(dict.fromkeys(chain))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return chain


def unanswered_voices(session: Session, case: Case) -> list[Voice]:
    """The case's voices after our last reply to it; the latest voice when all were answered."""
    voices = _case_voices(session, case)
    return _after_last_reply(session, case, voices) or voices[-1:]


def awaiting_reply(session: Session, case: Case) -> list[Voice]:
    """The case's voices after our last reply to it: none when every voice was answered (nothing to draft)."""
    return _after_last_reply(session, case, _case_voices(session, case))


def _after_last_reply(session: Session, case: Case, voices: list[Voice]) -> list[Voice]:
    last_reply = session.scalar(
        select(OutboundMessage.created_at)
        .where(
            OutboundMessage.case_id == case.id,
            OutboundMessage.kind == "reply",
            OutboundMessage.status != "cancelled",
        )
        .order_by(OutboundMessage.created_at.desc())
        .limit(1)
    )
    if last_reply is None:
        return voices
    return [voice for voice in voices if voice.received_at > last_reply]


def _case_voices(session: Session, case: Case) -> list[Voice]:
    return list(
        session.scalars(
            select(Voice)
            .join(CaseVoice, CaseVoice.voice_id == Voice.id)
            .where(CaseVoice.case_id == case.id)
            .order_by(Voice.received_at, Voice.id)
        )
    )


def _identities(session: Session, customer_id: int, kind: str) -> list[str]:
    return list(
        session.scalars(
            select(CustomerIdentity.value)
            .where(CustomerIdentity.customer_id == customer_id, CustomerIdentity.kind == kind)
            .order_by(CustomerIdentity.id)
        )
    )


def _subject(case: Case, voices: Sequence[Voice]) -> str | None:
    return next((voice.subject for voice in reversed(voices) if voice.subject), None) or case.subject


def _read(session: Session, voices: Sequence[Voice]) -> _Reading:
    ids = [voice.id for voice in voices]
    analyses = {
        analysis.voice_id: analysis
        for analysis in session.scalars(select(VoiceAnalysis).where(VoiceAnalysis.voice_id.in_(ids)))
    }
    sentences: dict[int, list[SentenceAnalysisRow]] = {}
    for sentence in session.scalars(
        select(SentenceAnalysisRow)
        .where(SentenceAnalysisRow.voice_id.in_(ids))
        .order_by(SentenceAnalysisRow.voice_id, SentenceAnalysisRow.position)
    ):
        sentences.setdefault(sentence.voice_id, []).append(sentence)
    acts: list[str] = []
    emotions: list[str] = []
    probabilities: dict[str, float] = {}
    wishes: list[str] = []
    questions: list[str] = []
    language = None
    legal_claim = False
    for voice in voices:
        analysis = analyses.get(voice.id)
        if analysis is None:
            continue
        language = analysis.language
        legal_claim = legal_claim or analysis.legal_claim
        read_probabilities = (analysis.details or {}).get("emotion_probabilities") or {}
        for emotion in analysis.emotions:
            if emotion not in emotions:
                emotions.append(emotion)
            probability = float(read_probabilities.get(emotion, 0.5))
            probabilities[emotion] = max(probabilities.get(emotion, 0.0), probability)
        voice_sentences = sentences.get(voice.id, [])
        for act in [sentence.act for sentence in voice_sentences] or list(analysis.acts):
            if act not in acts:
                acts.append(act)
        for sentence in voice_sentences:
            said = voice.text[sentence.start : sentence.end].strip()
            if sentence.act == "wish" and said and len(wishes) < MAX_QUOTES:
                wishes.append(said)
            elif sentence.act == "question" and said and len(questions) < MAX_QUOTES:
                questions.append(said)
    return _Reading(
        language=language,
        acts=acts,
        emotions=emotions,
        emotion_probabilities=probabilities,
        wishes=wishes,
        questions=questions,
        legal_claim=legal_claim,
        unread=sum(1 for voice in voices if voice.id not in analyses),
    )
