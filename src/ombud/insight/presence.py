"""Presence for the voices of a filter: answered share, first-response times by channel, overdue cases, feedback.

The definitions are loop/presence.py's, and so are the result types: a voice in a case is answered when a
response (an ``answered`` or ``waiting`` event) came at or after it; a case counts where its opening voice
does (the filter's cases are those opened by a voice it picks), with its first-response time, and is overdue
when it is not resolved, has no first response and its deadline has passed; feedback coverage is the share of
the reachable customers with a wish among the filter's voices who got feedback. Here they are read from the
facts (facts_cases.py keeps their presence columns in step) so that a million voices take one pass; the
first-response time is counted in whole minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from ombud.insight.facts import update_facts
from ombud.insight.filters import InsightFilter, conditions, wish_conditions
from ombud.insight.scans import in_index_order
from ombud.loop.presence import FEEDBACK_DONE, FeedbackCoverage, Presence, PresenceFigures
from ombud.loop.sql_time import moment
from ombud.store.models import Customer, OutboundMessage, VoiceFact, WishFact
from ombud.store.types import utc_now

Durations = dict[int, int]  # minutes → cases


def weighted_percentile(durations: Durations, share: float) -> float | None:
    """``loop.presence.percentile`` of the values given as value → how many, without listing them."""
    total = sum(durations.values())
    if not total:
        return None
    position = share * (total - 1)
    below, above = int(position), min(int(position) + (position > int(position)), total - 1)
    values: dict[int, float] = {}
    seen = 0
    for value in sorted(durations):
        count = durations[value]
        for rank in (below, above):
            if rank not in values and seen <= rank < seen + count:
                values[rank] = float(value)
        seen += count
        if above in values:
            break
    return values[below] + (values[above] - values[below]) * (position - below)


def _hours(durations: Durations, share: float) -> float | None:
    minutes = weighted_percentile(durations, share)
    return minutes / 60 if minutes is not None else None


def presence_rows(session: Session, chosen: InsightFilter, now: datetime) -> list[Any]:
    """(channel, opens case, first-response minutes, voices, voices in a case, voices answered, voices of
    unresolved cases whose first-response deadline has passed at ``now``), grouped in the order of
    ix_voice_facts_presence."""
    groups = (VoiceFact.channel, VoiceFact.opens_case, VoiceFact.first_response_minutes)
    past_due = and_(VoiceFact.case_resolved.is_(False), VoiceFact.first_response_due < moment(now))
    query = select(
        *groups,
        func.count(),
        func.count(VoiceFact.case_id),
        func.count().filter(VoiceFact.answered.is_(True)),
        func.count().filter(past_due),
    ).where(*conditions(session, chosen))
    with in_index_order(session) as connection:
        return list(connection.execute(query.group_by(*groups)))


def presence_from(rows: Iterable[Any], feedback: FeedbackCoverage | None, now: datetime) -> Presence:
    """Presence from :func:`presence_rows`; without ``feedback`` its coverage is left empty, to fill in."""
    figures: dict[str, PresenceFigures] = {}
    durations: dict[str, Durations] = {}
    everything: Durations = defaultdict(int)
    for channel, opens_case, minutes, voices, in_case, answered, past_due in rows:
        row = figures.get(channel)
        if row is None:
            row = figures[channel] = PresenceFigures(key=channel)
            durations[channel] = {}
        row.voices += in_case
        row.voices_answered += answered
        if opens_case:
            row.cases += voices
            if minutes is None:
                row.overdue += past_due
            else:
                row.cases_answered += voices
                durations[channel][minutes] = voices
                everything[minutes] += voices
    ordered = [figures[key] for key in sorted(figures)]
    for row in ordered:
        row.median_first_response_hours = _hours(durations[row.key], 0.5)
        row.p90_first_response_hours = _hours(durations[row.key], 0.9)
    total = PresenceFigures(
        key="all",
        voices=sum(row.voices for row in ordered),
        voices_answered=sum(row.voices_answered for row in ordered),
        cases=sum(row.cases for row in ordered),
        cases_answered=sum(row.cases_answered for row in ordered),
        overdue=sum(row.overdue for row in ordered),
        median_first_response_hours=_hours(everything, 0.5),
        p90_first_response_hours=_hours(everything, 0.9),
    )
    return Presence(by="channel", rows=ordered, total=total, feedback=feedback or FeedbackCoverage(0, 0), at=now)


def feedback_coverage(session: Session, chosen: InsightFilter) -> FeedbackCoverage:
    """Of the customers with a wish among the voices of ``chosen`` who can be contacted, how many got feedback.

    Counted as: the customers with such a wish, less those who cannot be contacted (opted out, erased); and
    the customers who got feedback and have such a wish. Both start from the few rows (opt-outs, feedback
    messages) rather than probing every wishing customer."""
    where = wish_conditions(session, chosen)
    customers = select(WishFact.customer_id).where(*where).group_by(WishFact.customer_id).subquery()
    wishing = session.scalar(select(func.count()).select_from(customers)) or 0
    unreachable = or_(Customer.contact_opt_out.is_(True), Customer.erased_at.is_not(None))
    has_wish = exists().where(WishFact.customer_id == Customer.id, *where)
    lost = session.scalar(select(func.count()).select_from(Customer).where(unreachable, has_wish)) or 0
    told = (
        select(OutboundMessage.customer_id)
        .where(OutboundMessage.kind == "feedback", OutboundMessage.status.in_(FEEDBACK_DONE))
        .distinct()
        .subquery()
    )
    with_feedback = session.scalar(
        select(func.count())
        .select_from(told)
        .where(
            exists().where(WishFact.customer_id == told.c.customer_id, *where),
            ~exists().where(Customer.id == told.c.customer_id, unreachable),
        )
    )
    return FeedbackCoverage(
        customers_with_wish=int(wishing) - int(lost), customers_with_feedback=int(with_feedback or 0)
    )


def presence(
    session: Session, chosen: InsightFilter | None = None, *, now: datetime | None = None, refresh: bool = True
) -> Presence:
    """Presence by channel (and in all) for the voices of ``chosen``, at ``now``."""
    chosen = chosen or InsightFilter()
    now = now or utc_now()
    if refresh:
        update_facts(session)
    return presence_from(presence_rows(session, chosen, now), feedback_coverage(session, chosen), now)
