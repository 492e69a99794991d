"""The most wanted wish themes: how many customers wished for each in the voices of a filter, and the trend.

Demand is distinct customers (one customer who asks five times is one customer), counted over the wishes of
the voices the filter picks; the trend is each theme's customers per period and the change from the period
before the last to the last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.insight.facts import update_facts
from ombud.insight.filters import InsightFilter, wish_conditions
from ombud.insight.periods import DEFAULT_PERIOD, check_period, period_column, period_label, period_series
from ombud.store.models import WishFact, WishTheme

TOP_THEMES = 10


@dataclass
class ThemeTrend:
    theme_id: int
    title: str
    company: str | None
    status: str
    customers: int
    wishes: int
    series: list[tuple[str, int]] = field(default_factory=list)  # (period label, customers), every period
    by_period: dict[int, int] = field(default_factory=dict, repr=False)  # period key → customers, with any

    def over(self, period: str, keys: Sequence[int]) -> None:
        """Show the series over these periods (keys)."""
        self.series = [(period_label(period, key), self.by_period.get(key, 0)) for key in keys]

    @property
    def change(self) -> int | None:
        """Customers in the last period minus those in the one before (None with fewer than two periods)."""
        if len(self.series) < 2:
            return None
        return self.series[-1][1] - self.series[-2][1]

    def as_json(self) -> dict[str, Any]:
        return {
            "theme_id": self.theme_id,
            "title": self.title,
            "company": self.company,
            "status": self.status,
            "customers": self.customers,
            "wishes": self.wishes,
            "change": self.change,
            "series": [{"period": label, "customers": customers} for label, customers in self.series],
        }


@dataclass
class WishDemand:
    period: str
    themes: list[ThemeTrend]

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "themes": [theme.as_json() for theme in self.themes]}


def wish_demand(
    session: Session,
    chosen: InsightFilter | None = None,
    *,
    period: str = DEFAULT_PERIOD,
    limit: int = TOP_THEMES,
    periods: Sequence[int] | None = None,
    refresh: bool = True,
) -> WishDemand:
    """The ``limit`` themes with the most customers among the voices of ``chosen``, each with its customers per
    period (``periods``, keys; by default from the filter's start to its end, or the periods with wishes)."""
    chosen = chosen or InsightFilter()
    check_period(period)
    if refresh:
        update_facts(session)
    where = wish_conditions(session, chosen)
    # SQLite counts the distinct customers of each theme as it reads ix_wish_facts_demand, in its order.
    customers, wishes = func.count(func.distinct(WishFact.customer_id)), func.count()
    top = (
        session.connection()
        .execute(
            select(WishFact.theme_id, customers, wishes)
            .where(*where)
            .group_by(WishFact.theme_id)
            .order_by(customers.desc(), wishes.desc(), WishFact.theme_id)
            .limit(limit)
        )
        .all()
    )
    if not top:
        return WishDemand(period=period, themes=[])
    ids = [theme_id for theme_id, _, _ in top]
    key = period_column(period, WishFact)
    by_period: dict[int, dict[int, int]] = defaultdict(dict)
    for theme_id, period_key, count in session.connection().execute(
        select(WishFact.theme_id, key, customers)
        .where(*where, WishFact.theme_id.in_(ids))
        .group_by(WishFact.theme_id, key)
    ):
        by_period[theme_id][int(period_key)] = int(count)
    keys = (
        list(periods)
        if periods is not None
        else period_series(chosen.start, chosen.end, period, (k for counts in by_period.values() for k in counts))
    )
    themes = {theme.id: theme for theme in session.scalars(select(WishTheme).where(WishTheme.id.in_(ids)))}
    demand = WishDemand(
        period=period,
        themes=[
            ThemeTrend(
                theme_id=theme_id,
                title=themes[theme_id].title,
                company=themes[theme_id].company,
                status=themes[theme_id].status,
                customers=int(customers),
                wishes=int(wishes),
                by_period=by_period[theme_id],
            )
            for theme_id, customers, wishes in top
        ],
    )
    for theme in demand.themes:
        theme.over(period, keys)
    return demand
