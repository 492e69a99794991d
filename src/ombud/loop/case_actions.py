"""What agents do to a case: record a reply, change its status, assign it. Each change is a case event.

The caller commits. ``cases.py`` re-exports these, as the rest of the loop knows them from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ombud.errors import CaseError, Problem
from ombud.loop.priority import refresh_priorities
from ombud.store.models import Case, CaseEvent
from ombud.store.types import utc_now

STATUSES = ("open", "answered", "waiting", "resolved")
# Events that record a response to the customer (presence counts a voice answered when one follows it).
RESPONSE_EVENTS = ("answered", "waiting")


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseError(f"there is no case {case_id}")
    return case


def record_reply(
    session: Session,
    case: Case,
    *,
    at: datetime,
    actor: str | None,
    waiting_for_customer: bool = False,
    detail: dict[str, Any] | None = None,
) -> None:
    """We answered the customer at ``at``: the first response (if it is the first), status answered or
    waiting (a resolved case stays resolved), and an event. The caller commits."""
    status_from = case.status
    if case.first_response_at is None:
        case.first_response_at = at
    if case.status != "resolved":
        case.status = "waiting" if waiting_for_customer else "answered"
    case.unanswered_since = None
    kind = "waiting" if waiting_for_customer else "answered"
    _event(session, case, kind, at, actor, {"status_from": status_from, **(detail or {})})
    refresh_priorities(session, [case.id], now=at)


def set_status(
    session: Session, case: Case, status: str, *, actor: str | None = None, at: datetime | None = None
) -> bool:
    """Move the case to ``status``; returns False when it already was there. Setting answered or waiting
    records that the customer was answered outside ombud (by phone, say). The caller commits."""
    if status not in STATUSES:
        message = f"unknown status {status!r}: a case is {', '.join(STATUSES)}"
        raise CaseError(problem=Problem("case_status_unknown", message, {"status": status}))
    if status == case.status:
        return False
    at = at or utc_now()
    if status in RESPONSE_EVENTS:
        record_reply(
            session, case, at=at, actor=actor, waiting_for_customer=status == "waiting", detail={"by": "status"}
        )
        if case.status != status:  # a resolved case an agent marks answered
            case.status = status
            case.resolved_at = None
            refresh_priorities(session, [case.id], now=at)
        return True
    status_from = case.status
    if status == "resolved":
        case.status, case.resolved_at, case.unanswered_since = "resolved", at, None
        _event(session, case, "resolved", at, actor, {"status_from": status_from})
    else:
        case.status, case.unanswered_since = "open", case.unanswered_since or at
        if status_from == "resolved":
            case.reopened_count = (case.reopened_count or 0) + 1
            case.resolved_at = None
        _event(
            session,
            case,
            "reopened" if status_from == "resolved" else "status",
            at,
            actor,
            {"status_from": status_from, "status": "open"},
        )
    refresh_priorities(session, [case.id], now=at)
    return True


def assign(
    session: Session,
    case: Case,
    assignee: str | None = None,
    team: str | None = None,
    actor: str | None = None,
    *,
    at: datetime | None = None,
) -> bool:
    """Give the case to an agent, a team or both (an empty string takes it away); returns False when nothing
    changed. The caller commits."""
    if assignee is None and team is None:
        message = "name an agent, a team or both to assign the case to"
        raise CaseError(problem=Problem("case_assign_nobody", message))
    detail: dict[str, Any] = {}
    if assignee is not None and (assignee.strip() or None) != case.assignee:
        detail.update(assignee=assignee.strip() or None, assignee_from=case.assignee)
        case.assignee = assignee.strip() or None
    if team is not None and (team.strip() or None) != case.team:
        detail.update(team=team.strip() or None, team_from=case.team)
        case.team = team.strip() or None
    if not detail:
        return False
    _event(session, case, "assigned", at or utc_now(), actor, detail)
    return True


def _event(session: Session, case: Case, kind: str, at: datetime, actor: str | None, detail: dict[str, Any]) -> None:
    session.add(CaseEvent(case_id=case.id, at=at, kind=kind, actor=actor, detail=detail))
    session.flush()
