"""Exports: the voices, their sentences or the wish themes as CSV or Parquet, personal data masked by default.

``export(session, request)`` streams the rows in batches into a temporary file beside the target and renames it
to the target's name only when it is complete, so a crash, an error or Ctrl-C never leaves half a file under
that name (and an older file there stays as it was until the new one is whole). The columns of each level are
declared in export_columns.py and described in docs/export.md.

Personal data: every text is masked (``ombud.access.masking``, ombud's one masker) and the customer's identity
and name are replaced by their kind (``[email]``, ``[name]``) unless the request asks for personal data and names
a user who may see it: an active admin or agent. Analysts see personal data masked everywhere, exports included.
Who may is checked before anything is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ombud.access.roles import Permission, can
from ombud.insight.export_columns import COLUMNS, LEVELS
from ombud.insight.export_csv import dialect_named
from ombud.insight.export_errors import ExportError, PersonalDataRefused
from ombud.insight.export_filter import ExportFilter
from ombud.insight.export_formats import Row, Writer, WriterOptions, writer_for
from ombud.insight.export_rows import count_sentences, count_voices, sentence_rows, voice_rows
from ombud.insight.export_themes import count_themes, theme_rows
from ombud.store.models import User

BATCH_SIZE = 2_000


@dataclass(frozen=True)
class ExportRequest:
    level: str
    path: Path
    format: str | None = None  # csv or parquet; None: from the file's suffix
    filter: ExportFilter = field(default_factory=ExportFilter)
    with_personal_data: bool = False
    user: str | None = None  # the e-mail of who exports; needed for personal data
    csv_dialect: str = "standard"


@dataclass(frozen=True)
class ExportProgress:
    rows: int
    total: int


@dataclass(frozen=True)
class ExportResult:
    path: Path
    level: str
    format: str
    rows: int
    personal_data: bool  # False: masked
    changed_values: int  # values changed to fit the format (characters cp1252 cannot hold)

    def as_json(self) -> dict[str, Any]:
        return {**vars(self), "path": str(self.path)}


def personal_data_reader(session: Session, email: str | None) -> User:
    """The active user ``email`` names if their role sees personal data (admin, agent; ombud.access.roles);
    PersonalDataRefused for anyone else."""
    if not email or not email.strip():
        raise PersonalDataRefused("personal data needs --user EMAIL: an admin or agent of ombud")
    user = session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if user is None:
        raise PersonalDataRefused(f"there is no user {email.strip()!r}; personal data is exported only for a user")
    if user.disabled_at is not None:
        raise PersonalDataRefused(f"the user {user.email} is disabled")
    if not can(user.role, Permission.PERSONAL_DATA):
        raise PersonalDataRefused(
            f"the user {user.email} is an {user.role}, who sees personal data masked; "
            "export without --with-personal-data, or ask an admin or agent"
        )
    return user


def _rows_and_total(
    session: Session, request: ExportRequest, batch_size: int
) -> tuple[Callable[[], Iterator[list[Row]]], int]:
    chosen, personal = request.filter, request.with_personal_data
    if request.level == "voice":
        return (
            lambda: voice_rows(session, chosen, personal_data=personal, batch_size=batch_size),
            count_voices(session, chosen),
        )
    if request.level == "sentence":
        return (
            lambda: sentence_rows(session, chosen, personal_data=personal, batch_size=batch_size),
            count_sentences(session, chosen),
        )
    return (
        lambda: theme_rows(session, chosen, personal_data=personal, batch_size=batch_size),
        count_themes(session, chosen),
    )


def export(
    session: Session,
    request: ExportRequest,
    *,
    on_progress: Callable[[ExportProgress], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ExportResult:
    """Write the export ``request`` asks for; returns what was written."""
    if request.level not in LEVELS:
        raise ExportError(f"unknown level {request.level!r}; choose one of {', '.join(LEVELS)}")
    writer_class = writer_for(request.format, request.path)
    dialect_named(request.csv_dialect)
    reader = personal_data_reader(session, request.user) if request.with_personal_data else None
    target = request.path.expanduser()
    if target.is_dir():
        raise ExportError(f"{target} is a folder; give the file to write")
    if not target.parent.is_dir():
        raise ExportError(f"the folder {target.parent} does not exist")
    rows, total = _rows_and_total(session, request, batch_size)
    options = WriterOptions(
        csv_dialect=request.csv_dialect,
        description={
            "level": request.level,
            "personal_data": "included" if reader else "masked",
            "filter": json.dumps(request.filter.as_json(), ensure_ascii=False),
            **({"exported_by": reader.email} if reader else {}),
        },
    )
    written, changed = _write_whole(target, writer_class, options, request.level, rows(), total, on_progress)
    return ExportResult(target, request.level, writer_class.name, written, request.with_personal_data, changed)


def _write_whole(
    target: Path,
    writer_class: type[Writer],
    options: WriterOptions,
    level: str,
    batches: Iterator[list[Row]],
    total: int,
    on_progress: Callable[[ExportProgress], None] | None,
) -> tuple[int, int]:
    """Write every batch into a temporary file beside ``target``, then put it in ``target``'s place."""
    handle, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    writer: Writer | None = None
    written = 0
    try:
        writer = writer_class(temporary, COLUMNS[level], options)
        if on_progress:
            on_progress(ExportProgress(0, total))
        for batch in batches:
            writer.write(batch)
            written += len(batch)
            if on_progress:
                on_progress(ExportProgress(written, max(total, written)))
        changed = writer.close()
        writer = None
        os.replace(temporary, target)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from error
    finally:
        if writer is not None:
            writer.abort()
        temporary.unlink(missing_ok=True)
    return written, changed
