"""ombud demo: the whole flow on the bundled sample voices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ombud.cli.common import DbOption, console, reports_errors
from ombud.cli.importing import show_errors, summary_table
from ombud.cli.progress import ImportProgressBar
from ombud.cli.understanding import reading_progress
from ombud.labels import ACTS

if TYPE_CHECKING:
    from ombud.demo.ending import DemoEnding
    from ombud.demo.loop import LoopDemo
    from ombud.demo.run import DemoResult


def counts_table(title: str, rows: list[tuple[str, int]]) -> Table:
    total = sum(count for _, count in rows) or 1
    table = Table(title=f"Voices by {title}")
    table.add_column(title)
    table.add_column("voices", justify="right")
    table.add_column("share", justify="right")
    for value, count in rows:
        table.add_row(value, f"{count:,}", f"{count / total:.0%}")
    return table


@reports_errors
def demo_command(
    folder: Annotated[Path, typer.Option("--dir", help="Folder for the demo's files and database.")] = Path(
        "ombud-demo"
    ),
    tier: Annotated[
        str, typer.Option("--tier", help="fast, accurate, or default: which reader reads the voices.")
    ] = "default",
    db: DbOption = None,
) -> None:
    """Run ombud on its bundled sample: six fictional Nordic companies, 600+ customer voices.

    Writes the sample as a cp1252 CSV, a JSONL file and mbox files, imports them into a
    fresh SQLite database in the folder (or into --db), and prints what came in.
    """
    # The demo pulls in every stage (the readers, the loop): loaded here, not when any ombud command starts.
    from ombud.demo.ending import finish_demo
    from ombud.demo.loop import run_loop
    from ombud.demo.run import read_demo, run_demo

    console.print(f"[bold]ombud demo[/] — writing the sample voices to [cyan]{folder}/[/] and importing them")
    with ImportProgressBar() as bar:
        result = run_demo(folder, db, on_progress=bar)
    console.print(summary_table(result.reports))
    if any(report.error_count for report in result.reports):
        show_errors(result.reports)
    added = sum(report.voices_added for report in result.reports)
    console.print(f"{added:,} of the sample's {result.sample_size:,} voices are in {result.database_url}")
    for by, rows in result.counts.items():
        console.print(counts_table(by, rows))
    with reading_progress() as reading:
        task = reading.add_task("Reading voices", total=None)
        read_demo(result, tier, lambda update: reading.update(task, completed=update.done, total=update.total))
    _show_reading(result)
    with console.status("Cases, replies, the wish board and feedback…"):
        loop = run_loop(result.database_url, folder)
    _show_loop(loop)
    console.print(
        "\nNext: import your own export with "
        f"[bold]ombud import FILE --db {result.database_url}[/] (CSV, JSONL, .eml or mbox); work the cases with "
        f"[bold]ombud cases --db {result.database_url}[/] and the wishes with [bold]ombud wishes[/]."
    )
    with console.status("The report and a login for the web app…"):
        ending = finish_demo(result.database_url, folder)
    _show_ending(ending, result.database_url)


def _show_ending(ending: DemoEnding, database_url: str) -> None:
    report = ending.report.resolve()
    console.print(
        f"\n[bold]The report[/] ({ending.language}): [cyan]{escape(str(ending.report))}[/] — open it in a browser "
        f"({escape(report.as_uri())}); one file that works offline, to mail or print. Another language: "
        f"[bold]ombud report --html report-en.html --lang en --db {escape(database_url)}[/] (sv, nb, nn, da, en).",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"[bold]The web app[/]: [bold]ombud serve --db {escape(database_url)} --no-send[/], then open "
        f"http://127.0.0.1:8000 and log in as [bold]{ending.email}[/] with the password "
        f"[bold]{ending.password}[/] (shown only now; the demo makes a new one each time it runs).",
        highlight=False,
        soft_wrap=True,
    )


def _show_loop(loop: LoopDemo) -> None:
    console.print(
        f"\n[bold]The loop[/]: {loop.cases:,} cases; the demo agent answered {len(loop.replies)} of the most urgent"
    )
    board = Table(title=f"Wish board: {loop.wishes:,} wishes in {loop.themes:,} themes (top 10 by customers)")
    for column in ("company", "theme", "status", "customers", "wishes"):
        board.add_column(column, justify="right" if column in ("customers", "wishes") else "left")
    for company, title, status, customers, wishes in loop.board:
        board.add_row(company, title, status, str(customers), str(wishes))
    console.print(board)
    for title, status, queued in loop.decided:
        console.print(f"Theme [italic]{title}[/] → [bold]{status}[/]: feedback to {queued} customers")
    if loop.delivery is not None:
        problems = f", {len(loop.delivery.problems)} problems" if loop.delivery.problems else ""
        console.print(
            f"Sent over SMTP: {loop.delivery.sent} messages{problems}; {loop.mails_received} arrived in "
            f"[cyan]{loop.mail_folder}/[/] (open the .eml files); {loop.manual} kept for posting by hand "
            "(reviews, chats, calls)."
        )
    if loop.presence is not None:
        table = Table(title="Presence by channel")
        for column in ("channel", "voices", "answered", "median first response", "p90", "overdue cases"):
            table.add_column(column, justify="left" if column == "channel" else "right")
        for row in [*loop.presence.rows, loop.presence.total]:
            share = row.answered_share
            table.add_row(
                row.key,
                f"{row.voices:,}",
                "–" if share is None else f"{share:.0%}",
                _hours(row.median_first_response_hours),
                _hours(row.p90_first_response_hours),
                f"{row.overdue:,}",
            )
        console.print(table)
        coverage = loop.presence.feedback
        covered = "–" if coverage.share is None else f"{coverage.share:.0%}"
        console.print(
            f"Feedback coverage: {coverage.customers_with_feedback:,} of {coverage.customers_with_wish:,} customers "
            f"with a wish have heard back ({covered})."
        )


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} h"


def _show_reading(result: DemoResult) -> None:
    console.print(f"\n[bold]What ombud read[/] with {result.model}")
    mix = Table(title="Dominant act per company")
    mix.add_column("company")
    for act in ACTS:
        mix.add_column(act, justify="right")
    for company, acts in result.act_mix.items():
        total = sum(acts.values()) or 1
        mix.add_row(company, *(f"{acts[act] / total:.0%}" for act in ACTS))
    console.print(mix)
    console.print("Top emotions: " + ", ".join(f"{name} {count:,}" for name, count in result.emotions[:5]))
    console.print("Flags: " + ", ".join(f"{name} {count:,}" for name, count in result.flags.items()))
    agreement = Table(title="Agreement with the sample's intended labels")
    agreement.add_column("reading")
    agreement.add_column("score", justify="right")
    for name, value in result.agreement.items():
        agreement.add_row(name, f"{value:.2f}")
    console.print(agreement)
