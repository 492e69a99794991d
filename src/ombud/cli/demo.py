"""ombud demo: the whole flow on the bundled sample voices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ombud.cli.common import DbOption, console, reports_errors
from ombud.cli.importing import show_errors, summary_table
from ombud.cli.progress import ImportProgressBar
from ombud.cli.understanding import reading_progress
from ombud.demo import run_demo
from ombud.demo.run import DemoResult, read_demo
from ombud.labels import ACTS


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
    console.print(
        "\nNext: import your own export with "
        f"[bold]ombud import FILE --db {result.database_url}[/] (CSV, JSONL, .eml or mbox)."
    )


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
