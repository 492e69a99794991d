"""The facts insight counts by, one narrow row per analysed voice (``voice_facts``), kept in step with the store.

A fact copies from the voice when it came in (as a UTC time and as its local day and month in
``OMBUD_TIMEZONE``), its channel and its metadata's company, industry and segment; from its reading the
language, dominant act, sentiment (label, score and strength), the three flags, and its emotions and topics as
bit masks; and from its case whether it was answered (facts_cases.py). Every filter and every grouping of the
dashboard is then a column of one indexed row, with no join and no JSON to open (docs/insight.md gives the
measurements behind this choice). Each wish gets a fact of its own (facts_wishes.py).

Database triggers note every change the facts must take in (``insight_changes``: readings written, voices and
cases changed, wishes added), whatever code made it. :func:`update_facts` takes them in — and works every local
day out again when the time zone setting changed. Every insight function calls it first; with nothing noted it
costs one lookup. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from ombud.errors import InsightError
from ombud.insight.facts_cases import NOT_IN_A_CASE, VoicePresence, among, case_presence, store_presence
from ombud.insight.facts_wishes import write_wish_facts
from ombud.labels import EMOTIONS, TOPICS
from ombud.loop.sla import zone_from_settings
from ombud.store.bulk import insert_ignoring_conflicts
from ombud.store.models import (
    CaseVoice,
    InsightChange,
    InsightState,
    InsightTopic,
    Voice,
    VoiceAnalysis,
    VoiceFact,
    Wish,
    WishFact,
    voice_facts_table,
    wish_facts_table,
)

BATCH = 10_000
REBUILD_INDEXES_FROM = 100_000  # readings to write at once from which the indexes are built afterwards
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
EMOTION_BITS = {emotion: 1 << position for position, emotion in enumerate(EMOTIONS)}
MOST_TOPICS = 63  # bits of a signed 64-bit mask
METADATA_KEYS = ("company", "industry", "segment")
LONGEST_METADATA_VALUE = 200
ZONE_KEY = "timezone"

COLUMNS = (
    "voice_id",
    "customer_id",
    "received_at",
    "local_day",
    "local_month",
    "channel",
    "company",
    "industry",
    "segment",
    "language",
    "dominant_act",
    "sentiment",
    "sentiment_score",
    "strength",
    "expectation_gap",
    "legal_claim",
    "churn_risk",
    "emotion_mask",
    "topic_mask",
    "case_id",
    "answered",
    "opens_case",
    "first_response_minutes",
    "first_response_due",
    "case_resolved",
)


@dataclass
class FactsProgress:
    done: int
    total: int


@dataclass
class FactsUpdate:
    readings: int = 0  # voice facts written
    cases: int = 0  # cases whose voices' presence was taken in again
    wishes: int = 0  # wish facts written
    redated: int = 0  # facts whose local day was worked out again for a new time zone


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return day.toordinal() - EPOCH_ORDINAL


def day_of_number(number: int) -> date:
    return date.fromordinal(number + EPOCH_ORDINAL)


def month_number(year: int, month: int) -> int:
    return year * 12 + month - 1


def local_day_and_month(at: datetime, zone: ZoneInfo) -> tuple[int, int]:
    """The local day (days since 1970-01-01) and month (year × 12 + month − 1) of a UTC time in ``zone``."""
    local = at.astimezone(zone)
    return local.toordinal() - EPOCH_ORDINAL, local.year * 12 + local.month - 1


def strength_of(score: float) -> int:
    """How strong a sentiment score is, in quarters of its absolute value: 0 below 0.25, … 3 from 0.75."""
    return min(3, int(abs(score) * 4))


def emotion_mask(emotions: Iterable[str]) -> int:
    mask = 0
    for emotion in emotions:
        mask |= EMOTION_BITS.get(emotion, 0)
    return mask


def mask_names(mask: int, bits: dict[str, int]) -> list[str]:
    """The names whose bit is set in ``mask``, in the order of ``bits``."""
    return [name for name, bit in bits.items() if mask & bit]


def topic_bits(session: Session, more: Iterable[str] = ()) -> dict[str, int]:
    """topic → its bit in ``topic_mask``; the default taxonomy is registered first, then any of ``more``
    not known yet, each with the next bit."""
    known = {name: 1 << bit for name, bit in session.execute(select(InsightTopic.name, InsightTopic.bit))}
    wanted = [name for name in dict.fromkeys([*TOPICS, *more]) if name not in known]
    if wanted:
        used = {bit.bit_length() - 1 for bit in known.values()}
        free = (bit for bit in range(MOST_TOPICS) if bit not in used)
        for name in wanted:
            bit = next(free, None)
            if bit is None:
                raise InsightError(
                    f"insight can tell {MOST_TOPICS} topics apart and the readings name more (such as {name!r})"
                )
            session.add(InsightTopic(name=name, bit=bit))
            known[name] = 1 << bit
        session.flush()
    return dict(sorted(known.items(), key=lambda item: item[1]))


def _metadata_value(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text.strip()[:LONGEST_METADATA_VALUE] or None


def _chunks(values: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def update_facts(
    session: Session,
    *,
    zone: ZoneInfo | None = None,
    batch_size: int = BATCH,
    on_progress: Callable[[FactsProgress], None] | None = None,
) -> FactsUpdate:
    """Take in every change noted since the last time, and redate every fact after a change of time zone.
    The caller commits."""
    zone = zone or zone_from_settings()
    report = FactsUpdate()
    state = session.get(InsightState, ZONE_KEY)
    if state is None:
        session.add(InsightState(key=ZONE_KEY, value=zone.key))
        session.flush()
    elif state.value != zone.key:
        report.redated = _redate(session, zone, batch_size)
        session.execute(delete(WishFact))
        report.wishes += write_wish_facts(session)
        state.value = zone.key
        session.flush()
    last = session.scalar(select(func.max(InsightChange.id)))
    if last is None:
        return report

    def noted(kind: str) -> list[int]:
        return list(
            session.scalars(
                select(InsightChange.item)
                .where(InsightChange.kind == kind, InsightChange.id <= last)
                .distinct()
                .order_by(InsightChange.item)
            )
        )

    readings, cases, wishes = noted("reading"), noted("case"), noted("wish")
    total, done = len(readings) + len(cases) + len(wishes), 0
    taken: set[int] = set()  # cases whose presence was worked out with the readings
    with _indexes_built_after(session, len(readings) >= REBUILD_INDEXES_FROM):
        for chunk in _chunks(readings, batch_size):
            written, wishes_written, seen = _write_voice_facts(session, chunk, zone)
            report.readings += written
            report.wishes += wishes_written
            taken |= seen
            done += len(chunk)
            if on_progress:
                on_progress(FactsProgress(done, total))
    remaining = [case_id for case_id in cases if case_id not in taken]
    done += len(cases) - len(remaining)
    for chunk in _chunks(remaining, batch_size):
        store_presence(session, case_presence(session, chunk))
        report.cases += len(chunk)
        done += len(chunk)
        if on_progress:
            on_progress(FactsProgress(done, total))
    for chunk in _chunks(wishes, batch_size):
        report.wishes += write_wish_facts(session, Wish.id.in_(chunk))
    if on_progress:
        on_progress(FactsProgress(total, total))
    session.execute(delete(InsightChange).where(InsightChange.id <= last))
    session.flush()
    return report


@contextmanager
def _indexes_built_after(session: Session, rebuild: bool) -> Iterator[None]:
    """With ``rebuild``, write without the fact tables' secondary indexes and build them at the end, in the same
    transaction: a million facts go in several times faster than with every index kept up to date row by row,
    and a run that fails leaves the indexes as they were."""
    if not rebuild:
        yield
        return
    connection = session.connection()
    indexes = [index for table in (voice_facts_table, wish_facts_table) for index in table.indexes]
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def _write_voice_facts(session: Session, voice_ids: Sequence[int], zone: ZoneInfo) -> tuple[int, int, set[int]]:
    """Write again the facts of these voices and of their wishes; returns how many of each, and their cases."""
    wanted = set(voice_ids)
    session.execute(delete(VoiceFact).where(among(VoiceFact.voice_id, voice_ids)))
    company, industry, segment = (Voice.meta[key].as_string() for key in METADATA_KEYS)
    found = session.connection().execute(
        select(
            VoiceAnalysis.voice_id,
            Voice.customer_id,
            Voice.received_at,
            Voice.channel,
            company,
            industry,
            segment,
            VoiceAnalysis.language,
            VoiceAnalysis.dominant_act,
            VoiceAnalysis.sentiment,
            VoiceAnalysis.sentiment_score,
            VoiceAnalysis.expectation_gap,
            VoiceAnalysis.legal_claim,
            VoiceAnalysis.churn_risk,
            VoiceAnalysis.emotions,
            VoiceAnalysis.topics,
        )
        .join(Voice, Voice.id == VoiceAnalysis.voice_id)
        .where(among(VoiceAnalysis.voice_id, voice_ids))
    )
    rows = [row for row in found if row.voice_id in wanted]
    if not rows:
        return 0, 0, set()
    bits = topic_bits(session)
    new_topics = {topic for row in rows for topic in row.topics or () if topic not in bits}
    if new_topics:
        bits = topic_bits(session, sorted(new_topics))
    cases = {
        case_id
        for voice_id, case_id in session.connection().execute(
            select(CaseVoice.voice_id, CaseVoice.case_id).where(among(CaseVoice.voice_id, voice_ids))
        )
        if voice_id in wanted
    }
    presence = case_presence(session, sorted(cases)) if cases else {}
    facts = [_fact(row, zone, bits, presence.get(row.voice_id, NOT_IN_A_CASE)) for row in rows]
    written = insert_ignoring_conflicts(session.connection(), voice_facts_table, COLUMNS, facts, ["voice_id"])
    wishes = write_wish_facts(session, among(Wish.voice_id, voice_ids))
    # The other voices of these cases: a voice that joined a case can change which voice opened it.
    store_presence(session, {voice_id: value for voice_id, value in presence.items() if voice_id not in wanted})
    return written, wishes, cases


def _fact(row: Any, zone: ZoneInfo, bits: dict[str, int], presence: VoicePresence) -> tuple[Any, ...]:
    day, month = local_day_and_month(row.received_at, zone)
    topics = 0
    for topic in row.topics or ():
        topics |= bits[topic]
    return (
        row.voice_id,
        row.customer_id,
        row.received_at,
        day,
        month,
        row.channel,
        _metadata_value(row[4]),
        _metadata_value(row[5]),
        _metadata_value(row[6]),
        row.language,
        row.dominant_act,
        row.sentiment,
        row.sentiment_score,
        strength_of(row.sentiment_score),
        bool(row.expectation_gap),
        bool(row.legal_claim),
        bool(row.churn_risk),
        emotion_mask(row.emotions or ()),
        topics,
        presence.case_id,
        presence.answered,
        presence.opens_case,
        presence.first_response_minutes,
        presence.first_response_due,
        presence.case_resolved,
    )


def _redate(session: Session, zone: ZoneInfo, batch_size: int) -> int:
    """Work out every fact's local day and month again in ``zone``."""
    done, last = 0, 0
    while True:
        rows: Sequence[Any] = session.execute(
            select(VoiceFact.voice_id, VoiceFact.received_at)
            .where(VoiceFact.voice_id > last)
            .order_by(VoiceFact.voice_id)
            .limit(batch_size)
        ).all()
        if not rows:
            return done
        changes = []
        for voice_id, received_at in rows:
            day, month = local_day_and_month(received_at, zone)
            changes.append({"id": voice_id, "day": day, "month": month})
        session.connection().execute(
            update(voice_facts_table)
            .where(voice_facts_table.c.voice_id == bindparam("id"))
            .values(local_day=bindparam("day"), local_month=bindparam("month")),
            changes,
        )
        done += len(rows)
        last = rows[-1][0]
