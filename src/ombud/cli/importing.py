"""ombud import: read customer voices from files into the store."""

from __future__ import annotations

import csv
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.table import Table

from ombud.capture import ImportOptions, ImportReport, RowError, import_files, importers
from ombud.capture.columns import parse_map_option
from ombud.capture.options import normalise_channel
from ombud.cli.common import EXIT_ROW_ERRORS, DbOption, console, database, errors, reports_errors
from ombud.cli.progress import ImportProgressBar
from ombud.errors import MappingOptionError

SHOWN_ERRORS = 20


class ErrorFile:
    """Writes every row error as it happens: JSON lines, or CSV when the name ends in .csv."""

    def __init__(self, file: TextIO, as_csv: bool) -> None:
        self._file = file
        self._csv = csv.writer(file) if as_csv else None
        if self._csv:
            self._csv.writerow(["file", "line", "reason"])

    def __call__(self, error: RowError) -> None:
        if self._csv:
            self._csv.writerow([error.source, error.line or "", error.reason])
        else:
            self._file.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")


def parse_tags(tags: list[str]) -> dict[str, str]:
    parsed = {}
    for tag in tags:
        key, equals, value = tag.partition("=")
        if not equals or not key.strip():
            raise MappingOptionError(f"--tag: {tag!r} is not KEY=VALUE")
        parsed[key.strip()] = value.strip()
    return parsed


def summary_table(reports: list[ImportReport]) -> Table:
    table = Table(title="Import summary")
    table.add_column("file", overflow="fold")
    for column in ("format", "rows read", "added", "duplicates", "errors", "status"):
        table.add_column(column, justify="left" if column in {"format", "status"} else "right")
    for report in reports:
        status = {"completed": "[green]completed", "failed": "[red]failed"}.get(report.status, report.status)
        table.add_row(
            report.source,
            report.format,
            f"{report.rows_read:,}",
            f"{report.voices_added:,}",
            f"{report.duplicates:,}",
            f"[red]{report.error_count:,}" if report.error_count else "0",
            status,
        )
    return table


def errors_table(reports: list[ImportReport]) -> Table:
    table = Table(title="Rows not imported", title_style="bold red")
    table.add_column("file")
    table.add_column("line", justify="right")
    table.add_column("reason")
    shown = 0
    for report in reports:
        for error in [error for error in report.errors if error.line is not None][: SHOWN_ERRORS - shown]:
            table.add_row(error.source, str(error.line), error.reason)
            shown += 1
    return table


def show_errors(reports: list[ImportReport]) -> None:
    """Files that could not be read at all get a line each; row errors a table."""
    for report in reports:
        for error in report.errors:
            if error.line is None:
                errors.print(f"[bold red]Not imported:[/] {error.source}: {error.reason}", highlight=False)
    if any(error.line is not None for report in reports for error in report.errors):
        errors.print(errors_table(reports))


@reports_errors
def import_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.", exists=True)],
    format_name: Annotated[
        str, typer.Option("--format", help="auto, or one of the registered importers: csv, jsonl, eml, mbox.")
    ] = "auto",
    mapping: Annotated[
        str | None,
        typer.Option("--map", help="Columns by hand: text=Kommentar,customer_email=E-post,received_at=Datum,…"),
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="Channel of every voice: email, chat, review, survey, call_note, …")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="KEY=VALUE added to every voice's metadata, e.g. company=Acme.")
    ] = None,
    errors_file: Annotated[
        Path | None, typer.Option("--errors", help="Write every row error to this file (.jsonl or .csv).")
    ] = None,
    allow_errors: Annotated[bool, typer.Option(help="Exit with 0 even when some rows had errors.")] = False,
    db: DbOption = None,
) -> None:
    """Import customer voices from CSV, JSONL, e-mail (.eml) and mbox files.

    Bad rows never stop the good ones: each is reported with its file, line and reason.
    Importing the same file again adds nothing.
    """
    known = ["auto", *sorted(importers())]
    if format_name not in known:
        raise typer.BadParameter(f"choose one of {', '.join(known)}", param_hint="--format")
    options = ImportOptions.from_settings(
        mapping=parse_map_option(mapping),
        channel=normalise_channel(channel) if channel else None,
        tags=parse_tags(tag or []),
    )
    store = database(db)
    with ExitStack() as stack:
        on_error = None
        if errors_file:
            file = stack.enter_context(errors_file.open("w", encoding="utf-8", newline=""))
            on_error = ErrorFile(file, errors_file.suffix.lower() == ".csv")
        bar = stack.enter_context(ImportProgressBar())
        reports = import_files(
            store, paths, format_name=format_name, options=options, on_error=on_error, on_progress=bar
        )
    store.close()
    console.print(summary_table(reports))
    error_count = sum(report.error_count for report in reports)
    if error_count:
        show_errors(reports)
        if error_count > SHOWN_ERRORS:
            where = f" All of them are in {errors_file}." if errors_file else " Use --errors FILE to get all of them."
            errors.print(f"{error_count - SHOWN_ERRORS:,} more errors not shown.{where}")
        if not allow_errors:
            raise typer.Exit(EXIT_ROW_ERRORS)
