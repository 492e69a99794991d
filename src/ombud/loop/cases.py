"""Cases: every voice in one case, one customer and one matter, until resolved.

``update_cases`` places each voice not yet in a case, oldest first, in batches (a few set-based queries per
batch, whatever its size), and commits after each batch, so a stopped run keeps its work and running it
again adds nothing. A voice goes to

1. its e-mail thread: the case of the message its In-Reply-To or References names (a customer's voice or
   one of our outbound messages), or of a voice already in a case that answers this one (a reply imported
   before the mail it answers) — only a case of the same customer; a resolved case is reopened;
2. otherwise the customer's most recent open (not resolved) case received within ``OMBUD_CASE_WINDOW_HOURS``
   of the voice on the voice's main topic (the topic most of its sentences carry). A voice with a topic and
   no case on it joins the customer's latest case without a topic in the window (which then takes the
   topic); a voice with no topic — not read yet, or about nothing in the taxonomy, like "Hej, någon
   där?" — joins the customer's latest open case in the window, whatever its topic;
3. otherwise a new case, with its first-response deadline from the SLA (sla.py).

Voices read after their case last changed bring it up to date on the next run: a case opened before its
voices were read takes its topic and language from the reading, and its priority is worked out again.

States: open → answered (we replied) → waiting (we replied and wait for the customer) → resolved. A
customer who writes to an answered or waiting case sets it open again; writing into the thread of a
resolved case reopens it (``reopened_count``). Every change is a ``case_events`` row. What agents do to a
case (``record_reply``, ``set_status``, ``assign``) is in case_actions.py and re-exported here.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, exists, func, insert, or_, select, text
from sqlalchemy.orm import Session

from ombud.loop.case_actions import RESPONSE_EVENTS, STATUSES, assign, get_case, record_reply, set_status
from ombud.loop.priority import VoiceReading, case_priority, overdue_at, refresh_priorities, waiting_since
from ombud.loop.sla import SlaPolicy
from ombud.settings import get_settings
from ombud.store.models import (
    Case,
    CaseEvent,
    CaseVoice,
    Customer,
    OutboundMessage,
    SentenceAnalysisRow,
    Voice,
    VoiceAnalysis,
)
from ombud.store.types import utc_now

cases_table = cast(Table, Case.__table__)

__all__ = [
    "RESPONSE_EVENTS",
    "STATUSES",
    "CaseUpdate",
    "assign",
    "get_case",
    "main_topic",
    "message_ids",
    "record_reply",
    "set_status",
    "update_cases",
]

CASE_LANGUAGES = frozenset({"sv", "nb", "nn", "da", "en", "fi"})
BATCH = 2000
LOOKUP_CHUNK = 900  # ids per IN (…) list
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass
class CaseUpdate:
    """What one ``update_cases`` run did."""

    voices: int = 0  # voices placed in a case
    opened: int = 0  # new cases
    threaded: int = 0  # voices that joined a case by their e-mail thread
    joined: int = 0  # voices that joined an open case of the customer by topic or as the latest one
    reopened: int = 0  # resolved cases reopened by a customer's voice
    read_later: int = 0  # cases brought up to date with readings made after they last changed
    case_ids: set[int] = field(default_factory=set)  # every case opened or changed


@dataclass
class _Pending:
    """A voice waiting for its case, with what placing it needs."""

    id: int
    customer_id: int
    channel: str
    received_at: datetime
    subject: str | None
    message_id: str | None
    parents: list[str]  # message ids it answers, nearest first
    topic: str | None
    language: str | None
    reading: VoiceReading | None


@dataclass
class _NewCase:
    """A case opened in this batch, written with the batch; the same attributes as ``Case``."""

    customer_id: int
    channel: str
    topic: str | None
    subject: str | None
    language: str | None
    opened_at: datetime
    last_customer_at: datetime
    first_response_due: datetime | None
    unanswered_since: datetime | None
    status: str = "open"
    reopened_count: int = 0
    resolved_at: datetime | None = None
    first_response_at: datetime | None = None
    id: int = 0
    readings: list[VoiceReading] = field(default_factory=list)


AnyCase = Case | _NewCase


def message_ids(value: str | None) -> list[str]:
    """The message ids in a header value (``<a@b> <c@d>``), without their angle brackets."""
    if not value or not value.strip():
        return []
    found = [match[1:-1] for match in _MESSAGE_ID.findall(value)]
    return found or [value.strip().strip("<>")]


def _spellings(ids: Iterable[str]) -> list[str]:
    """How a message id may be stored: with and without angle brackets."""
    return sorted({form for bare in ids for form in (bare, f"<{bare}>")})


def main_topic(sentence_topics: Sequence[Sequence[str]], voice_topics: Sequence[str] = ()) -> str | None:
    """The topic most sentences carry; a tie goes to the one the customer raised first."""
    counts = Counter(topic for topics in sentence_topics for topic in topics)
    if not counts:
        return voice_topics[0] if voice_topics else None
    order = {topic: index for index, topic in enumerate(dict.fromkeys([*voice_topics, *counts]))}
    return min(counts, key=lambda topic: (-counts[topic], order[topic]))


def update_cases(
    session: Session,
    now: datetime | None = None,
    *,
    policy: SlaPolicy | None = None,
    window: timedelta | None = None,
    batch_size: int = BATCH,
) -> CaseUpdate:
    """Place every voice not yet in a case (see the module's description); commits after each batch."""
    now = now or utc_now()
    policy = policy or SlaPolicy.from_settings()
    window = timedelta(hours=get_settings().case_window_hours) if window is None else window
    result = CaseUpdate()
    after: tuple[datetime, int] | None = None
    while True:
        query = (
            select(
                Voice.id,
                Voice.customer_id,
                Voice.channel,
                Voice.received_at,
                Voice.subject,
                Voice.message_id,
                Voice.in_reply_to,
                Voice.meta,
                Customer.preferred_language,
                VoiceAnalysis.language,
                VoiceAnalysis.topics,
                VoiceAnalysis.dominant_act,
                VoiceAnalysis.sentiment_score,
                VoiceAnalysis.emotions,
                VoiceAnalysis.details,
                VoiceAnalysis.legal_claim,
                VoiceAnalysis.churn_risk,
                VoiceAnalysis.expectation_gap,
            )
            .join(Customer, Customer.id == Voice.customer_id)
            .outerjoin(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
            .where(~exists().where(CaseVoice.voice_id == Voice.id))
            .order_by(Voice.received_at, Voice.id)
            .limit(batch_size)
        )
        if after is not None:
            query = query.where(
                or_(Voice.received_at > after[0], and_(Voice.received_at == after[0], Voice.id > after[1]))
            )
        rows = session.execute(query).all()
        if not rows:
            break
        result.case_ids |= _place(session, _pending(session, rows), policy, window, result, now)
        session.commit()
        after = (rows[-1].received_at, rows[-1].id)
    caught_up = _catch_up_with_readings(session, now)
    if caught_up:
        session.commit()
        result.read_later = len(caught_up)
        result.case_ids |= caught_up
    return result


def _pending(session: Session, rows: Sequence[Any]) -> list[_Pending]:
    sentence_topics = _sentence_topics(session, [row.id for row in rows if row.topics is not None])
    pending = []
    for row in rows:
        references = (row.meta or {}).get("references") or []
        parents = message_ids(row.in_reply_to)
        for reference in reversed(references if isinstance(references, list) else [str(references)]):
            parents.extend(bare for bare in message_ids(str(reference)) if bare not in parents)
        own = message_ids(row.message_id)
        read = row.topics is not None
        pending.append(
            _Pending(
                id=row.id,
                customer_id=row.customer_id,
                channel=row.channel,
                received_at=row.received_at,
                subject=row.subject,
                message_id=own[0] if own else None,
                parents=parents,
                topic=main_topic(sentence_topics.get(row.id, []), row.topics or []) if read else None,
                language=row.language if row.language in CASE_LANGUAGES else row.preferred_language,
                reading=VoiceReading.from_row(
                    row.dominant_act,
                    row.sentiment_score,
                    row.emotions,
                    row.details,
                    row.legal_claim,
                    row.churn_risk,
                    row.expectation_gap,
                )
                if read
                else None,
            )
        )
    return pending


def _sentence_topics(session: Session, voice_ids: list[int]) -> dict[int, list[list[str]]]:
    found: dict[int, list[list[str]]] = defaultdict(list)
    for chunk in _chunks(voice_ids):
        rows = session.execute(
            select(SentenceAnalysisRow.voice_id, SentenceAnalysisRow.topics)
            .where(SentenceAnalysisRow.voice_id.in_(chunk))
            .order_by(SentenceAnalysisRow.voice_id, SentenceAnalysisRow.position)
        )
        for voice_id, topics in rows:
            found[voice_id].append(list(topics or []))
    return found


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


def _place(
    session: Session,
    pending: list[_Pending],
    policy: SlaPolicy,
    window: timedelta,
    result: CaseUpdate,
    now: datetime,
) -> set[int]:
    """Place one batch of voices; returns the ids of the cases it opened or changed."""
    open_cases = _open_cases(session, pending, window)
    by_message, answered_by = _threads(session, pending)
    new: list[_NewCase] = []
    changed: set[int] = set()
    links: list[tuple[AnyCase, _Pending]] = []
    events: list[tuple[AnyCase, datetime, str, dict[str, Any]]] = []
    for voice in pending:
        case, how = _thread_case(voice, by_message, answered_by)
        if case is None:
            case, how = _open_case_for(open_cases[voice.customer_id], voice, window)
        if case is None:
            case = _new_case(voice, policy)
            new.append(case)
            open_cases[voice.customer_id].append(case)
            events.append((case, voice.received_at, "opened", {"voice_id": voice.id, "channel": voice.channel}))
            result.opened += 1
        else:
            kind, detail = _join(case, voice, how, policy)
            events.append((case, voice.received_at, kind, detail))
            if kind == "reopened":
                result.reopened += 1
                open_cases[voice.customer_id].append(case)
            if how == "thread":
                result.threaded += 1
            else:
                result.joined += 1
        if isinstance(case, _NewCase):
            if voice.reading is not None:
                case.readings.append(voice.reading)
        else:
            changed.add(case.id)
        if voice.message_id:
            by_message[voice.message_id] = case
        links.append((case, voice))
    _insert_new_cases(session, new, now)
    session.flush()  # the changed cases
    session.execute(insert(CaseVoice), [{"voice_id": voice.id, "case_id": case.id} for case, voice in links])
    session.execute(
        insert(CaseEvent),
        [
            {"case_id": case.id, "at": at, "kind": kind, "actor": None, "detail": detail}
            for case, at, kind, detail in events
        ],
    )
    refresh_priorities(session, changed, now=now)  # their earlier voices' readings count too
    result.voices += len(links)
    return changed | {case.id for case in new}


def _insert_new_cases(session: Session, new: list[_NewCase], now: datetime) -> None:
    """Write the batch's new cases with their priority in one statement (RETURNING their ids, in order)."""
    if not new:
        return
    rows = []
    for case in new:
        priority = case_priority(
            case.readings,
            waiting=waiting_since(case.status, case.unanswered_since, now),
            overdue=overdue_at(case.status, case.first_response_at, case.first_response_due, now),
        )
        rows.append(
            {
                "customer_id": case.customer_id,
                "channel": case.channel,
                "topic": case.topic,
                "subject": case.subject,
                "language": case.language,
                "status": case.status,
                "priority": priority.score,
                "priority_reasons": priority.stored_reasons,
                "reading_priority": priority.reading,
                "opened_at": case.opened_at,
                "last_customer_at": case.last_customer_at,
                "first_response_due": case.first_response_due,
                "unanswered_since": case.unanswered_since,
                "reopened_count": case.reopened_count,
            }
        )
    ids: Sequence[int]
    if session.get_bind().dialect.name == "sqlite":
        # SQLite cannot promise the order of RETURNING rows, so SQLAlchemy would insert one row at a time.
        # One executemany instead: the transaction holds SQLite's only write lock from its first row on, so
        # the rows take the next ids in order, and the largest id afterwards is the last of them.
        session.execute(insert(cases_table), rows)
        last = int(session.scalar(select(func.max(Case.id))) or 0)
        ids = range(last - len(rows) + 1, last + 1)
    else:
        # PostgreSQL: take the ids from the table's sequence (safe with other writers), then one executemany;
        # much faster than INSERT … RETURNING with the order of the rows kept.
        ids = session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, :count)"),
            {"count": len(rows)},
        ).all()
        session.execute(insert(cases_table), [{**row, "id": case_id} for row, case_id in zip(rows, ids, strict=True)])
    for case, case_id in zip(new, ids, strict=True):
        case.id = case_id


