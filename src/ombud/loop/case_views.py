"""Cases as an agent sees them: the list by priority, and one case with everything in it.

``list_cases`` orders cases by their priority now (waiting time grows; worked out in SQL from each case's
``reading_priority``), then the longest waiting first, and brings the stored priority and its words up to
date for the cases it returns. ``case_detail`` gathers the customer, every voice in order
with what ombud read in it, every event and every outbound message of a case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, exists, func, select
from sqlalchemy.orm import Session

from ombud.capture.identity import identity_rank
from ombud.errors import CaseError, OmbudError
from ombud.labels import ACTS, EMOTIONS, FLAGS
from ombud.loop.cases import STATUSES, get_case
from ombud.loop.priority import (
    Reason,
    is_overdue,
    overdue_condition,
    priority_now,
    refresh_priorities,
    stored_reasons,
    waited,
    waiting_time,
)
from ombud.store.models import (
    Case,
    CaseEvent,
    CaseVoice,
    Customer,
    CustomerIdentity,
    OutboundMessage,
    SentenceAnalysisRow,
    Voice,
    VoiceAnalysis,
)
from ombud.store.types import utc_now


@dataclass
class CaseSummary:
    """One line of the case list."""

    id: int
    customer_id: int
    customer: str | None  # the primary identity: e-mail, else phone, else an id in another system
    customer_kind: str | None  # its kind (capture's IDENTITY_KINDS)
    customer_name: str | None
    channel: str
    topic: str | None
    subject: str | None
    status: str
    priority: int
    reasons: list[Reason]
    waiting_hours: float | None
    waited: Reason | None  # the waiting time as the reasons say it (whole hours, else days), None: not waiting
    first_response_due: datetime | None
    first_response_at: datetime | None
    overdue: bool
    assignee: str | None
    team: str | None
    voices: int
    opened_at: datetime
    last_customer_at: datetime

    def as_json(self) -> dict[str, Any]:
        """Times as ISO 8601; ``reasons`` in English words, ``reason_codes`` as codes with their parameters."""
        document = {
            name: value.isoformat() if isinstance(value, datetime) else value for name, value in vars(self).items()
        }
        document["reasons"] = [reason.english for reason in self.reasons]
        document["reason_codes"] = [reason.as_json() for reason in self.reasons]
        document["waited"] = None if self.waited is None else self.waited.as_json()
        return document


def primary_identities(session: Session, customer_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each customer's (kind, value): e-mail, or else phone, or else an id in another system, or any identity."""
    found: dict[int, tuple[int, str, str]] = {}
    for start in range(0, len(customer_ids), 900):
        chunk = customer_ids[start : start + 900]
        for customer_id, kind, value in session.execute(
            select(CustomerIdentity.customer_id, CustomerIdentity.kind, CustomerIdentity.value)
            .where(CustomerIdentity.customer_id.in_(chunk))
            .order_by(CustomerIdentity.id)
        ):
            rank = identity_rank(kind)
            if customer_id not in found or rank < found[customer_id][0]:
                found[customer_id] = (rank, kind, value)
    return {customer_id: (kind, value) for customer_id, (_, kind, value) in found.items()}


@dataclass(frozen=True)
class CaseFilter:
    """What the case list narrows to by what the customers said: a channel, the case's language, and cases with
    a voice read with this act (in any sentence), this emotion or this flag. None: any."""

    channel: str | None = None
    language: str | None = None
    act: str | None = None
    emotion: str | None = None
    flag: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        check_reading_names(self.act, self.emotion, self.flag, CaseError)
        conditions: list[ColumnElement[bool]] = []
        if self.channel is not None:
            conditions.append(Case.channel == self.channel)
        if self.language is not None:
            conditions.append(Case.language == self.language)
        if self.act is not None:
            conditions.append(
                exists()
                .where(CaseVoice.case_id == Case.id, SentenceAnalysisRow.voice_id == CaseVoice.voice_id)
                .where(SentenceAnalysisRow.act == self.act)
            )
        read = reading_conditions(self.emotion, self.flag)
        if read:
            conditions.append(
                exists().where(CaseVoice.case_id == Case.id, VoiceAnalysis.voice_id == CaseVoice.voice_id, *read)
            )
        return conditions


def check_reading_names(act: str | None, emotion: str | None, flag: str | None, error: type[OmbudError]) -> None:
    """Raise ``error`` naming the choices when a filter names an act, emotion or flag ombud does not read."""
    for name, value, known in (("act", act, ACTS), ("emotion", emotion, EMOTIONS), ("flag", flag, FLAGS)):
        if value is not None and value not in known:
            raise error(f"unknown {name} {value!r}: choose {', '.join(known)}")


def reading_conditions(emotion: str | None, flag: str | None) -> list[ColumnElement[bool]]:
    """Conditions on a voice's reading (``VoiceAnalysis``): it felt this emotion, it carries this flag."""
    read: list[ColumnElement[bool]] = []
    if emotion is not None:
        # A JSON list of fixed names: its text holds the name in quotes, on SQLite and PostgreSQL alike.
        read.append(cast(VoiceAnalysis.emotions, Text).like(f'%"{emotion}"%'))
    if flag is not None:
        read.append(getattr(VoiceAnalysis, flag).is_(True))
    return read


