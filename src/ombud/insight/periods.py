"""Periods in the local time zone: day, week (Monday to Sunday), month and quarter, as integer keys.

Each fact carries its local day (days since 1970-01-01) and local month (year × 12 + month − 1), so a period
is plain integer arithmetic on both databases: a week is ``(day + 3) // 7`` (1970-01-01 was a Thursday), a
quarter ``month // 3``. The keys sort in time order; :func:`period_label` names them (``2026-03-09``,
``2026-W11``, ``2026-03``, ``2026-Q1``) and :func:`period_bounds` gives their first and last day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from ombud.errors import InsightError
from ombud.insight.facts import day_number, day_of_number, month_number
from ombud.store.models import VoiceFact, WishFact

PERIODS = ("day", "week", "month", "quarter")
DEFAULT_PERIOD = "month"


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise InsightError(f"unknown period {period!r}: group by {', '.join(PERIODS)}")
    return period


def period_column(
    period: str, facts: type[VoiceFact] | type[WishFact] = VoiceFact
) -> ColumnElement[Any] | InstrumentedAttribute[int]:
    """The period key of a voice's or a wish's fact as an SQL expression."""
    check_period(period)
    if period == "day":
        return facts.local_day
    if period == "week":
        return (facts.local_day + 3) // 7
    if period == "month":
        return facts.local_month
    return facts.local_month // 3


def period_of_day(period: str, day: date) -> int:
    """The key of the period ``day`` falls in."""
    number = day_number(day)
    if period == "day":
        return number
    if period == "week":
        return (number + 3) // 7
    month = month_number(day.year, day.month)
    return month if period == "month" else month // 3


def period_of_month(period: str, month: int) -> int:
    """The key of a month's period, for periods of a month or longer."""
    return month if period == "month" else month // 3


def period_bounds(period: str, key: int) -> tuple[date, date]:
    """The first and the last day of a period."""
    check_period(period)
    if period == "day":
        day = day_of_number(key)
        return day, day
    if period == "week":
        monday = day_of_number(key * 7 - 3)
        return monday, monday + timedelta(days=6)
    first_month = key if period == "month" else key * 3
    months = 1 if period == "month" else 3
    start = date(first_month // 12, first_month % 12 + 1, 1)
    after = first_month + months
    return start, date(after // 12, after % 12 + 1, 1) - timedelta(days=1)


def period_label(period: str, key: int) -> str:
    start, _ = period_bounds(period, key)
    if period == "day":
        return start.isoformat()
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def period_series(start: date | None, end: date | None, period: str, present: Iterable[int]) -> list[int]:
    """The period keys a series shows: from the filter's start to its end where it names them, else from the
    first to the last period with voices; every period in between, with voices or not."""
    keys = set(present)
    first = period_of_day(period, start) if start else min(keys, default=None)
    last = period_of_day(period, end) if end else max(keys, default=None)
    if first is None or last is None:
        return []
    return list(range(first, last + 1))
