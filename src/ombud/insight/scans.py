"""The three SQL aggregates the dashboard's figures are built from, each one pass over ``voice_facts``.

- :func:`timeline`: voices by period, segment, dominant act, sentiment strength, churn risk and expectation
  gap, with the legal claims among them — the voice mix over time, the flags over time and the barometer;
- :func:`places`: voices by channel, company, industry, language, segment and dominant act — the voice mix
  by each of them;
- :func:`feelings`: voices by topics, emotions, sentiment and expectation gap — topic × emotion, topic ×
  sentiment and the expectation gaps by topic.

Each groups by the leading columns of one index of ``voice_facts`` in that index's order, so that SQLite
reads the index in order and counts as it goes instead of sorting a million rows; PostgreSQL is asked to do
the same rather than hash every row (:func:`in_index_order`). docs/insight.md has the measurements. Grouping by
day or week over a long period still sorts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select
from sqlalchemy.orm import Session

from ombud.insight.filters import InsightFilter, conditions
from ombud.insight.periods import check_period, period_column, period_of_month
from ombud.store.models import VoiceFact


@dataclass(frozen=True)
class TimelineRow:
    period: int
    segment: str | None
    act: str
    strength: int
    churn_risk: bool
    expectation_gap: bool
    voices: int
    legal_claims: int


@dataclass(frozen=True)
class PlaceRow:
    channel: str
    company: str | None
    industry: str | None
    language: str
    segment: str | None
    act: str
    voices: int


@dataclass(frozen=True)
class FeelingRow:
    topic_mask: int
    emotion_mask: int
    sentiment: str
    expectation_gap: bool
    voices: int


def _count_true(column: Any) -> ColumnElement[int]:
    return func.count().filter(column.is_(True))


@contextmanager
def in_index_order(session: Session) -> Iterator[Connection]:
    """The session's connection, on which PostgreSQL counts in the order of the covering index, as SQLite does,
    rather than hashing every row: half the CPU for these groupings (measured; docs/insight.md). The planner
    setting is put back afterwards, within the transaction."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield connection
        return
    before = connection.exec_driver_sql("SELECT current_setting('enable_hashagg')").scalar()
    connection.exec_driver_sql("SET LOCAL enable_hashagg = off")
    try:
        yield connection
    finally:
        connection.exec_driver_sql(f"SET LOCAL enable_hashagg = {'off' if before == 'off' else 'on'}")


def timeline(session: Session, chosen: InsightFilter, period: str) -> list[TimelineRow]:
    check_period(period)
    # Months and quarters are counted by month, in the order of ix_voice_facts_month; quarters are summed here.
    key = VoiceFact.local_month if period in ("month", "quarter") else period_column(period)
    groups = (
        key,
        VoiceFact.segment,
        VoiceFact.dominant_act,
        VoiceFact.strength,
        VoiceFact.churn_risk,
        VoiceFact.expectation_gap,
    )
    query = select(*groups, func.count(), _count_true(VoiceFact.legal_claim)).where(*conditions(session, chosen))
    with in_index_order(session) as connection:
        rows = connection.execute(query.group_by(*groups)).all()
    summed: dict[tuple[Any, ...], list[int]] = {}
    for row in rows:
        period_key = period_of_month(period, row[0]) if period in ("month", "quarter") else int(row[0])
        group = (period_key, row[1], row[2], int(row[3]), bool(row[4]), bool(row[5]))
        counts = summed.setdefault(group, [0, 0])
        counts[0] += int(row[6])
        counts[1] += int(row[7])
    return [TimelineRow(*group, *counts) for group, counts in summed.items()]


def places(session: Session, chosen: InsightFilter) -> list[PlaceRow]:
    groups = (
        VoiceFact.channel,
        VoiceFact.company,
        VoiceFact.industry,
        VoiceFact.language,
        VoiceFact.segment,
        VoiceFact.dominant_act,
    )
    query = select(*groups, func.count()).where(*conditions(session, chosen))
    with in_index_order(session) as connection:
        rows = connection.execute(query.group_by(*groups)).all()
    return [PlaceRow(*row[:6], int(row[6])) for row in rows]


def feelings(session: Session, chosen: InsightFilter) -> list[FeelingRow]:
    groups = (VoiceFact.topic_mask, VoiceFact.emotion_mask, VoiceFact.sentiment, VoiceFact.expectation_gap)
    query = select(*groups, func.count()).where(*conditions(session, chosen))
    with in_index_order(session) as connection:
        rows = connection.execute(query.group_by(*groups)).all()
    return [FeelingRow(int(row[0]), int(row[1]), row[2], bool(row[3]), int(row[4])) for row in rows]