def _filters(
    status: str | None, overdue: bool, assignee: str | None, team: str | None, now: datetime
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if status is None:
        conditions.append(Case.status != "resolved")
    elif status != "all":
        if status not in STATUSES:
            raise CaseError(f"unknown status {status!r}: choose {', '.join(STATUSES)} or all")
        conditions.append(Case.status == status)
    if overdue:
        conditions.append(overdue_condition(now))
    if assignee is not None:
        conditions.append(Case.assignee == assignee)
    if team is not None:
        conditions.append(Case.team == team)
    return conditions


def list_cases(
    session: Session,
    *,
    now: datetime | None = None,
    status: str | None = None,
    overdue: bool = False,
    assignee: str | None = None,
    team: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
    narrow: CaseFilter | None = None,
) -> list[CaseSummary]:
    """Cases by priority (``status`` None: every case not resolved; "all": every case), narrowed by ``narrow``,
    from the ``offset``-th on. The caller commits the refreshed priorities."""
    now = now or utc_now()
    query = (
        select(Case)
        .where(*_filters(status, overdue, assignee, team, now), *(narrow or CaseFilter()).conditions())
        .order_by(priority_now(session, now).desc(), Case.unanswered_since.is_(None), Case.unanswered_since, Case.id)
    )
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    cases = session.scalars(query).all()
    ids = [case.id for case in cases]
    refresh_priorities(session, ids, now=now)  # the words, for the cases shown
    counts: dict[int, int] = {}
    customers: dict[int, Customer] = {}
    if ids:
        counts = {
            case_id: int(count)
            for case_id, count in session.execute(
                select(CaseVoice.case_id, func.count()).where(CaseVoice.case_id.in_(ids)).group_by(CaseVoice.case_id)
            )
        }
        customer_ids = sorted({case.customer_id for case in cases})
        customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))}
    identities = primary_identities(session, sorted(customers))
    summaries = []
    for case in cases:
        waiting = waiting_time(case, now)
        summaries.append(
            CaseSummary(
                id=case.id,
                customer_id=case.customer_id,
                customer=identities[case.customer_id][1] if case.customer_id in identities else None,
                customer_kind=identities[case.customer_id][0] if case.customer_id in identities else None,
                customer_name=customers[case.customer_id].name,
                channel=case.channel,
                topic=case.topic,
                subject=case.subject,
                status=case.status,
                priority=case.priority,
                reasons=stored_reasons(case.priority_reasons),
                waiting_hours=None if waiting is None else round(waiting.total_seconds() / 3600, 1),
                waited=None if waiting is None else waited(waiting),
                first_response_due=case.first_response_due,
                first_response_at=case.first_response_at,
                overdue=is_overdue(case, now),
                assignee=case.assignee,
                team=case.team,
                voices=counts.get(case.id, 0),
                opened_at=case.opened_at,
                last_customer_at=case.last_customer_at,
            )
        )
    return summaries


def count_cases(
    session: Session,
    *,
    now: datetime | None = None,
    status: str | None = None,
    overdue: bool = False,
    assignee: str | None = None,
    team: str | None = None,
    narrow: CaseFilter | None = None,
) -> int:
    """How many cases ``list_cases`` would list with these filters and no limit (for paging)."""
    conditions = [*_filters(status, overdue, assignee, team, now or utc_now()), *(narrow or CaseFilter()).conditions()]
    return int(session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0)


@dataclass
class SentenceView:
    position: int
    text: str
    act: str
    act_probability: float
    sentiment: str
    sentiment_score: float
    topics: list[str]
    start: int = 0  # where the sentence starts in its voice's text (stored spans are offsets into that text)


@dataclass
class FlagView:
    name: str
    probability: float | None
    evidence: str | None  # the sentence that shows it best


@dataclass
class VoiceView:
    """One voice of a case with what ombud read in it (``analysis`` None: not read yet)."""

    voice: Voice
    analysis: VoiceAnalysis | None
    sentences: list[SentenceView]
    emotions: list[tuple[str, float | None]]
    flags: list[FlagView]


