"""What imports have run: their outcome, their errors, and runs whose process died."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombud.store.database import Database
from ombud.store.models import Import, ImportProblem


def _alive(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(session: Session) -> int:
    """Runs on this machine still marked running whose process is gone were killed: say so.
    Returns how many were marked."""
    host = socket.gethostname()
    stale = [
        run
        for run in session.scalars(select(Import).where(Import.status == "running", Import.host == host))
        if run.process_id is None or not _alive(run.process_id)
    ]
    for run in stale:
        run.status = "interrupted"
        run.finished_at = datetime.now(UTC)
    return len(stale)


def recent_imports(database: Database, limit: int = 20) -> list[Import]:
    """The latest runs, newest first."""
    with database.session() as session:
        mark_interrupted(session)
        session.commit()
        return list(session.scalars(select(Import).order_by(Import.id.desc()).limit(limit)))


def problems_of(database: Database, import_id: int, limit: int = 100) -> tuple[Import | None, list[ImportProblem]]:
    """One run and the first ``limit`` rows it could not take, in line order."""
    with database.session() as session:
        run = session.get(Import, import_id)
        problems = session.scalars(
            select(ImportProblem)
            .where(ImportProblem.import_id == import_id)
            .order_by(ImportProblem.line, ImportProblem.id)
            .limit(limit)
        )
        return run, list(problems)
