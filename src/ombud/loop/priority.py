"""A case's priority, 0–100, from what ombud read in its voices and how long the customer has waited.

Every point has a reason, so an agent sees why a case is on top ("legal claim; churn risk; waiting 30 h"): a
:class:`Reason` is a stable code with its parameters, which the pages say in the reader's language, and its
English words for the CLI. The weights, largest first:

| what | points |
|---|---|
| a legal claim in any voice | 35 |
| churn risk | 25 |
| waiting for our answer | up to 25, reached after 48 h |
| a complaint (a voice's dominant act) | 15 |
| a strong negative emotion: anger, fear, sadness or disgust | up to 20, by its probability |
| past the first-response deadline | 10 |
| a negative voice (sentiment score -0.3 or lower) | up to 10, by its strength |
| an expectation gap (a broken promise) | 5 |

The total is capped at 100; points are rounded halves up. The part from the readings is kept as
``cases.reading_priority``, so a listing can order every case by its priority now in SQL
(``priority_now``) and work out the words only for the cases it shows (``refresh_priorities``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ombud.loop.sql_time import half_up, moment, seconds_between
from ombud.store.models import Case, CaseVoice, VoiceAnalysis
from ombud.store.types import utc_now

NEGATIVE_EMOTIONS = ("anger", "fear", "sadness", "disgust")
LEGAL_CLAIM = 35
CHURN_RISK = 25
COMPLAINT = 15
EXPECTATION_GAP = 5
EMOTION_MOST = 20
SENTIMENT_MOST = 10
SENTIMENT_FROM = -0.3
WAITING_MOST = 25
WAITING_FULL_HOURS = 48.0
OVERDUE = 10
BATCH = 1000


@dataclass(frozen=True)
class VoiceReading:
    """The parts of a voice's reading that priority looks at."""

    dominant_act: str
    sentiment_score: float
    emotions: Sequence[str] = ()
    emotion_probabilities: dict[str, float] = field(default_factory=dict)
    legal_claim: bool = False
    churn_risk: bool = False
    expectation_gap: bool = False

    @classmethod
    def of(cls, analysis: VoiceAnalysis) -> VoiceReading:
        return cls.from_row(
            analysis.dominant_act,
            analysis.sentiment_score,
            analysis.emotions,
            analysis.details,
            analysis.legal_claim,
            analysis.churn_risk,
            analysis.expectation_gap,
        )

    @classmethod
    def from_row(
        cls,
        dominant_act: str,
        sentiment_score: float,
        emotions: Sequence[str] | None,
        details: dict[str, Any] | None,
        legal_claim: bool,
        churn_risk: bool,
        expectation_gap: bool,
    ) -> VoiceReading:
        probabilities = (details or {}).get("emotion_probabilities") or {}
        return cls(
            dominant_act=dominant_act,
            sentiment_score=float(sentiment_score),
            emotions=tuple(emotions or ()),
            emotion_probabilities={str(name): float(value) for name, value in probabilities.items()},
            legal_claim=bool(legal_claim),
            churn_risk=bool(churn_risk),
            expectation_gap=bool(expectation_gap),
        )


REASON_WORDS = {
    "legal_claim": "legal claim",
    "churn_risk": "churn risk",
    "waiting": "waiting",
    "waiting_hours": "waiting {hours} h",
    "waiting_days": "waiting {days} d",
    "complaint": "complaint",
    "emotion": "{emotion} ({percent}%)",
    "overdue": "overdue",
    "very_negative": "very negative",
    "negative": "negative",
    "expectation_gap": "expectation gap",
}


