"""The voices behind a figure (drill-down): every voice of an insight filter, newest first, 25 a page, with
what ombud read in it, the filter said in words and a way back to the dashboard. Analysts read them masked;
agents and admins get a link to each voice's case."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ombud.access.roles import Permission
from ombud.insight import InsightFilter, VoicesPage, voices_behind
from ombud.insight.report_words import filter_words
from ombud.store.models import WishTheme
from ombud.web.deps import Reader, SessionDep, translator
from ombud.web.insight_views import mask_voices, theme_title
from ombud.web.pages.dashboard import back_to_dashboard, voices_address
from ombud.web.principal import Principal
from ombud.web.rendering import render

router = APIRouter()
PAGE_SIZE = 25


def _listing(session: Session, chosen: InsightFilter, page: int) -> tuple[VoicesPage, int]:
    """The voices of page ``page`` (kept within the pages there are) and that page's number."""
    listing = voices_behind(session, chosen, limit=PAGE_SIZE, offset=(max(1, page) - 1) * PAGE_SIZE)
    last = max(1, math.ceil(listing.total / PAGE_SIZE))
    if page > last or page < 1:
        page = min(max(1, page), last)
        listing = voices_behind(session, chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, refresh=False)
    return listing, page


def _theme_title(session: Session, theme_id: int | None, principal: Principal) -> str | None:
    theme = session.get(WishTheme, theme_id) if theme_id is not None else None
    return theme_title(session, theme, principal) if theme is not None else None


@router.get("/voices", name="voices_page")
def voices_page(request: Request, session: SessionDep, principal: Reader, page: int = 1) -> Response:
    query = {name: value for name, value in request.query_params.items() if name not in ("page", "back")}
    back = request.query_params.get("back", "")
    chosen = InsightFilter.from_query(query)
    listing, page = _listing(session, chosen, page)
    session.commit()
    mask_voices(session, listing, principal)
    t = translator(request, principal)
    pages = max(1, math.ceil(listing.total / PAGE_SIZE))

    def page_link(number: int) -> str:
        return voices_address(chosen, back) + f"&page={number}"

    return render(
        request,
        "voices.html",
        principal,
        voices=listing.voices,
        total=listing.total,
        page=page,
        pages=pages,
        page_link=page_link,
        words=filter_words(t, chosen, _theme_title(session, chosen.wish_theme, principal)),
        back_link=back_to_dashboard(back),
        can_work=principal.can(Permission.WORK),
    )
