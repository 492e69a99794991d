"""ombud demo: the whole flow on the bundled sample voices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ombud.cli.common import DbOption, console, reports_errors
from ombud.cli.importing import show_errors, summary_table
from ombud.cli.progress import ImportProgressBar
from ombud.demo import run_demo


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
    console.print(
        "\nNext: import your own export with "
        f"[bold]ombud import FILE --db {result.database_url}[/] (CSV, JSONL, .eml or mbox)."
    )