def _open_cases(session: Session, pending: list[_Pending], window: timedelta) -> dict[int, list[AnyCase]]:
    """The customers' open cases that any voice of the batch can join (the batch is in time order)."""
    earliest = pending[0].received_at - window
    found: dict[int, list[AnyCase]] = defaultdict(list)
    for chunk in _chunks(sorted({voice.customer_id for voice in pending})):
        for case in session.scalars(
            select(Case).where(
                Case.customer_id.in_(chunk), Case.status != "resolved", Case.last_customer_at >= earliest
            )
        ):
            found[case.customer_id].append(case)
    return found


def _threads(session: Session, pending: list[_Pending]) -> tuple[dict[str, AnyCase], dict[str, AnyCase]]:
    """Cases by the message ids the batch's voices answer, and by the ids of voices that answer them."""
    parents = _spellings({parent for voice in pending for parent in voice.parents})
    own = _spellings({voice.message_id for voice in pending if voice.message_id})
    by_message: dict[str, int] = {}
    answered_by: dict[str, int] = {}
    for chunk in _chunks(parents):
        for message_id, case_id in session.execute(
            select(Voice.message_id, CaseVoice.case_id)
            .join(CaseVoice, CaseVoice.voice_id == Voice.id)
            .where(Voice.message_id.in_(chunk))
        ):
            by_message[str(message_id).strip().strip("<>")] = case_id
        for outbound_id, outbound_case in session.execute(
            select(OutboundMessage.message_id, OutboundMessage.case_id).where(
                OutboundMessage.message_id.in_(chunk), OutboundMessage.case_id.is_not(None)
            )
        ):
            if outbound_case is not None:
                by_message.setdefault(outbound_id.strip().strip("<>"), outbound_case)
    for chunk in _chunks(own):
        for in_reply_to, case_id in session.execute(
            select(Voice.in_reply_to, CaseVoice.case_id)
            .join(CaseVoice, CaseVoice.voice_id == Voice.id)
            .where(Voice.in_reply_to.in_(chunk))
        ):
            for bare in message_ids(in_reply_to):
                answered_by.setdefault(bare, case_id)
    wanted = sorted(set(by_message.values()) | set(answered_by.values()))
    cases: dict[int, Case] = {}
    for chunk in _chunks(wanted):
        cases.update((case.id, case) for case in session.scalars(select(Case).where(Case.id.in_(chunk))))
    return (
        {message: cases[case_id] for message, case_id in by_message.items()},
        {message: cases[case_id] for message, case_id in answered_by.items()},
    )


