"""The inbox: open cases by priority, filtered by channel, language, act, emotion and flag, in pages."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ombud.labels import CHANNELS
from ombud.loop.case_views import CaseFilter, count_cases, list_cases
from ombud.loop.cases import STATUSES
from ombud.web.deps import Reader, SessionDep
from ombud.web.rendering import render
from ombud.web.views import summary_json

router = APIRouter()
PAGE_SIZE = 25


@router.get("/", name="home")
def home(_principal: Reader) -> Response:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox", name="inbox")
def inbox(
    request: Request,
    session: SessionDep,
    principal: Reader,
    status: str | None = None,
    channel: str | None = None,
    language: str | None = None,
    act: str | None = None,
    emotion: str | None = None,
    flag: str | None = None,
    page: int = 1,
) -> Response:
    filters = {"status": status, "channel": channel, "language": language, "act": act, "emotion": emotion, "flag": flag}
    filters = {name: value or None for name, value in filters.items()}
    narrow = CaseFilter(
        channel=filters["channel"],
        language=filters["language"],
        act=filters["act"],
        emotion=filters["emotion"],
        flag=filters["flag"],
    )
    total = count_cases(session, status=filters["status"], narrow=narrow)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    cases = list_cases(session, status=filters["status"], narrow=narrow, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    session.commit()

    def page_link(number: int) -> str:
        chosen = {name: value for name, value in filters.items() if value}
        return "/inbox?" + urlencode({**chosen, "page": number})

    return render(
        request,
        "inbox.html",
        principal,
        cases=[summary_json(summary, principal) for summary in cases],
        total=total,
        page=page,
        pages=pages,
        page_link=page_link,
        filters=filters,
        statuses=STATUSES,
        channels=CHANNELS,
    )
