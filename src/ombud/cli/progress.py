"""Rich progress bars: for imports (how far through the files, and rows per second), and for bringing insight's
facts up to date before the dashboard or the report is counted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ombud.capture import Progress as ImportProgress
from ombud.cli.common import console

if TYPE_CHECKING:  # the import bar should not load insight
    from ombud.insight import FactsProgress


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        rows = task.fields.get("rows", 0)
        elapsed = task.elapsed or 0
        rate = rows / elapsed if elapsed > 0 else 0
        return Text(f"{rows:,} rows, {rate:,.0f}/s", style="cyan")


class ImportProgressBar:
    """One bar per file; passed to the core as its on_progress callback."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=20),
            TextColumn("{task.percentage:>3.0f}%"),
            RowsPerSecond(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ImportProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()

    def __call__(self, update: ImportProgress) -> None:
        task = self._tasks.get(update.source)
        if task is None:
            name = update.source if len(update.source) <= 30 else "…" + update.source[-29:]
            task = self._tasks[update.source] = self._progress.add_task(name, total=max(update.total, 1))
        self._progress.update(task, completed=update.done, total=max(update.total, 1), rows=update.rows_read)


@contextmanager
def facts_progress_bar(*, quiet: bool = False) -> Iterator[Callable[[FactsProgress], None]]:
    """A transient bar of the voices whose facts are brought up to date; yields the core's on_facts callback."""
    with Progress(
        TextColumn("[bold]Insight facts"),
        BarColumn(bar_width=20),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task("facts", total=0)

        def facts(update: FactsProgress) -> None:
            bar.update(task, completed=update.done, total=update.total)

        yield facts