@dataclass(frozen=True)
class Reason:
    """One reason for a case's priority: a code of ``REASON_WORDS`` and its parameters (``hours``, ``days``;
    ``emotion`` and ``percent``), stored as JSON in ``cases.priority_reasons``."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def english(self) -> str:
        words = REASON_WORDS.get(self.code)
        return words.format(**self.params) if words is not None else str(self.params.get("text", self.code))

    def __str__(self) -> str:
        return self.english

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    @classmethod
    def from_json(cls, value: Any) -> Reason:
        """A stored reason; one stored as English words (before codes) is code ``text`` with those words."""
        if isinstance(value, dict):
            return cls(str(value.get("code")), dict(value.get("params") or {}))
        return cls("text", {"text": str(value)})


def stored_reasons(values: Iterable[Any] | None) -> list[Reason]:
    return [Reason.from_json(value) for value in values or []]


@dataclass(frozen=True)
class Priority:
    score: int
    reasons: list[Reason]
    reading: int = 0  # the part from the readings alone, without waiting and deadline (capped at 100 too)

    @property
    def stored_reasons(self) -> list[dict[str, Any]]:
        return [reason.as_json() for reason in self.reasons]


def waited(waiting: timedelta) -> Reason:
    """How long a customer has waited, in whole hours below three days, else whole days (never rounded up):
    the one way the reasons, the CLI and the pages say it."""
    hours = waiting.total_seconds() / 3600
    if hours < 1:
        return Reason("waiting")
    if hours < 72:
        return Reason("waiting_hours", {"hours": int(hours)})
    return Reason("waiting_days", {"days": int(hours // 24)})


def waiting_words(waiting: timedelta) -> str:
    return waited(waiting).english


def _points(value: float) -> int:
    return math.floor(value + 0.5)


def waiting_points(waiting: timedelta | None) -> int:
    if waiting is None or waiting <= timedelta(0):
        return 0
    return _points(WAITING_MOST * min(1.0, waiting.total_seconds() / 3600 / WAITING_FULL_HOURS))


def case_priority(
    readings: Iterable[VoiceReading], *, waiting: timedelta | None = None, overdue: bool = False
) -> Priority:
    """The priority of a case whose voices were read as ``readings``, waiting ``waiting`` for our answer."""
    parts: list[tuple[int, Reason]] = []
    timely: list[int] = []  # the points that come from time, not from the readings
    read = list(readings)
    if any(reading.legal_claim for reading in read):
        parts.append((LEGAL_CLAIM, Reason("legal_claim")))
    if any(reading.churn_risk for reading in read):
        parts.append((CHURN_RISK, Reason("churn_risk")))
    if waiting is not None:
        timely.append(waiting_points(waiting))
        parts.append((timely[-1], waited(waiting)))
    if any(reading.dominant_act == "complaint" for reading in read):
        parts.append((COMPLAINT, Reason("complaint")))
    emotion = _strongest_negative_emotion(read)
    if emotion is not None:
        name, probability = emotion
        percent = int(f"{probability * 100:.0f}")
        parts.append((_points(EMOTION_MOST * probability), Reason("emotion", {"emotion": name, "percent": percent})))
    if overdue:
        timely.append(OVERDUE)
        parts.append((OVERDUE, Reason("overdue")))
    lowest = min((reading.sentiment_score for reading in read), default=0.0)
    if lowest <= SENTIMENT_FROM:
        strength = Reason("very_negative") if lowest <= -0.7 else Reason("negative")
        parts.append((_points(SENTIMENT_MOST * min(1.0, -lowest)), strength))
    if any(reading.expectation_gap for reading in read):
        parts.append((EXPECTATION_GAP, Reason("expectation_gap")))
    total = sum(points for points, _ in parts)
    return Priority(
        score=min(100, total),
        reasons=[reason for points, reason in parts if points > 0],
        reading=min(100, total - sum(timely)),
    )


def _strongest_negative_emotion(readings: list[VoiceReading]) -> tuple[str, float] | None:
    """The negative emotion read with the highest probability in any voice (an emotion read as present
    without a stored probability counts as 0.5)."""
    best: tuple[str, float] | None = None
    for reading in readings:
        for name in NEGATIVE_EMOTIONS:
            if name not in reading.emotions:
                continue
            probability = reading.emotion_probabilities.get(name, 0.5)
            if best is None or probability > best[1]:
                best = (name, probability)
    return best


def overdue_at(status: str, first_response_at: datetime | None, due: datetime | None, now: datetime) -> bool:
    return status != "resolved" and first_response_at is None and due is not None and due < now


def is_overdue(case: Case, now: datetime) -> bool:
    return overdue_at(case.status, case.first_response_at, case.first_response_due, now)


def waiting_since(status: str, unanswered_since: datetime | None, now: datetime) -> timedelta | None:
    if status == "resolved" or unanswered_since is None:
        return None
    return max(timedelta(0), now - unanswered_since)


def waiting_time(case: Case, now: datetime) -> timedelta | None:
    """How long the customer has waited for our answer (None when nothing waits on us)."""
    return waiting_since(case.status, case.unanswered_since, now)


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    return and_(
        Case.status != "resolved",
        Case.first_response_at.is_(None),
        Case.first_response_due.is_not(None),
        Case.first_response_due < now,
    )


def priority_now(session: Session, now: datetime) -> ColumnElement[int]:
    """The priority of each case at ``now`` as an SQL expression: the same number ``case_priority`` gives."""
    hours = seconds_between(session, moment(now), Case.unanswered_since) / 3600.0
    waiting = case(
        (or_(Case.status == "resolved", Case.unanswered_since.is_(None), hours <= 0), 0),
        (hours >= WAITING_FULL_HOURS, WAITING_MOST),
        else_=half_up(session, hours * (WAITING_MOST / WAITING_FULL_HOURS)),
    )
    total = Case.reading_priority + waiting + case((overdue_condition(now), OVERDUE), else_=0)
    return case((total > 100, 100), else_=total)


def refresh_priorities(
    session: Session, case_ids: Iterable[int], *, now: datetime | None = None, touch: bool = False
) -> int:
    """Work out the priority of these cases again and store what changed (``touch``: store every one, which
    marks them as up to date with their readings); returns how many were stored.

    Batches of cases: one query for the cases, one for the readings of their voices, one executemany update.
    Case objects already in the session get the new values too.
    """
    now = now or utc_now()
    ids = sorted(set(case_ids))
    stored = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        readings: dict[int, list[VoiceReading]] = defaultdict(list)
        for case_id, *reading in session.execute(
            select(
                CaseVoice.case_id,
                VoiceAnalysis.dominant_act,
                VoiceAnalysis.sentiment_score,
                VoiceAnalysis.emotions,
                VoiceAnalysis.details,
                VoiceAnalysis.legal_claim,
                VoiceAnalysis.churn_risk,
                VoiceAnalysis.expectation_gap,
            )
            .join(VoiceAnalysis, VoiceAnalysis.voice_id == CaseVoice.voice_id)
            .where(CaseVoice.case_id.in_(chunk))
        ):
            readings[case_id].append(VoiceReading.from_row(*reading))
        changes = []
        for row in session.execute(
            select(
                Case.id,
                Case.status,
                Case.unanswered_since,
                Case.first_response_at,
                Case.first_response_due,
                Case.priority,
                Case.priority_reasons,
                Case.reading_priority,
            ).where(Case.id.in_(chunk))
        ):
            read = readings[row.id]
            priority = case_priority(
                read,
                waiting=waiting_since(row.status, row.unanswered_since, now),
                overdue=overdue_at(row.status, row.first_response_at, row.first_response_due, now),
            )
            base = priority.reading
            if touch or (priority.score, priority.stored_reasons, base) != (
                row.priority,
                list(row.priority_reasons or []),
                row.reading_priority,
            ):
                change = {"case_id": row.id, "score": priority.score, "reasons": priority.stored_reasons, "base": base}
                changes.append(change)
        if changes:
            store_priorities(session, changes)
            stored += len(changes)
    return stored


def store_priorities(session: Session, changes: list[dict[str, Any]]) -> None:
    """Write ``{"case_id", "score", "reasons", "base"}`` rows in one executemany update."""
    table = cast(Table, Case.__table__)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("case_id"))
        .values(
            priority=bindparam("score"),
            priority_reasons=bindparam("reasons", type_=table.c.priority_reasons.type),
            reading_priority=bindparam("base"),
            updated_at=utc_now(),
        ),
        changes,
    )
    by_id = {change["case_id"]: change for change in changes}
    for item in list(session.identity_map.values()):
        if isinstance(item, Case) and item.id in by_id:
            change = by_id[item.id]
            set_committed_value(item, "priority", change["score"])
            set_committed_value(item, "priority_reasons", change["reasons"])
            set_committed_value(item, "reading_priority", change["base"])