@dataclass
class CaseDetail:
    case: Case
    customer: Customer
    identities: list[CustomerIdentity]
    voices: list[VoiceView]
    events: list[CaseEvent]
    messages: list[OutboundMessage]
    overdue: bool
    waiting_hours: float | None
    waited: Reason | None = None  # as CaseSummary.waited

    def as_json(self) -> dict[str, Any]:
        case = self.case
        return {
            "id": case.id,
            "status": case.status,
            "priority": case.priority,
            "reasons": [reason.english for reason in stored_reasons(case.priority_reasons)],
            "reason_codes": [reason.as_json() for reason in stored_reasons(case.priority_reasons)],
            "channel": case.channel,
            "topic": case.topic,
            "subject": case.subject,
            "language": case.language,
            "assignee": case.assignee,
            "team": case.team,
            "opened_at": _time(case.opened_at),
            "first_response_due": _time(case.first_response_due),
            "first_response_at": _time(case.first_response_at),
            "resolved_at": _time(case.resolved_at),
            "reopened_count": case.reopened_count,
            "overdue": self.overdue,
            "waiting_hours": self.waiting_hours,
            "waited": None if self.waited is None else self.waited.as_json(),
            "customer": {
                "id": self.customer.id,
                "name": self.customer.name,
                "language": self.customer.preferred_language,
                "contact_opt_out": self.customer.contact_opt_out,
                "erased": self.customer.erased_at is not None,
                "identities": [{"kind": item.kind, "value": item.value} for item in self.identities],
            },
            "voices": [_voice_json(view) for view in self.voices],
            "events": [
                {"at": _time(event.at), "kind": event.kind, "actor": event.actor, "detail": event.detail}
                for event in self.events
            ],
            "messages": [
                {
                    "id": message.id,
                    "kind": message.kind,
                    "status": message.status,
                    "channel": message.channel,
                    "recipient": message.recipient,
                    "subject": message.subject,
                    "body": message.body,
                    "author": message.author,
                    "created_at": _time(message.created_at),
                    "sent_at": _time(message.sent_at),
                    "last_error": message.last_error,
                }
                for message in self.messages
            ],
        }


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _voice_json(view: VoiceView) -> dict[str, Any]:
    voice, analysis = view.voice, view.analysis
    return {
        "id": voice.id,
        "channel": voice.channel,
        "received_at": _time(voice.received_at),
        "subject": voice.subject,
        "text": voice.text,
        "reading": None
        if analysis is None
        else {
            "language": analysis.language,
            "dominant_act": analysis.dominant_act,
            "sentiment": analysis.sentiment,
            "sentiment_score": analysis.sentiment_score,
            "topics": analysis.topics,
            "emotions": [{"name": name, "probability": probability} for name, probability in view.emotions],
            "flags": [vars(flag) for flag in view.flags],
            "sentences": [vars(sentence) for sentence in view.sentences],
        },
    }


def case_detail(session: Session, case_id: int, *, now: datetime | None = None) -> CaseDetail:
    """Everything about one case; an unknown id is a CaseError."""
    now = now or utc_now()
    case = get_case(session, case_id)
    customer = session.get_one(Customer, case.customer_id)
    identities = session.scalars(
        select(CustomerIdentity).where(CustomerIdentity.customer_id == customer.id).order_by(CustomerIdentity.id)
    ).all()
    pairs = session.execute(
        select(Voice, VoiceAnalysis)
        .join(CaseVoice, CaseVoice.voice_id == Voice.id)
        .outerjoin(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
        .where(CaseVoice.case_id == case.id)
        .order_by(Voice.received_at, Voice.id)
    ).all()
    sentences: dict[int, list[SentenceAnalysisRow]] = defaultdict(list)
    for row in session.scalars(
        select(SentenceAnalysisRow)
        .where(SentenceAnalysisRow.voice_id.in_([voice.id for voice, _ in pairs]))
        .order_by(SentenceAnalysisRow.voice_id, SentenceAnalysisRow.position)
    ):
        sentences[row.voice_id].append(row)
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id))
    messages = session.scalars(
        select(OutboundMessage).where(OutboundMessage.case_id == case.id).order_by(OutboundMessage.id)
    )
    waiting = waiting_time(case, now)
    return CaseDetail(
        case=case,
        customer=customer,
        identities=list(identities),
        voices=[_voice_view(voice, analysis, sentences[voice.id]) for voice, analysis in pairs],
        events=list(events),
        messages=list(messages),
        overdue=is_overdue(case, now),
        waiting_hours=None if waiting is None else round(waiting.total_seconds() / 3600, 1),
        waited=None if waiting is None else waited(waiting),
    )


def _voice_view(voice: Voice, analysis: VoiceAnalysis | None, rows: list[SentenceAnalysisRow]) -> VoiceView:
    if analysis is None:
        return VoiceView(voice=voice, analysis=None, sentences=[], emotions=[], flags=[])
    views = [
        SentenceView(
            position=row.position,
            text=voice.text[row.start : row.end],
            act=row.act,
            act_probability=row.act_probability,
            sentiment=row.sentiment,
            sentiment_score=row.sentiment_score,
            topics=list(row.topics or []),
            start=row.start,
        )
        for row in rows
    ]
    details = analysis.details or {}
    probabilities = details.get("emotion_probabilities") or {}
    flag_details = details.get("flag_details") or {}
    flags = []
    for name in ("legal_claim", "churn_risk", "expectation_gap"):
        if not getattr(analysis, name):
            continue
        found = flag_details.get(name) or {}
        evidence = found.get("evidence")
        text = next((view.text for view in views if view.position == evidence), None)
        flags.append(FlagView(name=name, probability=found.get("probability"), evidence=text))
    return VoiceView(
        voice=voice,
        analysis=analysis,
        sentences=views,
        emotions=[(name, probabilities.get(name)) for name in analysis.emotions or []],
        flags=flags,
    )