def _thread_case(
    voice: _Pending, by_message: dict[str, AnyCase], answered_by: dict[str, AnyCase]
) -> tuple[AnyCase | None, str]:
    for parent in voice.parents:
        case = by_message.get(parent)
        if case is not None and case.customer_id == voice.customer_id:
            return case, "thread"
    if voice.message_id:
        case = answered_by.get(voice.message_id)
        if case is not None and case.customer_id == voice.customer_id:
            return case, "thread"
    return None, ""


def _open_case_for(cases: list[AnyCase], voice: _Pending, window: timedelta) -> tuple[AnyCase | None, str]:
    near = [
        case for case in cases if case.status != "resolved" and abs(case.last_customer_at - voice.received_at) <= window
    ]
    if not near:
        return None, ""

    def latest(choices: list[AnyCase]) -> AnyCase:
        return max(choices, key=lambda case: case.last_customer_at)

    if voice.topic is None:
        return latest(near), "latest"
    same = [case for case in near if case.topic == voice.topic]
    if same:
        return latest(same), "topic"
    without = [case for case in near if case.topic is None]
    if without:
        return latest(without), "latest"
    return None, ""


def _new_case(voice: _Pending, policy: SlaPolicy) -> _NewCase:
    return _NewCase(
        customer_id=voice.customer_id,
        channel=voice.channel,
        topic=voice.topic,
        subject=voice.subject,
        language=voice.language,
        opened_at=voice.received_at,
        last_customer_at=voice.received_at,
        first_response_due=policy.first_response_due(voice.channel, voice.received_at),
        unanswered_since=voice.received_at,
    )


