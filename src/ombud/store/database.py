"""Opening a database: the engine, its SQLite settings, and bringing the schema up to date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ombud.errors import DatabaseError
from ombud.settings import get_settings
from ombud.store.bulk import restore_deferrable_indexes
from ombud.store.models import voices_table

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Database:
    """An open ombud database: its engine and a factory of sessions."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    # (revision before, revision after) of the upgrade done on opening; equal when there was none.
    schema_change: tuple[str | None, str | None] = (None, None)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # A large page cache: imports insert into several indexes with random keys.
    cursor.execute(f"PRAGMA cache_size=-{get_settings().sqlite_cache_mb * 1024}")
    cursor.execute("PRAGMA temp_store=MEMORY")
    # Checkpoint the WAL every ~200 MB rather than every 4 MB: hot index pages are then copied back
    # into the database once instead of over and over during a large import (20,000 pages, 80 MB, took
    # 5 % more CPU and 10-20 % more time for a million voices; 5,000 pages took 70 % longer). The file is
    # removed when the last connection closes.
    cursor.execute("PRAGMA wal_autocheckpoint=50000")
    cursor.close()


def create_database_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseError(f"not a database URL: {url!r} ({error})") from error
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not Path(database).parent.exists():
            raise DatabaseError(f"the folder of the SQLite file {database!r} does not exist")
        engine = create_engine(parsed)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: Engine) -> tuple[str | None, str | None]:
    """Bring the schema to the newest revision; returns (revision before, revision after)."""
    before = current_revision(engine)
    head = head_revision()
    if before != head:
        config = _alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return before, head


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Open the database at ``url`` (default: the setting), upgrading its schema unless told not to."""
    url = url or get_settings().database_url
    engine = create_database_engine(url)
    try:
        if upgrade:
            change = upgrade_schema(engine)
            restore_deferrable_indexes(engine, voices_table)
        else:
            revision = current_revision(engine)
            change = (revision, revision)
    except OperationalError as error:
        engine.dispose()
        raise DatabaseError(f"cannot open the database {make_url(url)!r}: {error.orig}") from error
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Database(url=url, engine=engine, sessions=sessions, schema_change=change)
