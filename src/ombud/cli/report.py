"""ombud report: the dashboard as one self-contained HTML file to mail to management, in the chosen language."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ombud.cli.common import DbOption, console, reports_errors, store_session
from ombud.cli.progress import facts_progress_bar
from ombud.insight import DEFAULT_PERIOD, PERIODS, InsightFilter
from ombud.insight.periods import check_period
from ombud.insight.report import check_language, render_report, write_report
from ombud.locale import LANGUAGES
from ombud.loop.cases import update_cases


@reports_errors
def report_command(
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write (replaced only once it is whole).")],
    language: Annotated[str, typer.Option("--lang", help=f"The report's language: {', '.join(LANGUAGES)}.")] = "en",
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (in OMBUD_TIMEZONE).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (included).")] = None,
    period: Annotated[str, typer.Option("--period", help=f"Group by {', '.join(PERIODS)}.")] = DEFAULT_PERIOD,
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Only this company (it names the report).")] = None,
    industry: Annotated[str | None, typer.Option("--industry", help="Only this industry.")] = None,
    voice_language: Annotated[str | None, typer.Option("--language", help="Only voices read in this language.")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="Only this segment (metadata `segment`).")] = None,
    title: Annotated[str | None, typer.Option("--title", help="A title of your own.")] = None,
    db: DbOption = None,
) -> None:
    """Write the dashboard as one HTML file — charts inline, no script, nothing fetched from the network — that
    opens offline and prints a section a page; every quote is masked, so it names no customer."""
    check_language(language)
    check_period(period)
    chosen = InsightFilter.from_query(
        {
            "from": start,
            "to": end,
            "channel": channel,
            "company": company,
            "industry": industry,
            "language": voice_language,
            "segment": segment,
        }
    )
    with store_session(db) as session:
        update_cases(session)
        with facts_progress_bar() as facts:
            document = render_report(session, chosen, language, period=period, title=title, on_facts=facts)
        session.commit()
    written = write_report(html, document)
    size = len(document.encode("utf-8")) / 1024
    console.print(f"Wrote the report to {written} ({size:,.0f} KB); open it in a browser.", highlight=False)