def _join(case: AnyCase, voice: _Pending, how: str, policy: SlaPolicy) -> tuple[str, dict[str, Any]]:
    """Add the voice to the case; returns the event it makes."""
    detail: dict[str, Any] = {"voice_id": voice.id, "joined_by": how, "channel": voice.channel}
    kind = "voice"
    if case.status != "open":
        detail["status_from"] = case.status
        if case.status == "resolved":
            kind = "reopened"
            case.reopened_count = (case.reopened_count or 0) + 1
            case.resolved_at = None
        case.status = "open"
    case.last_customer_at = max(case.last_customer_at, voice.received_at)
    if voice.received_at < case.opened_at:  # an older voice imported late
        case.opened_at = voice.received_at
        if case.first_response_at is None:
            case.first_response_due = policy.first_response_due(case.channel, case.opened_at)
    if case.unanswered_since is None or voice.received_at < case.unanswered_since:
        case.unanswered_since = voice.received_at
    if case.topic is None and voice.topic is not None:
        case.topic = detail["topic"] = voice.topic
    if case.language is None and voice.language is not None:
        case.language = voice.language
    if case.subject is None and voice.subject:
        case.subject = voice.subject
    return kind, detail


def _catch_up_with_readings(session: Session, now: datetime) -> set[int]:
    """Open cases with voices read after the case last changed: a case without a topic or language takes
    them from the earliest such reading, and every one gets its priority worked out again."""
    rows = session.execute(
        select(CaseVoice.case_id, Voice.id, VoiceAnalysis.topics, VoiceAnalysis.language)
        .join(Case, Case.id == CaseVoice.case_id)
        .join(Voice, Voice.id == CaseVoice.voice_id)
        .join(VoiceAnalysis, VoiceAnalysis.voice_id == Voice.id)
        .where(Case.status != "resolved", VoiceAnalysis.analysed_at > Case.updated_at)
        .order_by(CaseVoice.case_id, Voice.received_at, Voice.id)
    ).all()
    if not rows:
        return set()
    sentence_topics = _sentence_topics(session, sorted({row.id for row in rows if row.topics}))
    learnt: dict[int, dict[str, Any]] = defaultdict(dict)
    for case_id, voice_id, topics, language in rows:
        found = learnt[case_id]
        if topics and "topic" not in found:
            found["topic"] = main_topic(sentence_topics.get(voice_id, []), topics)
            found["voice_id"] = voice_id
        if language in CASE_LANGUAGES and "language" not in found:
            found["language"] = language
    for chunk in _chunks(sorted(learnt)):
        for case in session.scalars(
            select(Case).where(Case.id.in_(chunk), or_(Case.topic.is_(None), Case.language.is_(None)))
        ):
            found, detail = learnt[case.id], {}
            if case.topic is None and found.get("topic"):
                case.topic = detail["topic"] = found["topic"]
                detail["voice_id"] = found["voice_id"]
            if case.language is None and found.get("language"):
                case.language = detail["language"] = found["language"]
            if detail:
                session.add(CaseEvent(case_id=case.id, at=now, kind="read", detail=detail))
    session.flush()
    refresh_priorities(session, learnt, now=now, touch=True)
    return set(learnt)
