"""The dashboard: the insight of the voices of a period, channel, company, industry, language or segment, every
figure linked to the voices behind it (the drill-down page, pages/voices.py), and the same as an HTML report to
download. The sections are the core's (``ombud.insight.report_sections``), so page and report show the same."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from ombud.errors import InsightError
from ombud.insight import DEFAULT_PERIOD, PERIODS, InsightFilter, dashboard
from ombud.insight.filters import PLACES
from ombud.insight.periods import check_period
from ombud.insight.report import figures_css, render_report, render_sections
from ombud.insight.report_masking import mask_quotes
from ombud.insight.report_sections import sections
from ombud.insight.report_words import place_text
from ombud.web.deps import Reader, SessionDep, translator
from ombud.web.insight_views import mask_board_titles, shown_title
from ombud.web.rendering import render

router = APIRouter()
DASHBOARD_FILTER = ("from", "to", *PLACES)


def dashboard_filter(query: Mapping[str, str]) -> tuple[InsightFilter, str]:
    """The dashboard's filter and period grouping from a query; anything else in it is left alone."""
    period = check_period(query.get("period") or DEFAULT_PERIOD)
    return InsightFilter.from_query({name: query.get(name) for name in DASHBOARD_FILTER}), period


def dashboard_query(chosen: InsightFilter, period: str) -> str:
    return urlencode({"period": period, **chosen.as_query()})


def back_to_dashboard(back: str | None) -> str:
    """The dashboard address a drill-down came from (its ``back`` parameter), checked: only the dashboard's own
    filter survives, and a bad one leads to the plain dashboard."""
    try:
        chosen, period = dashboard_filter(dict(parse_qsl(back or "")))
    except InsightError:
        return "/dashboard"
    return "/dashboard?" + dashboard_query(chosen, period)


def voices_address(chosen: InsightFilter, back: str) -> str:
    return "/voices?" + urlencode({**chosen.as_query(), "back": back})


@router.get("/dashboard", name="dashboard")
def dashboard_page(request: Request, session: SessionDep, principal: Reader) -> Response:
    chosen, period = dashboard_filter(request.query_params)
    board = dashboard(session, chosen, period=period)
    session.commit()
    mask_quotes(session, board.gaps)
    mask_board_titles(session, board, principal)
    t = translator(request, principal)
    back = dashboard_query(chosen, period)
    parts = sections(
        board,
        t,
        link=lambda narrowed: voices_address(narrowed, back),
        theme_link=lambda theme_id: str(request.app.url_path_for("wish_theme", theme_id=str(theme_id))),
        shown_title=shown_title(principal),
    )
    options = {}
    for by in PLACES:
        values = {row.key for row in board.mix_by_place[by].rows}
        chosen_value = getattr(chosen, by)
        values |= {chosen_value} if chosen_value else set()
        options[by] = sorted(((value, place_text(t, by, value)) for value in values), key=lambda pair: pair[1])
    return render(
        request,
        "dashboard.html",
        principal,
        body=render_sections(parts, t, open_tables=False),
        chosen=chosen,
        period=period,
        periods=PERIODS,
        places=PLACES,
        options=options,
        report_query=back,
    )


@router.get("/dashboard/figures.css", name="dashboard_css")
def dashboard_css(_principal: Reader) -> Response:
    """The figures' stylesheet, the same the HTML report carries inline."""
    return PlainTextResponse(figures_css(), media_type="text/css")


@router.get("/dashboard/report", name="dashboard_report")
def dashboard_report(request: Request, session: SessionDep, principal: Reader) -> Response:
    """The dashboard's filter as the self-contained HTML report (``ombud report``), in the reader's language."""
    chosen, period = dashboard_filter(request.query_params)
    language = translator(request, principal).language
    html = render_report(session, chosen, language, period=period)
    session.commit()
    name = f"ombud-report-{language}.html"
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{name}"'})
