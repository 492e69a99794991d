"""Importing files into the store: pick the importer, stream its rows, write batches, report."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ombud.capture.history import mark_interrupted
from ombud.capture.loader import BatchResult, VoiceWriter
from ombud.capture.options import ImportOptions
from ombud.capture.pipeline import Batch, ReaderFailed, read_batches
from ombud.capture.prepare import Preparer
from ombud.capture.records import RowError
from ombud.capture.registry import Importer, expand_paths, importer_for
from ombud.errors import OmbudError, UnknownFormatError
from ombud.settings import get_settings
from ombud.store.bulk import RowsClash, drop_deferrable_indexes, restore_deferrable_indexes, store_time
from ombud.store.database import Database
from ombud.store.models import Import, ImportProblem, voices_table

# How many row errors a report keeps in memory; every one is stored and streamed to on_error.
KEPT_ERRORS = 1000


@dataclass
class ImportReport:
    """What one file's import did."""

    source: str
    format: str
    import_id: int | None = None
    status: str = "running"
    rows_read: int = 0
    voices_added: int = 0
    duplicates: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.status == "completed"


@dataclass(frozen=True)
class Progress:
    source: str
    done: int
    total: int
    unit: str
    rows_read: int


ProgressCallback = Callable[[Progress], None]
ErrorCallback = Callable[[RowError], None]


class _Run:
    def __init__(
        self,
        database: Database,
        report: ImportReport,
        importer: Importer,
        preparer: Preparer,
        batch_size: int,
        on_error: ErrorCallback | None,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.database = database
        self.report = report
        self.importer = importer
        self.preparer = preparer
        self.batch_size = batch_size
        self.on_error = on_error
        self.on_progress = on_progress

    def _note_errors(self, errors: list[RowError]) -> None:
        for error in errors:
            self.report.error_count += 1
            if len(self.report.errors) < KEPT_ERRORS:
                self.report.errors.append(error)
            if self.on_error:
                self.on_error(error)

    def _progress(self, rows_read: int, progress: tuple[int, int]) -> None:
        if self.on_progress:
            done, total = progress
            unit = self.importer.progress_unit
            self.on_progress(Progress(self.report.source, done, total, unit, rows_read))

    def _flush(self, writer: VoiceWriter, batch: Batch) -> None:
        errors = sorted(batch.errors, key=lambda error: error.line or 0)
        with self.database.session() as session:
            try:
                result = writer.write(session, batch.voices) if batch.voices else BatchResult(0, 0)
            except RowsClash:  # another writer ignored the lock; the writer is careful from now on
                session.rollback()
                result = writer.write(session, batch.voices)
            session.add_all(
                ImportProblem(
                    import_id=self.report.import_id,
                    source=e.source,
                    line=e.line,
                    reason=e.reason,
                    code=e.code,
                    params=e.params,
                )
                for e in errors
            )
            run = session.get_one(Import, self.report.import_id)
            run.voices_added += result.added
            run.duplicates += result.duplicates
            run.rows_read = batch.rows_read
            run.error_count += len(errors)
            session.commit()
        self.report.rows_read = batch.rows_read
        self.report.voices_added += result.added
        self.report.duplicates += result.duplicates
        self._note_errors(errors)
        self._progress(batch.rows_read, batch.progress)

    def execute(self, size_bytes: int) -> None:
        writer = VoiceWriter(self.report.import_id, self.report.source, self.preparer.started_at)
        minimum = get_settings().reader_process_min_bytes
        for item in read_batches(self.importer, self.preparer, self.batch_size, size_bytes, minimum):
            if isinstance(item, Batch):
                self._flush(writer, item)
            else:
                self._progress(item.rows_read, item.progress)


def _start(database: Database, source: str, format_name: str, channel: str | None) -> int:
    with database.session() as session:
        mark_interrupted(session)
        run = Import(
            host=socket.gethostname(),
            process_id=os.getpid(),
            source=source,
            format=format_name,
            channel=channel,
            status="running",
            started_at=datetime.now(UTC),
            rows_read=0,
            voices_added=0,
            duplicates=0,
            error_count=0,
        )
        session.add(run)
        session.commit()
        return run.id


def _finish(database: Database, report: ImportReport, status: str, file_error: RowError | None = None) -> None:
    report.status = status
    with database.session() as session:
        run = session.get_one(Import, report.import_id)
        run.status = status
        run.finished_at = datetime.now(UTC)
        if file_error:
            session.add(
                ImportProblem(
                    import_id=run.id,
                    source=file_error.source,
                    line=None,
                    reason=file_error.reason,
                    code=file_error.code,
                    params=file_error.params,
                )
            )
            run.error_count += 1
        session.commit()


def import_file(
    database: Database,
    path: Path,
    *,
    format_name: str = "auto",
    options: ImportOptions | None = None,
    batch_size: int | None = None,
    on_error: ErrorCallback | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one file. Row errors are reported, never raised; a file that cannot be read at all
    gives a report with status "failed" and the reason as its one error."""
    options = options or ImportOptions.from_settings()
    source = str(path)
    report = ImportReport(source=source, format=format_name)
    try:
        importer_class = importer_for(path, format_name)
    except (UnknownFormatError, OSError) as error:
        report.import_id = _start(database, source, format_name, options.channel)
        _fail(database, report, error, on_error)
        return report
    report.format = importer_class.name
    report.import_id = _start(database, source, importer_class.name, options.channel)
    importer = importer_class(path, options)
    preparer = Preparer(
        source, importer.default_channel, options.phone_country, datetime.now(UTC), store_time(database.dialect)
    )
    batch_size = batch_size or get_settings().import_batch_size
    run = _Run(database, report, importer, preparer, batch_size, on_error, on_progress)
    size = path.stat().st_size
    bulk = size >= get_settings().bulk_load_min_bytes
    try:
        if bulk:
            drop_deferrable_indexes(database.engine, voices_table)
        run.execute(size)
    except (ReaderFailed, OSError) as error:
        _fail(database, report, error, on_error)
        return report
    except BaseException:
        _finish(database, report, "interrupted")
        raise
    finally:
        if bulk:
            restore_deferrable_indexes(database.engine, voices_table)
    _finish(database, report, "completed")
    return report


def _fail(database: Database, report: ImportReport, error: Exception, on_error: ErrorCallback | None) -> None:
    """The file could not be read at all: its one error, with the problem's code where the error has one."""
    message = str(error).removeprefix(f"{report.source}: ")
    found = error.problem if isinstance(error, OmbudError) else None
    file_error = RowError(report.source, None, message)
    if found is not None:
        file_error = RowError(report.source, None, message, found.code, dict(found.params))
    report.error_count += 1
    report.errors.append(file_error)
    if on_error:
        on_error(file_error)
    _finish(database, report, "failed", file_error)


def import_files(
    database: Database,
    paths: Iterable[Path | str],
    *,
    format_name: str = "auto",
    options: ImportOptions | None = None,
    batch_size: int | None = None,
    on_error: ErrorCallback | None = None,
    on_progress: ProgressCallback | None = None,
) -> list[ImportReport]:
    """Import every file (folders are walked); one report per file."""
    return [
        import_file(
            database,
            path,
            format_name=format_name,
            options=options,
            batch_size=batch_size,
            on_error=on_error,
            on_progress=on_progress,
        )
        for path in expand_paths([Path(p) for p in paths])
    ]
