"""Running independent read queries at once, each on a connection of its own.

The dashboard's queries do not depend on each other, and each keeps one core busy for a fraction of a second
on a million voices; on two cores, running them two at a time nearly halves the wait (docs/insight.md has the
figures). Other connections see only what is committed, so the queries run at once only when the caller's
session has written nothing it has not committed (facts it just brought up to date, say) and the database is
not an in-memory SQLite one; otherwise they run one after the other in the caller's session. Queries on
different connections may see the store a moment apart when someone commits meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

Query = Callable[[Session], Any]


def _writes_pending(session: Session) -> bool:
    """Whether the session's transaction holds writes that other connections cannot see yet."""
    if session.new or session.dirty or session.deleted:
        return True
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver: Any = connection.connection.driver_connection
        # Python's sqlite3 begins a transaction only before the first write.
        return bool(driver.in_transaction)
    return session.scalar(text("SELECT pg_current_xact_id_if_assigned()")) is not None


def _shared_file(session: Session) -> bool:
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        return False  # a session bound to one connection: stay on it
    return bind.dialect.name != "sqlite" or bind.url.database not in (None, "", ":memory:")


def run_queries(session: Session, queries: Mapping[str, Query], workers: int) -> dict[str, Any]:
    """Each query's result, by name: with ``workers`` > 1 at once on connections of their own where that is
    safe, else one after the other in ``session``."""
    if workers <= 1 or len(queries) <= 1 or not _shared_file(session) or _writes_pending(session):
        return {name: query(session) for name, query in queries.items()}
    engine = session.get_bind()
    assert isinstance(engine, Engine)

    def run(query: Query) -> Any:
        with Session(bind=engine) as reading:
            return query(reading)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ombud-insight") as pool:
        futures = {name: pool.submit(run, query) for name, query in queries.items()}
        return {name: future.result() for name, future in futures.items()}
