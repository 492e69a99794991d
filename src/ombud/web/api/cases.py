"""/api/cases: cases by priority, one case with everything in it, assigning and changing status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ombud.loop.case_views import CaseFilter, case_detail, count_cases, list_cases
from ombud.loop.cases import assign, get_case, set_status
from ombud.loop.priority import refresh_priorities
from ombud.web.deps import Reader, SessionDep, Worker
from ombud.web.schemas.cases import CaseAssign, CaseChanged, CasePublic, CasesPublic, CaseStatusUpdate
from ombud.web.views import case_json, summary_json

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", response_model=CasesPublic)
def read_cases(
    session: SessionDep,
    principal: Reader,
    status: Annotated[str | None, Query(description="open, answered, waiting, resolved or all")] = None,
    overdue: bool = False,
    assignee: str | None = None,
    team: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    act: str | None = None,
    emotion: str | None = None,
    flag: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, object]:
    """Cases by priority now (every case not resolved unless ``status`` says otherwise)."""
    narrow = CaseFilter(channel=channel, language=language, act=act, emotion=emotion, flag=flag)
    filters = {"status": status, "overdue": overdue, "assignee": assignee, "team": team, "narrow": narrow}
    summaries = list_cases(session, limit=limit, offset=offset, **filters)  # type: ignore[arg-type]
    total = count_cases(session, **filters)  # type: ignore[arg-type]
    session.commit()
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "cases": [summary_json(summary, principal) for summary in summaries],
    }


@router.get("/{case_id}", response_model=CasePublic)
def read_case(case_id: int, session: SessionDep, principal: Reader) -> dict[str, object]:
    """The customer, every voice with what ombud read in it, every event and message of the case."""
    refresh_priorities(session, [get_case(session, case_id).id])
    session.commit()
    return case_json(case_detail(session, case_id), principal)


def _changed(case_id: int, changed: bool, session: SessionDep) -> dict[str, object]:
    case = get_case(session, case_id)
    return {"id": case.id, "changed": changed, "status": case.status, "assignee": case.assignee, "team": case.team}


@router.post("/{case_id}/assign", response_model=CaseChanged)
def assign_case(case_id: int, change: CaseAssign, session: SessionDep, principal: Worker) -> dict[str, object]:
    """Give the case to an agent, a team or both."""
    changed = assign(
        session, get_case(session, case_id), assignee=change.assignee, team=change.team, actor=principal.user.email
    )
    session.commit()
    return _changed(case_id, changed, session)


@router.post("/{case_id}/status", response_model=CaseChanged)
def change_case_status(
    case_id: int, change: CaseStatusUpdate, session: SessionDep, principal: Worker
) -> dict[str, object]:
    """Move the case to open, answered, waiting or resolved (answered/waiting: answered outside ombud)."""
    changed = set_status(session, get_case(session, case_id), change.status, actor=principal.user.email)
    session.commit()
    return _changed(case_id, changed, session)
