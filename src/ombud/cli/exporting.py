"""ombud export: the voices, their sentences or the wish themes as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ombud.cli.common import DbOption, console, errors, reports_errors, store_session
from ombud.cli.progress import RowsPerSecond
from ombud.insight.export import ExportProgress, ExportRequest, export
from ombud.insight.export_csv import DIALECTS
from ombud.insight.export_filter import ExportFilter


class ExportProgressBar:
    """One bar over the rows of the export; passed to the core as its on_progress callback."""

    def __init__(self, level: str) -> None:
        self.progress = Progress(
            TextColumn(f"[bold]{level} rows"),
            BarColumn(bar_width=30),
            TextColumn("{task.percentage:>3.0f}%"),
            RowsPerSecond(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self.task = self.progress.add_task(level, total=None)

    def __call__(self, update: ExportProgress) -> None:
        self.progress.update(self.task, completed=update.rows, total=max(update.total, 1), rows=update.rows)


@reports_errors
def export_command(
    out: Annotated[Path, typer.Option("--out", help="The file to write (replaced only once the export is whole).")],
    level: Annotated[
        str, typer.Option("--level", help="voice, sentence or theme (columns: docs/export.md).")
    ] = "voice",
    format_name: Annotated[
        str | None, typer.Option("--format", help="csv or parquet. Default: from --out's suffix.", show_default=False)
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (in OMBUD_TIMEZONE).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD, included.")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Only voices of this channel.")] = None,
    company: Annotated[str | None, typer.Option("--company", help="Only voices of this company.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Only voices in this language.")] = None,
    with_personal_data: Annotated[
        bool,
        typer.Option(
            "--with-personal-data", help="Texts, names and identities unmasked; needs --user, an admin or agent."
        ),
    ] = False,
    user: Annotated[str | None, typer.Option("--user", help="Your e-mail as an ombud user.")] = None,
    csv_dialect: Annotated[
        str, typer.Option("--csv-dialect", help=f"{', '.join(DIALECTS)} (docs/export.md).")
    ] = "standard",
    db: DbOption = None,
) -> None:
    """Export voices, sentences or wish themes to CSV or Parquet, personal data masked unless asked and allowed.

    The file is written beside --out under a temporary name and renamed when whole.
    """
    chosen = ExportFilter.parse(start, end, channel=channel, company=company, language=language)
    request = ExportRequest(
        level=level,
        path=out,
        format=format_name,
        filter=chosen,
        with_personal_data=with_personal_data,
        user=user,
        csv_dialect=csv_dialect,
    )
    with store_session(db) as session:
        bar = ExportProgressBar(level)
        with bar.progress:
            result = export(session, request, on_progress=bar)
    masked = "with personal data" if result.personal_data else "personal data masked"
    console.print(f"Wrote {result.rows:,} {result.level} rows to {result.path} ({result.format}, {masked}).")
    if result.changed_values:
        errors.print(
            f"[yellow]Warning:[/] {result.changed_values:,} values held characters that {csv_dialect} cannot "
            "(emoji, letters such as č or ŋ); they were written without their mark or as ?. "
            "The default CSV or Parquet keeps every character.",
            highlight=False,
        )
