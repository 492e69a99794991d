"""Uploads and the imports they start, run in a background thread of the web app.

An upload is kept in its own folder under OMBUD_UPLOAD_DIR (``<key>/<file name>``, the key random), so the
import can be previewed, adjusted and run again; a file larger than OMBUD_MAX_UPLOAD_MB is refused and nothing
of it is kept. The import itself is the core's ``import_file``: it writes the ``imports`` row, its counts and its
row errors as it goes, which the import page polls; the thread adds how far through the file it is.
"""

from __future__ import annotations

import re
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.capture import ImportOptions, ImportReport, Progress, import_file
from ombud.errors import OmbudError, Problem, UploadError
from ombud.settings import Settings
from ombud.store import Database
from ombud.store.models import Import, ImportProblem

CHUNK = 1 << 20
_KEY = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass
class Job:
    upload: Upload
    state: str = "running"  # running, completed, failed
    progress: Progress | None = None
    report: ImportReport | None = None
    error: str | None = None
    problem: Problem | None = None  # the error's code and parameters, where it has them
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def fraction(self) -> float | None:
        if self.state != "running":
            return 1.0
        if self.progress is None or not self.progress.total:
            return None
        return min(1.0, self.progress.done / self.progress.total)


def safe_name(filename: str | None) -> str:
    name = _UNSAFE.sub("_", Path(filename or "").name).strip(" .")
    return name[:150] or "upload"


class ImportJobs:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.folder = Path(settings.upload_dir)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.after_import: list[Callable[[Job], None]] = []  # e.g. wake `ombud serve`'s upkeep

    @property
    def max_bytes(self) -> int:
        return int(self.settings.max_upload_mb * 1024 * 1024)

    def too_large(self) -> UploadError:
        size = f"{self.settings.max_upload_mb:g}"
        return UploadError(
            f"the file is larger than {size} MB (OMBUD_MAX_UPLOAD_MB); nothing was stored",
            too_large=True,
            problem=Problem(
                "upload_too_large", f"the file is larger than {size} MB; nothing was stored", {"size": size}
            ),
        )

    def save(self, filename: str | None, stream: BinaryIO) -> Upload:
        """Keep an uploaded file; UploadError (nothing kept) when it is empty or too large."""
        key = uuid.uuid4().hex
        folder = self.folder / key
        folder.mkdir(parents=True, exist_ok=False)
        path = folder / safe_name(filename)
        written = 0
        try:
            with path.open("wb") as file:
                while chunk := stream.read(CHUNK):
                    written += len(chunk)
                    if written > self.max_bytes:
                        raise self.too_large()
                    file.write(chunk)
            if written == 0:
                raise UploadError(problem=Problem("upload_empty", "the file is empty; nothing was stored"))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Upload(key=key, path=path)

    def upload(self, key: str) -> Upload:
        folder = self.folder / key
        files = sorted(folder.iterdir()) if _KEY.match(key) and folder.is_dir() else []
        if not files:
            raise UploadError(f"there is no upload {key[:40]!r} (it may have been removed)")
        return Upload(key=key, path=files[0])

    def start(self, upload: Upload, *, format_name: str = "auto", options: ImportOptions | None = None) -> Job:
        """Run the import of ``upload`` in a thread; a second start while one runs returns the running one."""
        with self._lock:
            running = self._jobs.get(upload.key)
            if running is not None and running.state == "running":
                return running
            job = Job(upload=upload)
            job.thread = threading.Thread(
                target=self._run, args=(job, format_name, options), name=f"import-{upload.key[:8]}", daemon=True
            )
            self._jobs[upload.key] = job
        job.thread.start()
        return job

    def _run(self, job: Job, format_name: str, options: ImportOptions | None) -> None:
        def note(progress: Progress) -> None:
            job.progress = progress

        try:
            job.report = import_file(
                self.database, job.upload.path, format_name=format_name, options=options, on_progress=note
            )
            job.state = "completed" if job.report.status == "completed" else "failed"
        except OmbudError as error:
            job.state, job.error, job.problem = "failed", str(error), error.problem
        except Exception as error:  # the page must show it; the thread has no one else to tell
            job.state, job.error = "failed", f"the import stopped: {error}"
        for callback in self.after_import:
            callback(job)

    def job(self, key: str) -> Job | None:
        return self._jobs.get(key)

    def wait(self, timeout: float = 10.0) -> None:
        for job in list(self._jobs.values()):
            if job.thread is not None:
                job.thread.join(timeout)


def run_of(session: Session, upload: Upload) -> Import | None:
    """The latest ``imports`` row of this upload's file."""
    return session.scalars(select(Import).where(Import.source == str(upload.path)).order_by(Import.id.desc())).first()


def problems(session: Session, import_id: int, limit: int = 200) -> list[ImportProblem]:
    return list(
        session.scalars(
            select(ImportProblem)
            .where(ImportProblem.import_id == import_id)
            .order_by(ImportProblem.line, ImportProblem.id)
            .limit(limit)
        )
    )
