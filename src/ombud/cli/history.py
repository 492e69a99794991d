"""ombud imports: what has been imported, and what could not be."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ombud.capture.history import problems_of, recent_imports
from ombud.cli.common import EXIT_FAILURE, DbOption, console, database, errors, reports_errors

STATUS_STYLE = {"completed": "green", "failed": "red", "interrupted": "yellow", "running": "cyan"}


@reports_errors
def imports_command(
    show: Annotated[int | None, typer.Option(help="Show the rows that import ID could not take.")] = None,
    limit: Annotated[int, typer.Option(help="How many imports (or rows with --show) to list.")] = 20,
    db: DbOption = None,
) -> None:
    """List recent imports with their outcome; an import whose process died shows as interrupted
    (run the same import again: it adds only what is missing)."""
    store = database(db)
    try:
        if show is not None:
            run, problems = problems_of(store, show, limit)
            if run is None:
                errors.print(f"[bold red]Error:[/] there is no import {show}")
                raise typer.Exit(EXIT_FAILURE)
            table = Table(title=f"Import {run.id}: {run.source} — {run.error_count:,} rows not imported")
            table.add_column("line", justify="right")
            table.add_column("reason")
            for problem in problems:
                table.add_row("" if problem.line is None else str(problem.line), problem.reason)
            console.print(table)
            return
        table = Table(title="Imports, newest first")
        table.add_column("id", justify="right")
        table.add_column("started (UTC)")
        table.add_column("file", overflow="fold")
        table.add_column("status", no_wrap=True)
        for column in ("rows", "added", "dupl.", "errors"):
            table.add_column(column, justify="right")
        for run in recent_imports(store, limit):
            style = STATUS_STYLE.get(run.status, "")
            table.add_row(
                str(run.id),
                run.started_at.strftime("%Y-%m-%d %H:%M"),
                Path(run.source).name,
                f"[{style}]{run.status}[/]" if style else run.status,
                f"{run.rows_read:,}",
                f"{run.voices_added:,}",
                f"{run.duplicates:,}",
                f"{run.error_count:,}",
            )
        console.print(table)
    finally:
        store.close()
