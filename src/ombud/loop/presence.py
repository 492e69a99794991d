"""Presence: how well the company answers — answered share, first-response times, overdue cases, feedback.

Figures by channel or by month (in ``OMBUD_TIMEZONE``), plus the whole:

- ``answered_share``: of the voices in cases, the share that a response followed (a reply, or an agent
  marking the case answered, at or after the voice was received);
- ``cases_answered`` and the median and 90th percentile of the first-response time of cases (elapsed
  hours from the case's first voice to our first response, percentiles interpolated between ranks as
  PostgreSQL's ``percentile_cont``); cases count by the channel and month they were opened;
- ``overdue``: cases not resolved, without a first response, past their deadline;
- feedback coverage: of the customers with at least one wish (who have not opted out and are not erased),
  the share that got a feedback message (sent, or recorded for posting by hand).

Counts are SQL aggregates that run on SQLite and PostgreSQL; only the first-response durations are fetched,
for the percentiles. Voices not yet placed in a case are not counted: run ``update_cases`` first (``ombud
presence`` does).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from ombud.errors import OmbudError
from ombud.loop.cases import RESPONSE_EVENTS
from ombud.loop.priority import overdue_condition
from ombud.loop.sla import zone_from_settings
from ombud.loop.sql_time import local_month, seconds_between
from ombud.store.models import Case, CaseEvent, CaseVoice, Customer, OutboundMessage, Voice, Wish
from ombud.store.types import utc_now

GROUPINGS = ("channel", "month")
FEEDBACK_DONE = ("sent", "manual")


class PresenceError(OmbudError):
    pass


@dataclass
class PresenceFigures:
    """Presence of one channel or month (or of everything, ``key`` "all")."""

    key: str
    voices: int = 0
    voices_answered: int = 0
    cases: int = 0
    cases_answered: int = 0
    overdue: int = 0
    median_first_response_hours: float | None = None
    p90_first_response_hours: float | None = None

    @property
    def answered_share(self) -> float | None:
        return self.voices_answered / self.voices if self.voices else None

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "answered_share": self.answered_share}


@dataclass
class FeedbackCoverage:
    customers_with_wish: int
    customers_with_feedback: int

    @property
    def share(self) -> float | None:
        return self.customers_with_feedback / self.customers_with_wish if self.customers_with_wish else None

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "share": self.share}


@dataclass
class Presence:
    by: str
    rows: list[PresenceFigures]
    total: PresenceFigures
    feedback: FeedbackCoverage
    at: datetime = field(default_factory=utc_now)

    def as_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "at": self.at.isoformat(),
            "rows": [row.as_json() for row in self.rows],
            "total": self.total.as_json(),
            "feedback": self.feedback.as_json(),
        }


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` percentile (0–1) of ``values``, interpolated between ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def presence(
    session: Session, *, by: str = "channel", now: datetime | None = None, zone: ZoneInfo | None = None
) -> Presence:
    """Presence figures grouped ``by`` channel or month (see the module's description)."""
    if by not in GROUPINGS:
        raise PresenceError(f"presence is grouped by {' or '.join(GROUPINGS)}, not {by!r}")
    now = now or utc_now()
    zone = zone or zone_from_settings()
    rows: dict[str, PresenceFigures] = {}

    def row(key: Any) -> PresenceFigures:
        name = str(key) if key is not None else "—"
        return rows.setdefault(name, PresenceFigures(key=name))

    voice_key = Voice.channel if by == "channel" else local_month(session, Voice.received_at, zone)
    answered = exists().where(
        CaseEvent.case_id == CaseVoice.case_id, CaseEvent.kind.in_(RESPONSE_EVENTS), CaseEvent.at >= Voice.received_at
    )
    for key, voices, voices_answered in session.execute(
        select(voice_key, func.count(), func.sum(case((answered, 1), else_=0)))
        .select_from(Voice)
        .join(CaseVoice, CaseVoice.voice_id == Voice.id)
        .group_by(voice_key)
    ):
        row(key).voices, row(key).voices_answered = int(voices), int(voices_answered or 0)

    case_key = Case.channel if by == "channel" else local_month(session, Case.opened_at, zone)
    overdue = overdue_condition(now)
    for key, cases, cases_answered, overdue_count in session.execute(
        select(
            case_key,
            func.count(),
            func.count(Case.first_response_at),
            func.sum(case((overdue, 1), else_=0)),
        ).group_by(case_key)
    ):
        figures = row(key)
        figures.cases, figures.cases_answered, figures.overdue = (
            int(cases),
            int(cases_answered),
            int(overdue_count or 0),
        )

    durations: dict[str, list[float]] = defaultdict(list)
    for key, seconds in session.execute(
        select(case_key, seconds_between(session, Case.first_response_at, Case.opened_at)).where(
            Case.first_response_at.is_not(None)
        )
    ):
        durations[row(key).key].append(max(0.0, round(float(seconds))) / 3600)
    for key, hours in durations.items():
        rows[key].median_first_response_hours = percentile(hours, 0.5)
        rows[key].p90_first_response_hours = percentile(hours, 0.9)

    ordered = [rows[key] for key in sorted(rows)]
    everything = [hours for values in durations.values() for hours in values]
    total = PresenceFigures(
        key="all",
        voices=sum(figures.voices for figures in ordered),
        voices_answered=sum(figures.voices_answered for figures in ordered),
        cases=sum(figures.cases for figures in ordered),
        cases_answered=sum(figures.cases_answered for figures in ordered),
        overdue=sum(figures.overdue for figures in ordered),
        median_first_response_hours=percentile(everything, 0.5),
        p90_first_response_hours=percentile(everything, 0.9),
    )
    return Presence(by=by, rows=ordered, total=total, feedback=feedback_coverage(session), at=now)


def feedback_coverage(session: Session) -> FeedbackCoverage:
    """Of the customers with a wish who can be contacted, how many got feedback."""
    reachable = (
        select(Wish.customer_id)
        .join(Customer, Customer.id == Wish.customer_id)
        .where(Customer.contact_opt_out.is_(False), Customer.erased_at.is_(None))
        .distinct()
        .subquery()
    )
    got_feedback = exists().where(
        OutboundMessage.customer_id == reachable.c.customer_id,
        OutboundMessage.kind == "feedback",
        OutboundMessage.status.in_(FEEDBACK_DONE),
    )
    with_wish, with_feedback = session.execute(
        select(func.count(), func.sum(case((got_feedback, 1), else_=0))).select_from(reachable)
    ).one()
    return FeedbackCoverage(customers_with_wish=int(with_wish), customers_with_feedback=int(with_feedback or 0))
