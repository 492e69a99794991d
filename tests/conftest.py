"""Shared fixtures: every store and capture test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ombud.store import Database, open_database
from ombud.store.models import Base

POSTGRES_SERVER = os.environ.get("OMBUD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own on the test PostgreSQL server, created and dropped by this session."""
    name = f"ombud_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # pragma: no cover - the message is the point
        pytest.fail(
            f"cannot reach the test PostgreSQL at {POSTGRES_SERVER} ({error}); "
            "start it with scripts/ensure-postgres.sh or set OMBUD_TEST_POSTGRES_URL"
        )
    url = make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    yield url
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [table.name for table in Base.metadata.sorted_tables]
        present = set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        existing = [table for table in tables if table in present]
        if existing:
            connection.execute(text(f"TRUNCATE {', '.join(existing)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ombud.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    yield url
    _empty_postgres(url)


@pytest.fixture
def empty_postgres() -> Callable[[str], None]:
    """Empties every table of a PostgreSQL test database (tests that open two stores at once call it themselves)."""
    return _empty_postgres


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    opened = open_database(database_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def runner() -> CliRunner:
    return CliRunner()
