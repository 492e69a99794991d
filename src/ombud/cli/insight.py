"""ombud insight: the dashboard as tables (or JSON), for the voices of a period, channel, company, …"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ombud.cli.common import DbOption, console, reports_errors, store_session
from ombud.cli.progress import facts_progress_bar
from ombud.insight import DEFAULT_PERIOD, PERIODS, Dashboard, InsightFilter, dashboard
from ombud.insight.periods import check_period
from ombud.labels import ACTS, EMOTIONS, FLAGS
from ombud.loop.cases import update_cases


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _table(title: str, first: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for column in columns:
        table.add_column(column, justify="right")
    return table


def _print(board: Dashboard) -> None:
    console.print(f"[bold]{board.voices:,} voices[/], by {board.period}")
    mixes = [("Voice mix by " + board.period, [*board.mix_by_period.rows, board.mix_by_period.total])]
    mixes += [
        (f"Voice mix by {by}", mix.rows) for by, mix in board.mix_by_place.items() if by in ("channel", "company")
    ]
    for title, rows in mixes:
        table = _table(title, title.rsplit(" ", 1)[-1], "voices", *ACTS)
        for row in rows:
            table.add_row(escape(row.key), f"{row.voices:,}", *(_share(row.shares[act]) for act in ACTS))
        console.print(table)

    wishes = _table(f"Top wish themes, customers by {board.period}", "theme", "customers", "wishes", "change")
    for theme in board.wishes.themes:
        change = "—" if theme.change is None else f"{theme.change:+d}"
        wishes.add_row(
            f"{escape(theme.title)} [dim]({escape(theme.company or '—')}, {theme.status})[/]",
            f"{theme.customers:,}",
            f"{theme.wishes:,}",
            change,
        )
    console.print(wishes)

    felt = board.topic_emotions
    emotions = _table("Emotions by topic (voices)", "topic", "voices", *EMOTIONS)
    for topic in felt.topics:
        counts = felt.counts[topic]
        emotions.add_row(
            escape(topic), f"{felt.topic_voices[topic]:,}", *(f"{counts[e]:,}" if counts[e] else "" for e in EMOTIONS)
        )
    console.print(emotions)

    gaps = _table("Expectation gaps by topic", "topic", "gaps", "of voices", "share")
    gaps.add_column("newest quote")
    for entry in board.gaps.topics:
        quote = entry.quotes[0].text if entry.quotes else ""
        gaps.add_row(escape(entry.topic), f"{entry.gaps:,}", f"{entry.voices:,}", _share(entry.share), escape(quote))
    console.print(gaps)

    flags = _table(f"Flags by {board.period}", board.period, "voices", *FLAGS)
    for counted in [*board.flags.rows, board.flags.total]:
        flags.add_row(
            counted.key, f"{counted.voices:,}", *(f"{counted.counts[f]:,} ({_share(counted.shares[f])})" for f in FLAGS)
        )
    console.print(flags)

    presence = board.presence
    table = _table(
        "Presence by channel", "channel", "voices", "answered", "cases", "median first resp.", "p90", "overdue"
    )
    for figures in [*presence.rows, presence.total]:
        table.add_row(
            escape(figures.key),
            f"{figures.voices:,}",
            _share(figures.answered_share),
            f"{figures.cases:,}",
            _hours(figures.median_first_response_hours),
            _hours(figures.p90_first_response_hours),
            f"{figures.overdue:,}",
        )
    console.print(table)
    feedback = presence.feedback
    console.print(
        f"Feedback: {feedback.customers_with_feedback:,} of {feedback.customers_with_wish:,} customers with a wish "
        f"({_share(feedback.share)})"
    )

    meter = board.barometer
    table = _table(f"Barometer by {board.period} (0–100, 95 % interval)", board.period, "index", "interval", "voices")
    for value in [*meter.by_period, meter.overall]:
        if value.too_few or value.index is None:
            table.add_row(value.period or "all", "[dim]too few[/]", "", f"{value.voices:,}")
        else:
            table.add_row(
                value.period or "all", f"{value.index:.1f}", f"{value.low:.1f}–{value.high:.1f}", f"{value.voices:,}"
            )
    console.print(table)
    console.print(
        f"[dim]Fewer than {meter.min_voices} voices are too few for an index (OMBUD_BAROMETER_MIN_VOICES).[/]"
    )


@reports_errors
def insight_command(
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (in OMBUD_TIMEZONE).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (included).")] = None,
    period: Annotated[
        str, typer.Option("--period", help=f"Group by {', '.join(PERIODS)}.", show_default=True)
    ] = DEFAULT_PERIOD,
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Only this company.")] = None,
    industry: Annotated[str | None, typer.Option("--industry", help="Only this industry.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Only voices read in this language.")] = None,
    segment: Annotated[str | None, typer.Option("--segment", help="Only this segment (metadata `segment`).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the dashboard as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The dashboard: voice mix, top wishes, emotions, expectation gaps, flags over time, presence and the
    barometer, for the voices of a period, channel, company, industry, language or segment."""
    check_period(period)
    chosen = InsightFilter.from_query(
        {
            "from": start,
            "to": end,
            "channel": channel,
            "company": company,
            "industry": industry,
            "language": language,
            "segment": segment,
        }
    )
    with store_session(db) as session:
        update_cases(session)
        with facts_progress_bar(quiet=as_json) as facts:
            board = dashboard(session, chosen, period=period, on_facts=facts)
        session.commit()
    if as_json:
        typer.echo(json.dumps(board.as_json(), ensure_ascii=False, indent=2, default=_json_default))
        return
    _print(board)


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
